"""Forms of the escrow pages: they turn what people type into clean values; the services decide."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trustplatform.forms import WonField
from trustplatform.partners.selectors import is_member
from trustplatform.payments.models import Payment

from .models import EscrowAgreement, GuaranteeClaim

# What evidence may be: documents and phone photos, recognised by their first bytes, not their name.
EVIDENCE_TYPES = {
    ".pdf": "pdf",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".png": "png",
    ".heic": "heic",
}


def _file_kind(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[4:8] == b"ftyp" and head[8:12] in {b"heic", b"heix", b"mif1", b"msf1"}:
        return "heic"
    return None


def _evidence_file_field(*, required: bool = True) -> forms.FileField:
    return forms.FileField(
        label=_("File"),
        required=required,
        help_text=_("PDF, JPEG, PNG or HEIC. We keep its SHA-256 fingerprint so it can never be swapped."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.heic"}),
    )


def _evidence_file_clean(upload):
    """Refuse what is too large or not really a document or photo (its first bytes must match its name)."""
    if not upload:
        return None
    limit = settings.ESCROW_EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise forms.ValidationError(
            _("The file is too large (at most %(mb)s MB).") % {"mb": limit // (1024 * 1024)},
            code="file_too_large",
        )
    expected = EVIDENCE_TYPES.get(Path(upload.name).suffix.lower())
    head = upload.read(16)
    upload.seek(0)
    if expected is None or _file_kind(head) != expected:
        raise forms.ValidationError(
            _("Upload a PDF, JPEG, PNG or HEIC file; this file is not one."), code="file_type"
        )
    return upload


class EvidenceForm(forms.Form):
    file = _evidence_file_field()
    description = forms.CharField(label=_("What it shows"), max_length=300, required=False)

    def clean_file(self):
        return _evidence_file_clean(self.cleaned_data["file"])


class AcceptForm(forms.Form):
    terms_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)


class PayForm(forms.Form):
    method = forms.ChoiceField(
        label=_("How do you want to pay?"),
        choices=Payment.Method.choices,
        initial=Payment.Method.CARD,
        widget=forms.RadioSelect,
    )


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
        help_text=_("The tenant or customer who pays. They need an Ansim account with this email."),
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
        payer = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if payer is None:
            raise forms.ValidationError(
                _("No Ansim account uses this email. Ask the payer to sign up first, then try again."),
                code="unknown_payer",
            )
        if is_member(user=payer, partner=self.partner):
            raise forms.ValidationError(
                _("The payer cannot be a member of your own business."), code="payer_is_member"
            )
        self.cleaned_data["payer"] = payer
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
