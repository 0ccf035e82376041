"""Owner portal: guarantee cases a guest (or the guarantee line) reported against the property. The
owner confirms it could not host the guest, or contests with a statement, before the deadline."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform.pages import refusal_shown

from . import selectors
from .portal import lodging_view
from .services import refusals


class ContestForm(forms.Form):
    statement = forms.CharField(
        label=gettext_lazy("What happened, from your side"),
        max_length=refusals.STATEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("An agent reads it with the guest's report and decides."),
    )


@lodging_view
def refusals_list(request):
    cases = selectors.partner_cases(partner=request.partner)[:200]
    return render(request, "bookings/portal/refusals.html", {"cases": cases})


@lodging_view
def refusal(request, case_id: int):
    case = get_object_or_404(selectors.partner_cases(partner=request.partner), pk=case_id)
    form = ContestForm(request.POST if request.POST.get("action") == "contest" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "confirm":
            with refusal_shown(request):
                answered = refusals.case_property_confirm(case=case, actor=request.user)
                messages.warning(
                    request,
                    _("Confirmed. Ansim is rehousing the guest; the extra cost and a penalty are charged to "
                      "you, as for a cancellation.")
                    if answered.is_rehousing
                    else _("The booking changed meanwhile: an agent will call you and decide."),
                )
            return redirect("bookings_portal:refusal", case.pk)
        if action == "contest" and form.is_valid():
            with refusal_shown(form=form):
                refusals.case_property_contest(
                    case=case, actor=request.user, statement=form.cleaned_data["statement"]
                )
                messages.success(request, _("Sent. An agent will call you and the guest, then decide."))
                return redirect("bookings_portal:refusal", case.pk)
        elif action not in ("confirm", "contest"):
            messages.error(request, _("Choose whether to confirm or contest."))
    return render(
        request, "bookings/portal/refusal.html", {"case": case, "booking": case.booking, "form": form}
    )
