"""Writes of the questions consumers send the agents' team.

A consumer asks (optionally about one of their own objects, see subjects.py) and may write back; the
agents are told; an agent assigns, answers (the consumer is told in the app and by text) and closes.
A person's messages are counted under a lock on their user row, so parallel sends cannot all slip
under SUPPORT_MESSAGES_PER_DAY. A state change locks the question's row (transition_run).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform.audit.services import audit_record
from trustplatform.notifications.services import Phrase, label_of, notification_send, staff_notify
from trustplatform.transitions import transition_run

from .errors import SupportConflict, SupportError, SupportNotFound
from .models import Inquiry, InquiryMessage
from .subjects import subject_find

MAX_MESSAGE_CHARS = 3000


def _text(message: str) -> str:
    text = (message or "").strip()
    if not text:
        raise SupportError(
            _("Write your message."), code="message_required", fields={"message": [_("Required.")]}
        )
    if len(text) > MAX_MESSAGE_CHARS:
        raise SupportError(
            _("Keep the message under %(n)s characters.") % {"n": f"{MAX_MESSAGE_CHARS:,}"},
            code="message_too_long",
            fields={"message": [_("Too long.")]},
        )
    return text


def _budget_spend(user) -> None:
    """Refuse past the day's messages; call inside the transaction that writes the message."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
    sent = InquiryMessage.objects.filter(
        author=user, from_staff=False, created_at__gte=timezone.now() - timedelta(days=1)
    ).count()
    if sent >= settings.SUPPORT_MESSAGES_PER_DAY:
        raise SupportError(
            _("You have sent the most messages allowed in a day. Try again tomorrow, or call us."),
            code="rate_limited",
            status=429,
        )


def _admin_url(inquiry: Inquiry) -> str:
    return reverse("admin:support_inquiry_change", args=[inquiry.pk])


def inquiry_open(*, user, category: str, message: str, about: str = "") -> Inquiry:
    """A consumer asks the agents' team, optionally about one of their own objects ("kind:id"); the
    agents are told. Locks the user's row to count the day's messages."""
    if category not in Inquiry.Category.values:
        raise SupportError(
            _("Choose what it is about."), code="invalid_category", fields={"category": [_("Unknown.")]}
        )
    text = _text(message)
    found = subject_find(user=user, about=about)
    with transaction.atomic():
        _budget_spend(user)
        inquiry = Inquiry.objects.create(
            requester=user,
            category=category,
            subject_type=ContentType.objects.get_for_model(found[1]) if found else None,
            subject_id=found[1].pk if found else None,
            subject_label=str(found[1])[:200] if found else "",
        )
        InquiryMessage.objects.create(inquiry=inquiry, author=user, body=text)
        audit_record(obj=inquiry, action="inquiry_opened", actor=user, extra={"about": about})
        staff_notify(
            group="agents",
            title=Phrase(
                gettext_lazy("New question #%(id)s: %(category)s"),
                {"id": inquiry.pk, "category": label_of(inquiry, "category")},
            ),
            body=text[:200],
            url=_admin_url(inquiry),
        )
    return inquiry


def inquiry_follow_up(*, inquiry: Inquiry, user, message: str) -> InquiryMessage:
    """The consumer writes again on their own question, which waits for an answer again; its agent
    (or, with none yet, every agent) is told. Locks the user's row, then the question's."""
    if inquiry.requester_id != user.pk:
        raise SupportNotFound(_("No such question."))
    text = _text(message)
    with transaction.atomic():
        _budget_spend(user)
        inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
        if inquiry.status == Inquiry.Status.CLOSED:
            raise SupportConflict(_("This question is closed: ask a new one."), code="inquiry_closed")
        if inquiry.status == Inquiry.Status.ANSWERED:
            inquiry = transition_run(instance=inquiry, name="reopen", actor=user, locked=True)
        reply = InquiryMessage.objects.create(inquiry=inquiry, author=user, body=text)
        Inquiry.objects.filter(pk=inquiry.pk).update(last_message_at=reply.created_at)
        title = Phrase(gettext_lazy("Question #%(id)s: the customer wrote again"), {"id": inquiry.pk})
        if inquiry.assignee_id:
            notification_send(user=inquiry.assignee, title=title, body=text[:200], url=_admin_url(inquiry))
        else:
            staff_notify(group="agents", title=title, body=text[:200], url=_admin_url(inquiry))
    return reply


def inquiry_reply(*, inquiry: Inquiry, actor, body: str) -> InquiryMessage:
    """An agent answers; the consumer is told in the app and by text. Locks the question's row."""
    text = _text(body)
    with transaction.atomic():
        inquiry = transition_run(instance=inquiry, name="answer", actor=actor, check_perm=True)
        reply = InquiryMessage.objects.create(inquiry=inquiry, author=actor, from_staff=True, body=text)
        Inquiry.objects.filter(pk=inquiry.pk).update(last_message_at=reply.created_at)
        notification_send(
            user=inquiry.requester,
            title=Phrase(gettext_lazy("The Ansim team answered your question #%(id)s"), {"id": inquiry.pk}),
            body=text,
            url=reverse("support:detail", args=[inquiry.pk]),
            sms_text=True,
            key=f"support:reply:{reply.pk}",
        )
    return reply


def inquiry_close(*, inquiry: Inquiry, actor, reason: str = "") -> Inquiry:
    """An agent closes the question; the consumer is told and may ask a new one."""
    with transaction.atomic():
        inquiry = transition_run(instance=inquiry, name="close", actor=actor, reason=reason, check_perm=True)
        notification_send(
            user=inquiry.requester,
            title=Phrase(gettext_lazy("Your question #%(id)s was closed"), {"id": inquiry.pk}),
            body=reason,
            url=reverse("support:detail", args=[inquiry.pk]),
        )
    return inquiry


def inquiry_assign(*, inquiry: Inquiry, actor, assignee) -> Inquiry:
    """Give the question to an agent (one who may answer); they are told unless they took it."""
    if not actor.has_perm("support.answer_inquiry"):
        raise SupportError(_("You are not allowed to do this."), code="forbidden", status=403)
    if assignee is not None and not (
        assignee.is_active and assignee.is_staff and assignee.has_perm("support.answer_inquiry")
    ):
        raise SupportError(
            _("Choose an agent who answers questions."),
            code="not_an_agent",
            fields={"assignee": [_("Not an agent.")]},
        )
    with transaction.atomic():
        inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
        if inquiry.assignee_id == getattr(assignee, "pk", None):
            return inquiry
        previous = inquiry.assignee_id
        Inquiry.objects.filter(pk=inquiry.pk).update(assignee=assignee)
        inquiry.assignee = assignee
        audit_record(
            obj=inquiry,
            action="inquiry_assigned",
            actor=actor,
            extra={"from": previous, "to": getattr(assignee, "pk", None)},
        )
        if assignee is not None and assignee.pk != actor.pk:
            notification_send(
                user=assignee,
                title=Phrase(gettext_lazy("Question #%(id)s was given to you"), {"id": inquiry.pk}),
                url=_admin_url(inquiry),
            )
    return inquiry
