"""Consumer-side pages for businesses: apply to become a partner and follow the application.

An individual landlord with no business number applies with an identity verification instead; the
sandbox's stand-in for the identity window exists only where the sandbox is enabled."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from trustplatform.pages import refusal_shown
from trustplatform.payments.providers import portone_window_csp, provider_enabled

from . import identity, services
from .forms import IndividualLandlordForm, PartnerApplicationForm, SandboxIdentityForm
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
def apply_individual(request):
    if request.method == "POST":
        form = IndividualLandlordForm(request.POST)
        if form.is_valid():
            with refusal_shown(form=form):
                services.partner_apply_individual(user=request.user, **form.cleaned_data)
                messages.success(request, _("Application received. We will review it shortly."))
                return redirect("partners:status")
        returned = form.data.get("identity_verification_id", "")
    else:
        # Back from the identity window (PortOne's redirect on phones, or the sandbox's page).
        returned = "" if request.GET.get("code") else request.GET.get("identityVerificationId", "")
        form = IndividualLandlordForm(initial={"identity_verification_id": returned})
    verified = identity.identity_verification_id_owner(returned) == request.user.pk
    verification_id = returned if verified else identity.identity_verification_id_new(user_id=request.user.pk)
    context = {"form": form, "verified": verified}
    if not verified and identity.identity_provider().name == "portone":
        context["portone"] = identity.identity_window(
            verification_id=verification_id,
            redirect_url=request.build_absolute_uri(reverse("partners:apply_individual")),
        )
    elif not verified:
        context["sandbox_url"] = reverse("partners:identity_sandbox", args=[verification_id])
    response = render(request, "partners/apply_individual.html", context)
    if "portone" in context:
        response._csp_update = portone_window_csp()
    return response


@login_required
def identity_sandbox(request, verification_id: str):
    """The sandbox's identity window: the person states who they are and the sandbox 'verifies' it."""
    mine = identity.identity_verification_id_owner(verification_id) == request.user.pk
    if not provider_enabled("sandbox") or not mine:
        raise Http404
    form = SandboxIdentityForm(request.POST or None)
    failed = request.method == "POST" and "fail" in request.POST
    if failed or (request.method == "POST" and form.is_valid()):
        data = {} if failed else form.cleaned_data
        identity.sandbox_identity_record(
            verification_id=verification_id, verified=not failed, name=data.get("name", ""),
            birth_date=data["birth_date"].isoformat() if data else "", phone=data.get("phone", ""),
        )
        if failed:
            messages.error(request, _("The identity verification failed. Verify your identity again."))
            return redirect("partners:apply_individual")
        return redirect(f"{reverse('partners:apply_individual')}?identityVerificationId={verification_id}")
    return render(request, "partners/identity_sandbox.html", {"form": form})


@login_required
def status(request):
    partners = partners_for_user(user=request.user).order_by("-created_at")
    return render(request, "partners/status.html", {"partners": partners})
