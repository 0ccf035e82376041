"""Reading payments: what apps show their users about the money they paid."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from .models import Payment, Payout


def subject_payments(subject) -> QuerySet[Payment]:
    """Every payment opened for `subject`, newest first."""
    return Payment.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
    ).order_by("-created_at", "-pk")


def partner_payouts(partner) -> QuerySet[Payout]:
    return Payout.objects.filter(partner=partner).order_by("-created_at", "-pk")


def user_payouts(user) -> QuerySet[Payout]:
    """A consumer's withdrawals of their credit to their bank account, newest first."""
    return Payout.objects.filter(user=user).order_by("-created_at", "-pk")
