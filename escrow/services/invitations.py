"""Agreements a business proposes to an email address, and the payer they wait for.

A proposal is answered the same way whether or not an account uses the address: the same answer,
the same fingerprint (it binds the address, not an account), and pages that show the business the
address it typed until the payer accepts (EscrowAgreement.payer_known). With an account, the
agreement is the account's at once and its owner is told in the app; without one it waits with no
payer, the address is told by email, and the account whose sign-up link proves the address gets it
(agreements_payer_attach, on accounts' user_signed_up). An agreement with no payer is seen by the
business that proposed it and by staff only: every payer's page and API asks for payer = the person.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from escrow.models import EscrowAgreement
from trustplatform.notifications.services import message_enqueue
from trustplatform.partners.models import Partner

from .agreements import agreement_create, agreement_propose, payer_notify


def agreement_offer(*, created_by, payee: Partner, payer_email: str, template: str, title: str,
                    amount_krw: int, property_address: str = "", conditions: list[dict] | None = None,
                    notes: str = "") -> EscrowAgreement:
    """A business's agreement, made and proposed to the person who reads `payer_email`: the account
    using it pays, else the first account that proves it at sign-up. EscrowError as agreement_create."""
    payer_email = get_user_model().objects.normalize_email(payer_email).strip().lower()
    payer = get_user_model().objects.filter(email__iexact=payer_email, is_active=True).first()
    with transaction.atomic():
        agreement = agreement_create(
            created_by=created_by, payer=payer, payer_email=payer_email, payee=payee, template=template,
            title=title, amount_krw=amount_krw, property_address=property_address, conditions=conditions,
            notes=notes,
        )
        agreement = agreement_propose(agreement=agreement, actor=created_by)
        if payer is None:
            _address_invite(agreement)
    return agreement


def _address_invite(agreement: EscrowAgreement) -> None:
    """Email the address an agreement waits for. Platform words only (the business's name, which staff
    approved, and the amount; never its title or notes): the business chooses the address."""
    # No account, so no language of its own: the platform's.
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "business": agreement.payee.name,
            "amount": f"{agreement.amount_krw:,}",
            "date": formats.date_format(timezone.localtime(agreement.fund_by), "DATE_FORMAT"),
            "url": f"{settings.SITE_URL}{reverse('accounts:signup')}",
        }
        subject = _("%(business)s proposed an escrow agreement to you on Ansim") % values
        body = _(
            "%(business)s proposed an agreement to you on Ansim: ₩%(amount)s held in trust until the "
            "conditions you both accept are met.\n\nTo read its terms, sign up to Ansim with this email "
            "address by %(date)s: %(url)s\n\nIf you do not know %(business)s, ignore this email: nothing "
            "happens unless you accept."
        ) % values
    message_enqueue(channel="email", to=agreement.payer_email, subject=subject, body=body,
                    key=f"escrow-invitation:{agreement.pk}")


def agreements_payer_attach(*, user) -> list[int]:
    """Make `user`, whose sign-up link just proved their address, the payer of the agreements still
    proposed to it with no payer, and tell them in the app; the ids. (A new account belongs to no
    business, so it is never the payer of its own.) Locks those agreements."""
    with transaction.atomic():
        waiting = list(
            EscrowAgreement.objects.select_for_update()
            .filter(payer__isnull=True, payer_email__iexact=user.email,
                    status=EscrowAgreement.Status.PROPOSED)
            .order_by("pk")
        )
        for agreement in waiting:
            EscrowAgreement.objects.filter(pk=agreement.pk).update(payer=user)
            agreement.payer = user
            payer_notify(agreement=agreement)
    return [agreement.pk for agreement in waiting]
