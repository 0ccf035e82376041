"""Reads of the questions: a consumer's own, and the agents who may answer them."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet

from .models import Inquiry


def inquiries_of(*, user) -> QuerySet[Inquiry]:
    """The person's own questions, the latest conversation first."""
    return Inquiry.objects.filter(requester=user).order_by("-last_message_at", "-id")


def agents() -> QuerySet:
    """Active staff who may answer questions (through a group, directly, or as superusers)."""
    permission = Permission.objects.filter(content_type__app_label="support", codename="answer_inquiry")
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(
            Q(is_superuser=True) | Q(groups__permissions__in=permission) | Q(user_permissions__in=permission)
        )
        .distinct()
        .order_by("full_name", "email")
    )
