"""Forms staff fill in before a service runs: reasons, decisions, approvals."""

from django import forms
from django.contrib.admin import helpers
from django.utils.translation import gettext_lazy as _

from escrow.models import Dispute, GuaranteeClaim
from trustplatform.partners.models import Partner


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)


class DisputeDecideForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Dispute.Outcome.choices)
    payee_amount_krw = forms.IntegerField(label=_("To the payee (KRW)"), min_value=0)
    payer_amount_krw = forms.IntegerField(label=_("Back to the payer (KRW)"), min_value=0)
    note = forms.CharField(
        label=_("Decision and its grounds"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_("The two amounts must add up to what is held. Changing a decision voids its approvals."),
    )


class DisputeApproveForm(forms.Form):
    # The hash of the decision shown on the page: if the decision changes meanwhile, the service refuses.
    decision_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)


class ClaimCountersignForm(DisputeApproveForm):
    """The hash of the claim decision shown on the page, as for a dispute's second approval."""


class ClaimApproveForm(forms.Form):
    amount_krw = forms.IntegerField(label=_("Amount approved (KRW)"), min_value=1)
    pay_to = forms.ChoiceField(label=_("Pay to"), choices=GuaranteeClaim.PayTo.choices)
    replacement = forms.ModelChoiceField(
        label=_("Replacement contractor"),
        queryset=Partner.objects.filter(status=Partner.Status.APPROVED, kind="contractor").order_by("name"),
        required=False,
    )
    reason = forms.CharField(label=_("Grounds"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class BulkReasonForm(ReasonForm):
    """A reason asked by a list action; carries the action and the selection through the page."""

    confirm = forms.CharField(widget=forms.HiddenInput, initial="yes")

    def __init__(self, *args, action: str, selected: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"] = forms.CharField(widget=forms.HiddenInput, initial=action)
        # Django's action machinery reads the selection back from this exact field name.
        self.fields[helpers.ACTION_CHECKBOX_NAME] = forms.Field(
            widget=forms.MultipleHiddenInput, initial=selected
        )
