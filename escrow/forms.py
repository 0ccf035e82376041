"""Forms of the escrow pages: they turn what people type into clean values; the services decide."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trustplatform import files
from trustplatform.forms import SafeNumberField, WonField
from trustplatform.partners.selectors import is_member
from trustplatform.payments.models import Payment

from .models import EscrowAgreement, Evidence, GuaranteeClaim


def _evidence_file_field(*, required: bool = True, label=None) -> forms.FileField:
    return forms.FileField(
        label=label or _("File"),
        required=required,
        help_text=_("PDF, JPEG or PNG. We keep its SHA-256 fingerprint so it can never be swapped."),
        widget=forms.ClearableFileInput(attrs={"accept": files.accept_attribute(Evidence.KINDS)}),
    )


def _evidence_file_clean(upload):
    """Refuse what is too large or not really a document or photo (checked on the whole file)."""
    if not upload:
        return None
    try:
        files.upload_check(upload, kinds=Evidence.KINDS, max_bytes=settings.ESCROW_EVIDENCE_MAX_BYTES)
    except files.UploadRefused as exc:
        raise forms.ValidationError(exc.detail, code=exc.code) from exc
    return upload


class EvidenceForm(forms.Form):
    file = _evidence_file_field()
    description = forms.CharField(label=_("What it shows"), max_length=300, required=False)

    def clean_file(self):
        return _evidence_file_clean(self.cleaned_data["file"])


class ConfirmForm(forms.Form):
    """An explicit yes to a step that cannot be undone: the confirm button of the page's dialog or,
    without JavaScript, the ticked box beside the button (trustplatform/ui/templates/ui/confirm.html)."""

    confirmed = forms.BooleanField(
        error_messages={"required": _("Nothing was done: confirm it in the dialog, or tick the box, first.")}
    )


class AcceptForm(ConfirmForm):
    terms_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)


class DisputeAnswerForm(forms.Form):
    """The other side's answer to a dispute: what they say, and a file that backs it if they have one."""

    description = forms.CharField(
        label=_("Your answer"),
        max_length=300,
        error_messages={"required": _("Write your answer to the dispute.")},
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
        help_text=_("The agent deciding the dispute reads it with the evidence. Words alone are an answer; "
                    "at most 300 characters."),
    )
    file = _evidence_file_field(required=False, label=_("File (optional)"))

    def clean_file(self):
        return _evidence_file_clean(self.cleaned_data.get("file"))


class PayForm(forms.Form):
    method = forms.ChoiceField(
        label=_("How do you want to pay?"),
        choices=Payment.Method.choices,
        initial=Payment.Method.CARD,
        widget=forms.RadioSelect,
    )
    use_safe_number = SafeNumberField()


class DisputeForm(forms.Form):
    reasons = forms.CharField(
        label=_("What went wrong?"),
        error_messages={"required": _("Say what went wrong.")},
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The money stays frozen until an agent decides. Say what happened and what you ask for."),
    )
    file = _evidence_file_field(required=False)

    def clean_file(self):
        return _evidence_file_clean(self.cleaned_data.get("file"))


class ClaimForm(forms.Form):
    accident = forms.ChoiceField(label=_("What happened?"), choices=GuaranteeClaim.Accident.choices)
    description = forms.CharField(
        label=_("Details"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    amount_krw = WonField(label=_("Amount you claim (won)"))
    file = _evidence_file_field(required=False)

    def clean_file(self):
        return _evidence_file_clean(self.cleaned_data.get("file"))


class ProposeForm(forms.Form):
    template = forms.ChoiceField(
        label=_("Kind of agreement"),
        choices=EscrowAgreement.Template.choices,
        initial=EscrowAgreement.Template.RENTAL_DEPOSIT,
    )
    payer_email = forms.EmailField(
        label=_("Payer's email"),
        help_text=_("The tenant or customer who pays. Without an Ansim account yet, we email them an "
                    "invitation, and the agreement waits for them to sign up with this address."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    amount_krw = WonField(label=_("Amount (won)"))
    property_address = forms.CharField(label=_("Property address"), max_length=200, required=False)
    move_in_date = forms.DateField(
        label=_("Move-in date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For a rental deposit: the money is not released before this day."),
    )
    notes = forms.CharField(
        label=_("Other terms"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner = partner

    def clean_payer_email(self):
        email = self.cleaned_data["payer_email"]
        # Only the business's own members are refused here (it knows them); whether anyone else has an
        # account is never said: escrow/services/invitations.py.
        payer = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if payer is not None and is_member(user=payer, partner=self.partner):
            raise forms.ValidationError(
                _("The payer cannot be a member of your own business."), code="payer_is_member"
            )
        return email

    def clean(self):
        data = super().clean()
        if data.get("template") == EscrowAgreement.Template.RENTAL_DEPOSIT:
            if not data.get("property_address"):
                self.add_error("property_address", _("A rental deposit needs the property's address."))
            move_in = data.get("move_in_date")
            if move_in is None and "move_in_date" not in self.errors:
                self.add_error("move_in_date", _("A rental deposit needs the move-in date."))
            elif move_in is not None and move_in < timezone.localdate():
                self.add_error("move_in_date", _("The move-in date has already passed."))
        return data
