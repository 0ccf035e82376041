"""The nightly comparison of what the payment provider did with what the ledger says it did.

Each payment, refund and payout of the last `PAYMENTS_RECONCILE_DAYS` days, and every one still open,
is asked about at its provider: a payment the provider captured that we did not keep (or the other
way round), an amount that differs, cancellations we did not record or records the provider has no
cancellation for, a payout whose outcome differs. Finance is told of each; nothing is changed here
(fixing a difference is a person's decision, made with the provider's answer in front of them).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from trustplatform.notifications.services import Phrase, staff_notify

from .models import Payment, Payout, Refund
from .providers import ProviderError, get_provider, provider_enabled


@dataclass(frozen=True)
class Difference:
    kind: str  # payment, refund, payout
    reference: str  # the provider's id
    what: str
    ours: str
    theirs: str

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}: {self.what} (ledger: {self.ours}; provider: {self.theirs})"


def _payment_differences(payment: Payment, provider) -> list[Difference]:
    try:
        theirs = provider.payment_fetch(provider_payment_id=payment.provider_payment_id)
    except ProviderError as exc:
        return [
            Difference(
                "payment",
                payment.provider_payment_id,
                "the provider could not say",
                payment.status,
                str(exc)[:120],
            )
        ]
    captured = theirs.status in ("paid", "partially_cancelled") or (
        theirs.status == "cancelled" and theirs.cancelled_krw > 0
    )
    kept = payment.status in (Payment.Status.PAID, Payment.Status.REFUNDED)
    found = []
    if captured and not kept and payment.status != Payment.Status.CANCELLED:
        found.append(
            Difference(
                "payment",
                payment.provider_payment_id,
                "captured but not in the ledger",
                payment.status,
                theirs.status,
            )
        )
    if kept and not captured:
        found.append(
            Difference(
                "payment",
                payment.provider_payment_id,
                "in the ledger but not captured",
                payment.status,
                theirs.status,
            )
        )
    if kept and theirs.amount_krw != payment.amount_krw:
        found.append(
            Difference(
                "payment",
                payment.provider_payment_id,
                "amount differs",
                f"{payment.amount_krw:,}",
                f"{theirs.amount_krw:,}",
            )
        )
    if kept and theirs.cancelled_krw != payment.refunded_krw:
        open_refunds = (
            payment.refunds.filter(status=Refund.Status.REQUESTED).aggregate(total=Sum("amount_krw"))["total"]
            or 0
        )
        # A cancellation the provider made whose confirmation is on its way is not a difference yet.
        if not payment.refunded_krw <= theirs.cancelled_krw <= payment.refunded_krw + open_refunds:
            found.append(
                Difference(
                    "payment",
                    payment.provider_payment_id,
                    "cancelled amount differs",
                    f"{payment.refunded_krw:,}",
                    f"{theirs.cancelled_krw:,}",
                )
            )
    if payment.status == Payment.Status.CANCELLED and theirs.status in ("paid", "partially_cancelled"):
        # Paid after we could take it: the provider should have given it back whole.
        found.append(
            Difference(
                "payment",
                payment.provider_payment_id,
                "not taken but still captured",
                payment.status,
                theirs.status,
            )
        )
    return found


def _payout_differences(payout: Payout, provider) -> list[Difference]:
    try:
        facts = provider.payout_facts(provider_payout_id=payout.provider_payout_id)
    except ProviderError as exc:
        return [
            Difference(
                "payout",
                payout.provider_payout_id,
                "the provider could not say",
                payout.status,
                str(exc)[:120],
            )
        ]
    theirs = facts[-1].event_type.removeprefix("payout.") if facts else "requested"
    if theirs == payout.status:
        return []
    if payout.status == Payout.Status.REQUESTED and timezone.now() - payout.created_at < timedelta(hours=1):
        return []  # still on its way
    return [Difference("payout", payout.provider_payout_id, "outcome differs", payout.status, theirs)]


def payments_reconcile(*, notify: bool = False, days: int | None = None) -> list[Difference]:
    """Every difference between the providers' records and ours; with `notify`, finance is told."""
    since = timezone.now() - timedelta(days=days or settings.PAYMENTS_RECONCILE_DAYS)
    differences: list[Difference] = []
    providers = {}

    def provider_for(name):
        if name not in providers:
            providers[name] = get_provider(name) if provider_enabled(name) else None
        return providers[name]

    payments = (
        Payment.objects.filter(
            Q(created_at__gte=since)
            | Q(paid_at__gte=since)
            | Q(refunds__created_at__gte=since)
            | Q(status=Payment.Status.PENDING)
        )
        .distinct()
        .order_by("pk")
    )
    for payment in payments.iterator():
        provider = provider_for(payment.provider)
        if provider is not None and not payment.provider_payment_id.startswith("new-"):
            differences += _payment_differences(payment, provider)
    stale = timezone.now() - timedelta(hours=1)
    for refund in Refund.objects.filter(status=Refund.Status.REQUESTED, created_at__lte=stale).select_related(
        "payment"
    ):
        differences.append(
            Difference("refund", refund.provider_refund_id, "not confirmed after an hour", refund.status, "-")
        )
    for payout in Payout.objects.filter(
        Q(created_at__gte=since) | Q(status=Payout.Status.REQUESTED)
    ).order_by("pk"):
        provider = provider_for(payout.provider)
        if provider is not None:
            differences += _payout_differences(payout, provider)
    if notify and differences:
        staff_notify(
            group="finance",
            title=Phrase(
                gettext_lazy("%(count)s differences between the payment company and the ledger"),
                {"count": len(differences)},
            ),
            body="\n".join(str(difference) for difference in differences[:50])[:4000],
            url=reverse("admin:payments_payment_changelist"),
        )
    return differences
