"""Consumer pages: ask the agents' team, follow one's own questions and write back."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from trustplatform.pages import refusal_shown

from . import selectors, services
from .forms import FollowUpForm, InquiryForm
from .subjects import subjects


def _category_for(about: str) -> str:
    kind = about.partition(":")[0]
    return next((subject.category for subject in subjects() if subject.kind == kind), "")


@login_required
def ask(request):
    """The contact form; `?about=booking:12` (from a booking or deposit page) chooses the object."""
    about = request.GET.get("about", "")[:40]
    form = InquiryForm(
        request.POST or None,
        user=request.user,
        about=about,
        initial={"about": about, "category": _category_for(about)},
    )
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form=form):
            inquiry = services.inquiry_open(user=request.user, **form.cleaned_data)
            messages.success(request, _("Sent. We will tell you here and by text when an agent answers."))
            return redirect("support:detail", inquiry.pk)
    return render(request, "support/ask.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def inquiry_list(request):
    return render(
        request, "support/list.html", {"inquiries": selectors.inquiries_of(user=request.user)[:100]}
    )


@login_required
def inquiry_detail(request, inquiry_id: int):
    # Scoped lookup: another person's question is simply not found.
    inquiry = get_object_or_404(selectors.inquiries_of(user=request.user), pk=inquiry_id)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form=form):
            services.inquiry_follow_up(inquiry=inquiry, user=request.user, **form.cleaned_data)
            messages.success(request, _("Sent."))
            return redirect("support:detail", inquiry.pk)
    return render(
        request,
        "support/detail.html",
        {"inquiry": inquiry, "thread": inquiry.messages.all(), "form": form},
        status=400 if form.errors else 200,
    )
