"""Consumer pages: my safe numbers, blocking, the opt-in at checkout-like steps, the simulator."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from trustplatform.pages import page_action, refusal_shown
from trustplatform.partners.models import Partner
from trustplatform.partners.selectors import partner_owner_phone

from . import selectors, services, simulator
from .models import Participant


class OptInForm(forms.Form):
    """The checkbox other apps put at their checkout step (Baemin style: ticked by default)."""

    use_safe_number = forms.BooleanField(
        label=gettext_lazy("Use a safe number"), required=False,
        help_text=gettext_lazy("The business sees a virtual 050 number instead of yours; it stops "
                               "working after the order and your number is erased."))


class DemoOrderForm(OptInForm):
    partner = forms.ModelChoiceField(label=gettext_lazy("Order from"), queryset=Partner.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = (Partner.objects.filter(status=Partner.Status.APPROVED)
                                           .order_by("name"))
        self.order_fields(["partner", "use_safe_number"])


class SimulatorForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What to do"), choices=[
        ("call", gettext_lazy("Place a call")), ("text", gettext_lazy("Send a text"))])
    caller = forms.CharField(label=gettext_lazy("From (any number)"), max_length=32)
    proxy = forms.CharField(label=gettext_lazy("To (a safe number)"), max_length=32)
    body = forms.CharField(label=gettext_lazy("Text"), max_length=300, required=False)


@login_required
def mine(request):
    sessions = list(selectors.user_sessions(user=request.user)[:50])
    rows = []
    for session in sessions:
        me = selectors.user_owns_consumer_side(user=request.user, session=session)
        other = next((p for p in session.participants.all() if p.side != Participant.Side.CONSUMER), None)
        rows.append({"session": session, "me": me, "other": other})
    return render(request, "masking/mine.html", {
        "rows": rows, "blocks": selectors.user_blocks(user=request.user),
        "opt_in": OptInForm(initial={"use_safe_number": services.preference_get(user=request.user)}),
    })


@login_required
@require_POST
def preference(request):
    form = OptInForm(request.POST)
    form.is_valid()
    services.preference_set(user=request.user,
                            use_safe_number=form.cleaned_data.get("use_safe_number", False))
    messages.success(request, _("Saved. We will offer this choice at your next order."))
    return redirect("masking:mine")


@login_required
@require_POST
def block(request, session_id: int):
    session = get_object_or_404(selectors.user_sessions(user=request.user), pk=session_id)
    page_action(
        request,
        lambda: services.block_add(session=session, owner_side=Participant.Side.CONSUMER, actor=request.user),
        _("Blocked: they can no longer call or text you through a safe number."),
    )
    return redirect("masking:mine")


@login_required
@require_POST
def unblock(request, block_id: int):
    services.block_remove(block=get_object_or_404(selectors.user_blocks(user=request.user), pk=block_id),
                          actor=request.user)
    messages.success(request, _("Unblocked."))
    return redirect("masking:mine")


def _business_phone(partner: Partner) -> str:
    return partner_owner_phone(partner=partner)


def _sandbox_tool(request) -> None:
    """The simulator and the demo checkout exist only on the sandbox, and with DEBUG off only for staff:
    they open sessions to real businesses' phones and play the network for any number typed."""
    if settings.MASKING_PROVIDER != "sandbox" or not (settings.DEBUG or request.user.is_staff):
        raise Http404


@login_required
def demo_order(request):
    """A checkout-like step, as the other apps will have it: order, with or without a safe number."""
    _sandbox_tool(request)
    form = DemoOrderForm(request.POST or None,
                         initial={"use_safe_number": services.preference_get(user=request.user)})
    if request.method == "POST" and form.is_valid():
        use = form.cleaned_data["use_safe_number"]
        services.preference_set(user=request.user, use_safe_number=use)
        partner = form.cleaned_data["partner"]
        if not use:
            messages.info(request, _("Order placed. The business will see your own number."))
            return redirect("masking:mine")
        if not request.user.phone_verified:
            form.add_error(None, _("Verify your mobile number first: a safe number forwards to it."))
        elif not _business_phone(partner):
            form.add_error("partner", _("This business has no phone number on file."))
        else:
            with refusal_shown(form=form):
                services.session_open(
                    partner=partner, reference=f"demo-{timezone.now():%Y%m%d%H%M%S}", actor=request.user,
                    expires_at=timezone.now() + timedelta(hours=3),
                    consumer=services.Party(phone=request.user.phone, label=_("Customer"), user=request.user),
                    business=services.Party(phone=_business_phone(partner), label=partner.name))
                messages.success(request, _("Order placed with a safe number."))
                return redirect("masking:mine")
    return render(request, "masking/demo_order.html", {"form": form})


@login_required
def phone_simulator(request):
    _sandbox_tool(request)
    form = SimulatorForm(request.POST or None)
    outcome = None
    if request.method == "POST" and "answer" in request.POST:
        call = get_object_or_404(selectors.ringing_calls(user=request.user), pk=request.POST["answer"])
        outcome = simulator.simulate_answer(call=call)
        form = SimulatorForm()
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["kind"] == "call":
            outcome = simulator.simulate_call(caller=_e164(data["caller"]), proxy=_e164(data["proxy"]))
        else:
            outcome = simulator.simulate_text(caller=_e164(data["caller"]), proxy=_e164(data["proxy"]),
                                              body=data["body"])
    return render(request, "masking/simulator.html", {
        "form": form, "outcome": outcome, "ringing": selectors.ringing_calls(user=request.user)[:20]})


def _e164(raw: str) -> str:
    from .numbers import caller_normalize

    return caller_normalize(raw) or raw

