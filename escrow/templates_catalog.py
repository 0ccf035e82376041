"""The agreement templates: the conditions and milestones each kind of deal starts with."""

from django.utils.translation import gettext_lazy as _

from escrow.models import Condition, EscrowAgreement, Milestone

RENTAL_CONDITIONS = [
    {"kind": Condition.Kind.COUNTERPARTY, "label": _("Keys handed over to the tenant"), "confirmer": "payer"},
    {
        "kind": Condition.Kind.DOCUMENT,
        "label": _("Move-in report (전입신고) and fixed date (확정일자) accepted"),
    },
    {"kind": Condition.Kind.REGISTRY, "label": _("No new lien or change of owner in the property registry")},
    {"kind": Condition.Kind.DATE, "label": _("Move-in date reached")},
]

# A deal arranged by a brokerage also waits for the broker to confirm the lease was signed; the broker
# confirms, but the deposit is never theirs.
BROKER_CONDITIONS = [
    {
        "kind": Condition.Kind.COUNTERPARTY,
        "label": _("Lease signed and the property explained to the tenant (중개대상물 확인·설명), "
                   "confirmed by the broker"),
        "confirmer": "broker",
    },
]

# Share of the contract amount per renovation milestone, in percent; the rest goes to the retention.
RENOVATION_SPLIT = [
    (Milestone.Kind.DOWN_PAYMENT, 30),
    (Milestone.Kind.INTERIM, 30),
    (Milestone.Kind.COMPLETION, 30),
    (Milestone.Kind.RETENTION, 10),
]


# A custom deal is released when the payer says it was done as agreed, unless other conditions are set.
CUSTOM_CONDITIONS = [
    {"kind": Condition.Kind.COUNTERPARTY, "label": _("The payer confirms the deal was done as agreed"),
     "confirmer": "payer"},
]


def default_conditions(template: str, *, brokered: bool = False) -> list[dict]:
    if template == EscrowAgreement.Template.RENTAL_DEPOSIT:
        return [dict(item) for item in RENTAL_CONDITIONS + (BROKER_CONDITIONS if brokered else [])]
    if template == EscrowAgreement.Template.CUSTOM:
        return [dict(item) for item in CUSTOM_CONDITIONS]
    return []


def default_milestones(template: str, amount_krw: int) -> list[dict]:
    if template != EscrowAgreement.Template.RENOVATION:
        return []
    parts = [{"kind": kind, "amount_krw": amount_krw * share // 100} for kind, share in RENOVATION_SPLIT]
    # Whole won: rounding leftovers go to the completion payment, so the parts add up exactly.
    parts[2]["amount_krw"] += amount_krw - sum(part["amount_krw"] for part in parts)
    return parts
