"""The owner portal: every page acts for one approved partner of the logged-in user."""

import functools

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .agenda import partner_agenda
from .models import Membership
from .selectors import SESSION_KEY, acting_partner, active_partners_for_user, partners_for_user


def portal_view(view):
    """Log in, then act for an approved partner; anyone else gets a 403 page saying why."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        partner = acting_partner(request=request)
        if partner is None:
            return render(request, "partners/portal_denied.html",
                          {"partners": partners_for_user(user=request.user)}, status=403)
        request.partner = partner
        return view(request, *args, **kwargs)

    return wrapper


@portal_view
def dashboard(request):
    """The owner's day: what needs the acting member now, each linked to where it is handled."""
    partner = request.partner
    context = {
        "partner": partner,
        "membership": Membership.objects.get(user=request.user, partner=partner),
        "agenda": partner_agenda(partner=partner, user=request.user),
        "notifications": request.user.notifications.filter(read_at__isnull=True)[:5],
        "today": timezone.localdate(),
    }
    return render(request, "partners/portal_dashboard.html", context)


@portal_view
def team(request):
    members = request.partner.memberships.select_related("user").order_by("role", "user__full_name")
    return render(request, "partners/portal_team.html", {"members": members})


@portal_view
def member_detail(request, membership_id: int):
    # Scoped lookup: another partner's membership is simply not found.
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id,
                                   partner=request.partner)
    return render(request, "partners/portal_member.html", {"member": membership})


@login_required
@require_POST
def switch(request, partner_id: int):
    if not active_partners_for_user(user=request.user).filter(pk=partner_id).exists():
        raise Http404
    request.session[SESSION_KEY] = partner_id
    return redirect("portal:dashboard")
