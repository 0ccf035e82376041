"""Consumer pages for the end of a stay: review a completed stay and dispute a no-show (each shown back
and confirmed before it is sent: both are once only), and report a review on a property's page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trustplatform.pages import refusal_shown

from .forms_stays import DisputeForm, ReportForm, ReviewForm
from .models import Booking, Review
from .services import no_shows, reviews


def _mine(request, code: str) -> Booking:
    return get_object_or_404(
        Booking.objects.select_related("property", "room_type"), code=code, guest=request.user
    )


@login_required
def review_write(request, code: str):
    booking = _mine(request, code)
    form = ReviewForm(request.POST or None)
    confirm = False
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirmed") != "on":
            confirm = True
        else:
            with refusal_shown(form=form):
                reviews.review_create(booking=booking, actor=request.user, **form.cleaned_data)
                messages.success(request, _("Thank you: your review is posted."))
                return redirect("bookings:booking", code)
    elif request.method == "GET" and not reviews.review_open(booking, user=request.user):
        messages.error(request, _("This stay cannot be reviewed now."))
        return redirect("bookings:booking", code)
    return render(
        request, "bookings/review_write.html", {"booking": booking, "form": form, "confirm": confirm}
    )


@login_required
def no_show_dispute(request, code: str):
    booking = _mine(request, code)
    form = DisputeForm(request.POST or None)
    confirm = False
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirmed") != "on":
            confirm = True
        else:
            with refusal_shown(form=form):
                no_shows.no_show_dispute_open(
                    booking=booking, actor=request.user, statement=form.cleaned_data["statement"]
                )
                messages.success(request, _("Sent. An Ansim agent decides; we will tell you."))
                return redirect("bookings:booking", code)
    elif request.method == "GET" and not no_shows.no_show_disputable(booking):
        messages.error(request, _("This booking cannot be disputed now."))
        return redirect("bookings:booking", code)
    return render(
        request, "bookings/no_show_dispute.html", {"booking": booking, "form": form, "confirm": confirm}
    )


@login_required
@require_POST
def review_report(request, review_id: int):
    review = get_object_or_404(Review, pk=review_id, hidden_at__isnull=True)
    form = ReportForm(request.POST)
    if form.is_valid():
        with refusal_shown(request):
            reviews.review_report(review=review, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("Reported. Our agents will look at it."))
    else:
        messages.error(request, _("Say what is wrong with it."))
    return redirect(reverse("bookings:property", args=[review.property_id]) + "#reviews")
