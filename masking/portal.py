"""Owner-portal pages: the partner's sessions with proxy numbers only, click-to-call, status texts."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from trustplatform.pages import page_action
from trustplatform.partners.portal import portal_view

from . import selectors, services
from .models import MaskedSession, Participant


class StatusTextForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Status text to the customer"), max_length=300,
                           widget=forms.TextInput(
                               attrs={"placeholder": gettext_lazy("e.g. Delivered to your door")}))


def _rows(sessions):
    for session in sessions:
        sides = {p.side: p for p in session.participants.all()}
        yield {"session": session, "business": sides.get(Participant.Side.BUSINESS),
               "consumer": sides.get(Participant.Side.CONSUMER)}


@portal_view
def sessions(request):
    show = request.GET.get("show", "open")
    status = MaskedSession.Status.OPEN if show == "open" else None
    found = selectors.partner_sessions(partner=request.partner, status=status)[:100]
    return render(request, "masking/portal_sessions.html", {
        "rows": list(_rows(found)), "show": show, "text_form": StatusTextForm()})


def _session(request, session_id: int) -> MaskedSession:
    return get_object_or_404(selectors.partner_sessions(partner=request.partner), pk=session_id)


def _run(request, action, success: str):
    page_action(request, action, success)
    return redirect("masking_portal:sessions")


@portal_view
@require_POST
def call(request, session_id: int):
    session = _session(request, session_id)
    return _run(request, lambda: services.click_to_call_start(session=session, actor=request.user),
                _("Calling you now: pick up and we connect you to the customer."))


@portal_view
@require_POST
def text(request, session_id: int):
    session = _session(request, session_id)
    form = StatusTextForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a text of 1 to 300 characters."))
        return redirect("masking_portal:sessions")
    return _run(request, lambda: services.status_text_send(session=session, body=form.cleaned_data["body"],
                                                           actor=request.user),
                _("Text sent to the customer."))


@portal_view
@require_POST
def close(request, session_id: int):
    session = _session(request, session_id)
    return _run(request, lambda: services.session_complete(session=session, actor=request.user),
                _("Closed: the safe numbers stop working after the cool-off."))


@portal_view
@require_POST
def block(request, session_id: int):
    session = _session(request, session_id)
    return _run(request, lambda: services.block_add(session=session, owner_side=Participant.Side.BUSINESS,
                                                    actor=request.user),
                _("Blocked: this customer can no longer reach you through a safe number."))
