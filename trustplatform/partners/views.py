"""Consumer-side pages for businesses: apply to become a partner and follow the application."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from trustplatform.pages import refusal_shown

from . import services
from .forms import PartnerApplicationForm
from .selectors import partners_for_user


@login_required
def apply(request):
    form = PartnerApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form=form):
            services.partner_apply(user=request.user, **form.cleaned_data)
            messages.success(request, _("Application received. We will review it shortly."))
            return redirect("partners:status")
    return render(request, "partners/apply.html", {"form": form})


@login_required
def status(request):
    partners = partners_for_user(user=request.user).order_by("-created_at")
    return render(request, "partners/status.html", {"partners": partners})
