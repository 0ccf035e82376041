"""Helpers shared by the escrow services: errors, accounts of an agreement, who is who."""

from django.conf import settings
from django.utils.translation import gettext as _

from escrow.models import EscrowAgreement
from trustplatform.errors import Conflict, DomainError, Forbidden, NotFound
from trustplatform.ledger.models import LedgerAccount
from trustplatform.ledger.services import account_open
from trustplatform.partners.roles import PartnerAction, partner_action_require
from trustplatform.partners.selectors import is_member


class EscrowError(DomainError):
    pass


class EscrowNotFound(EscrowError, NotFound):
    """An EscrowError that asks for something that is not there or not theirs (404)."""


class EscrowConflict(EscrowError, Conflict):
    """An EscrowError that is refused by the current state of things (409)."""


class EscrowForbidden(EscrowError, Forbidden):
    """An EscrowError that is not allowed to this person (403)."""


def holding_account(agreement: EscrowAgreement) -> LedgerAccount:
    return account_open(
        code=agreement.holding_code,
        name=f"Held in trust: agreement #{agreement.pk}",
        kind=LedgerAccount.Kind.HOLDING,
    )


def fee_of(amount_krw: int) -> int:
    return amount_krw * settings.ESCROW_FEE_BPS // 10_000


def side_of(*, user, agreement: EscrowAgreement) -> str | None:
    """'payer', 'payee' (a member of the payee partner), 'broker' (a member of the agreement's
    brokerage) or None."""
    # An agreement still waiting for its payer's sign-up has none: nobody (not even pk None) is it.
    if agreement.payer_id is not None and user.pk == agreement.payer_id:
        return "payer"
    if is_member(user=user, partner=agreement.payee_id, approved=True):
        return "payee"
    if agreement.broker_id and is_member(user=user, partner=agreement.broker_id, approved=True):
        return "broker"
    return None


def require_side(*, user, agreement: EscrowAgreement, sides=("payer", "payee"),
                 action: PartnerAction | None = None) -> str:
    """The user's side of the agreement, refused when it is not one of `sides`; on a partner's side
    (payee, broker) their role there must also allow `action` (trustplatform.partners.roles)."""
    side = side_of(user=user, agreement=agreement)
    if side == "broker" and side not in sides:
        # The broker sees the agreement but may only confirm its own conditions.
        raise EscrowForbidden(
            _("The broker of a deal can confirm its conditions but cannot accept, pay, release or "
              "dispute it; the tenant and the landlord do that."),
            code="broker_not_a_party",
        )
    if side not in sides:
        # Not a party: the agreement does not exist for this user.
        raise EscrowNotFound(_("No such agreement."))
    if action is not None and side in ("payee", "broker"):
        partner_action_require(actor=user, partner=agreement.payee if side == "payee" else agreement.broker,
                               action=action)
    return side


def require_perm(actor, perm: str) -> None:
    if not actor.has_perm(perm):
        raise EscrowForbidden(_("You are not allowed to do this."))


def lock_agreement(agreement_id: int) -> EscrowAgreement:
    """SELECT ... FOR UPDATE on the agreement: every money movement of an agreement serialises here."""
    try:
        return EscrowAgreement.objects.select_for_update().get(pk=agreement_id)
    except EscrowAgreement.DoesNotExist as exc:
        raise EscrowNotFound(_("No such agreement.")) from exc
