"""How the payer and the payee reach each other about a funded agreement: through a safe number
(masking) opened when the money arrives, or, when the payer said so at the pay step, the payee is given
the payer's own number. Shown only while the deal runs (funded or disputed)."""

import logging
from dataclasses import dataclass
from datetime import timedelta

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from escrow.models import EscrowAgreement
from masking import selectors as masking_selectors
from masking import services as masking
from trustplatform.partners.selectors import partner_owner_phone

from .common import lock_agreement

logger = logging.getLogger(__name__)

RUNNING = (EscrowAgreement.Status.FUNDED, EscrowAgreement.Status.DISPUTED)


@dataclass(frozen=True)
class Contact:
    use_safe_number: bool
    # What this side dials to reach the other: a safe number, the payer's own number (the payee's side,
    # when the payer declined a safe number), or "" (none yet, or nothing to dial on this side).
    number: str


def safe_number_choose(*, agreement: EscrowAgreement, use_safe_number: bool | None) -> bool:
    """Record the payer's answer at the pay step (None: their remembered one); returns it."""
    return masking.choice_record(user=agreement.payer, subject=agreement, use_safe_number=use_safe_number)


def payer_uses_safe_number(agreement: EscrowAgreement) -> bool:
    return masking_selectors.safe_number_chosen(subject=agreement, user=agreement.payer_id)


def safe_number_open(*, agreement_id: int) -> None:
    """After funding: a safe number between the payer and the payee for MASKING_MAX_SESSION_DAYS, unless
    the payer declined one or one is open already. Locks the agreement, so two runs open one session;
    a payer without a verified number or a payee without a phone on file gets none (logged)."""
    with transaction.atomic():
        agreement = lock_agreement(agreement_id)
        if agreement.status not in RUNNING or not payer_uses_safe_number(agreement):
            return
        if masking_selectors.subject_session(subject=agreement) is not None:
            return
        payer, payee_phone = agreement.payer, partner_owner_phone(partner=agreement.payee)
        if not (payer.phone and payer.phone_verified and payee_phone):
            logger.info("no safe number for agreement %s: a side has no verified number", agreement.pk)
            return
        # Just inside masking's limit: `session_open` refuses a window that ends after it.
        expires_at = timezone.now() + timedelta(days=settings.MASKING_MAX_SESSION_DAYS, minutes=-1)
        try:
            with transaction.atomic():
                masking.session_open(
                    consumer=masking.Party(phone=payer.phone, label=payer.full_name or _("Customer"),
                                           user=payer),
                    business=masking.Party(phone=payee_phone, label=agreement.payee.name),
                    expires_at=expires_at, partner=agreement.payee, subject=agreement,
                )
        except masking.MaskingError as exc:
            logger.info("no safe number for agreement %s yet: %s", agreement.pk, exc.code)


def agreement_contact(*, agreement: EscrowAgreement, side: str) -> Contact | None:
    """What the payer or the payee dials to reach the other while the deal runs; None otherwise."""
    if side not in ("payer", "payee") or agreement.payer_id is None or agreement.status not in RUNNING:
        return None
    if not payer_uses_safe_number(agreement):
        phone = agreement.payer.phone if side == "payee" else ""
        return Contact(use_safe_number=False, number=_national(phone) if phone else "")
    session = masking_selectors.subject_session(subject=agreement)
    if session is None:
        return Contact(use_safe_number=True, number="")
    dial = masking_selectors.consumer_dial if side == "payer" else masking_selectors.business_dial
    return Contact(use_safe_number=True, number=dial(session=session) or "")


def _national(e164: str) -> str:
    return phonenumbers.format_number(phonenumbers.parse(e164, "KR"), phonenumbers.PhoneNumberFormat.NATIONAL)
