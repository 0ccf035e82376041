"""Safe numbers (안심번호): a pool of proxy numbers, sessions between two people, what they did.

Real numbers live only in `Participant.phone` (encrypted) and in the encrypted relay answers of
`Interaction`; both are erased when the session is scrubbed. Everything else holds masked hints
or HMAC blind indexes.
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from trustplatform.fields import EncryptedTextField

from .constraints import PostgresExclusionConstraint, TsTzRange

E164_REGEX = r"^\+[1-9][0-9]{6,14}$"


class ProxyNumber(ConcurrentTransitionMixin, models.Model):
    """A virtual number of the pool. Allocation takes the lowest-numbered free one first."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    e164 = models.CharField(_("number"), max_length=16, unique=True,
                            help_text=_("E.164, e.g. +82505 1234 5678 without spaces."))
    note = models.CharField(_("note"), max_length=100, blank=True)
    status = FSMField(_("status"), default=Status.ACTIVE, choices=Status.choices, protected=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("proxy number")
        verbose_name_plural = _("proxy numbers")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(e164__regex=E164_REGEX), name="masking_proxy_e164"),
        ]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        from .numbers import format_number

        return format_number(self.e164)

    @transition(field=status, source=Status.ACTIVE, target=Status.RETIRED,
                permission="masking.change_proxynumber", custom={"label": _("Retire")})
    def retire(self, *, by=None, reason: str = "") -> None:
        """Taken out of allocation; sessions holding it keep it until they end."""

    @transition(field=status, source=Status.RETIRED, target=Status.ACTIVE,
                permission="masking.change_proxynumber", custom={"label": _("Put back in use")})
    def reactivate(self, *, by=None, reason: str = "") -> None:
        pass


class MaskedSession(ConcurrentTransitionMixin, models.Model):
    """Two people who may reach each other only through proxy numbers, until `expires_at`."""

    class Mode(models.TextChoices):
        VOICE = "voice", _("Calls")
        SMS = "sms", _("Texts")
        BOTH = "both", _("Calls and texts")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        SCRUBBED = "scrubbed", _("Erased")

    class CloseReason(models.TextChoices):
        EXPIRED = "expired", _("Expired")
        COMPLETED = "completed", _("Completed")
        REVOKED = "revoked", _("Revoked by staff")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partner = models.ForeignKey("partners.Partner", verbose_name=_("partner"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="masked_sessions")
    # The order, booking, listing enquiry or agreement; partners' own ids have no content type.
    subject_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    subject_id = models.CharField(_("subject"), max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    mode = models.CharField(_("mode"), max_length=5, choices=Mode.choices, default=Mode.BOTH)
    status = FSMField(_("status"), default=Status.OPEN, choices=Status.choices, protected=True)
    close_reason = models.CharField(_("closed because"), max_length=10, choices=CloseReason.choices,
                                    blank=True)
    opens_at = models.DateTimeField(_("opens"))
    expires_at = models.DateTimeField(_("expires"))
    # When it stopped being usable: closing time, or expires_at for an expired session.
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    scrubbed_at = models.DateTimeField(_("erased"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("safe-number session")
        verbose_name_plural = _("safe-number sessions")
        ordering = ["-created_at", "-id"]
        permissions = [("revoke_maskedsession", _("Can revoke safe-number sessions"))]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=F("opens_at")),
                                   name="masking_session_expires_after_opens"),
            models.CheckConstraint(
                condition=(Q(status="open", close_reason="", ended_at__isnull=True)
                           | (~Q(status="open") & ~Q(close_reason="") & Q(ended_at__isnull=False))),
                name="masking_session_closed_has_reason"),
            models.CheckConstraint(
                condition=Q(status="scrubbed", scrubbed_at__isnull=False)
                | (~Q(status="scrubbed") & Q(scrubbed_at__isnull=True)),
                name="masking_session_scrubbed_has_time"),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="masking_session_sweep"),
            models.Index(fields=["status", "ended_at"], name="masking_session_scrub"),
            models.Index(fields=["partner", "status", "created_at"], name="masking_session_partner"),
        ]

    def __str__(self) -> str:
        return _("Safe-number session #%(id)s") % {"id": self.pk}

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def allows(self, kind: str) -> bool:
        return self.mode == self.Mode.BOTH or self.mode == kind

    @transition(field=status, source=Status.OPEN, target=Status.CLOSED,
                custom={"label": _("Expire"), "admin": False})
    def expire(self, *, by=None, reason: str = "", at=None) -> None:
        self.close_reason = self.CloseReason.EXPIRED
        self.ended_at = at

    @transition(field=status, source=Status.OPEN, target=Status.CLOSED,
                custom={"label": _("Complete")})
    def complete(self, *, by=None, reason: str = "", at=None) -> None:
        self.close_reason = self.CloseReason.COMPLETED
        self.ended_at = at

    @transition(field=status, source=Status.OPEN, target=Status.CLOSED,
                permission="masking.revoke_maskedsession",
                custom={"label": _("Revoke"), "form": "masking.forms.ReasonForm"})
    def revoke(self, *, by=None, reason: str = "", at=None) -> None:
        self.close_reason = self.CloseReason.REVOKED
        self.ended_at = at

    @transition(field=status, source=Status.CLOSED, target=Status.SCRUBBED,
                custom={"label": _("Erase numbers"), "admin": False})
    def scrub(self, *, by=None, reason: str = "", at=None) -> None:
        self.scrubbed_at = at


class Participant(models.Model):
    """One side of a session and the proxy number *they* dial to reach the other side.

    The number is held over `[held_from, holds_until)`: from opening to the end of the cool-off.
    """

    class Side(models.TextChoices):
        CONSUMER = "consumer", _("Consumer")
        BUSINESS = "business", _("Business")

    session = models.ForeignKey(MaskedSession, on_delete=models.CASCADE, related_name="participants")
    side = models.CharField(_("side"), max_length=8, choices=Side.choices)
    label = models.CharField(_("shown as"), max_length=60)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="masked_participations")
    phone = EncryptedTextField(_("real number"), blank=True)
    # NULL once erased: NULLs never conflict in the exclusion constraint below.
    phone_index = models.CharField(max_length=64, null=True, blank=True, editable=False)
    phone_hint = models.CharField(_("real number"), max_length=20, blank=True)
    proxy_number = models.ForeignKey(ProxyNumber, verbose_name=_("dials"), on_delete=models.PROTECT,
                                     related_name="participants")
    held_from = models.DateTimeField()
    holds_until = models.DateTimeField()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        # session_id, not session: ordering by the relation would join sessions to sort by their order.
        ordering = ["session_id", "side"]
        constraints = [
            models.UniqueConstraint(fields=["session", "side"], name="masking_participant_one_per_side"),
            models.CheckConstraint(condition=Q(holds_until__gt=F("held_from")),
                                   name="masking_participant_hold_positive"),
            # The Twilio rule: one person never holds one proxy number twice while open or cooling.
            PostgresExclusionConstraint(
                name="masking_participant_number_once",
                expressions=[
                    ("phone_index", RangeOperators.EQUAL),
                    ("proxy_number", RangeOperators.EQUAL),
                    (TsTzRange("held_from", "holds_until"), RangeOperators.OVERLAPS),
                ],
                condition=Q(phone_index__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["phone_index", "proxy_number", "holds_until"], name="masking_part_route"),
            models.Index(fields=["holds_until"], name="masking_part_holds"),
        ]

    def __str__(self) -> str:
        return f"{self.label} → {self.proxy_number_id}"

    @property
    def is_erased(self) -> bool:
        return self.phone_index is None


# Calls and texts that reached no session but still hold a trace of the caller's number.
UNROUTED_TRACES = Q(session__isnull=True) & (~Q(caller_hint="") | ~Q(request_digest=""))


class Interaction(models.Model):
    """A call, text, status text or click-to-call. Provider events are unique by (provider, sid)."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        TEXT = "text", _("Text")
        STATUS_TEXT = "status_text", _("Status text")
        CLICK_TO_CALL = "click_to_call", _("Click-to-call")

    class Outcome(models.TextChoices):
        CONNECTED = "connected", _("Connected")
        RELAYED = "relayed", _("Relayed")
        NOT_IN_USE = "not_in_use", _("Refused: number not in use")
        BLOCKED = "blocked", _("Refused: blocked")
        LIMITED = "limited", _("Refused: too many")
        WRONG_MODE = "wrong_mode", _("Refused: not allowed in this session")
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        RINGING = "ringing", _("Ringing the business")
        BRIDGED = "bridged", _("Bridged")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.CharField(_("provider"), max_length=20)
    sid = models.CharField(_("provider id"), max_length=64, null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    inbound = models.BooleanField(_("inbound"))
    session = models.ForeignKey(MaskedSession, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="interactions")
    caller = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    callee = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    caller_hint = models.CharField(_("from"), max_length=20, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    # HMAC of the signed request: a repeat must be the same request to get the first answer.
    request_digest = models.CharField(max_length=64, blank=True)
    # What we answered or send; holds real numbers, so encrypted and erased with the session.
    response = EncryptedTextField(blank=True)
    body = EncryptedTextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "sid"], name="masking_interaction_event_once"),
        ]
        indexes = [
            models.Index(fields=["kind", "outcome", "created_at"], name="masking_inter_queue"),
            # The hourly sweep that erases those traces a day later reads only these rows.
            models.Index(fields=["created_at"], name="masking_inter_unrouted", condition=UNROUTED_TRACES),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_outcome_display()})"


class Block(models.Model):
    """Calls and texts from `blocked` to `owner` are refused, in every session, until removed."""

    owner_index = models.CharField(max_length=64)
    blocked_index = models.CharField(max_length=64)
    blocked_label = models.CharField(_("blocked"), max_length=60)
    blocked_hint = models.CharField(_("blocked number"), max_length=20, blank=True)
    session = models.ForeignKey(MaskedSession, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("blocked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["owner_index", "blocked_index"], name="masking_block_once"),
        ]
        indexes = [models.Index(fields=["blocked_index", "owner_index"], name="masking_block_lookup")]

    def __str__(self) -> str:
        return _("Block of %(label)s") % {"label": self.blocked_label}


class Preference(models.Model):
    """A consumer's last answer to "use a safe number?", offered as the default next time."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="safe_number_preference")
    use_safe_number = models.BooleanField(_("use a safe number"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("safe-number preference")
        verbose_name_plural = _("safe-number preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.use_safe_number}"


class CheckoutChoice(models.Model):
    """What a consumer answered at one checkout-like step (a booking, a deposit, a listing enquiry): a
    safe number, or their own number given to the business. A deal without one uses a safe number."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    subject_id = models.CharField(_("subject"), max_length=64)
    use_safe_number = models.BooleanField(_("use a safe number"))
    chosen_at = models.DateTimeField(_("chosen at"), auto_now=True)

    class Meta:
        verbose_name = _("safe-number choice")
        verbose_name_plural = _("safe-number choices")
        constraints = [
            # One answer per person and deal: answering again replaces it.
            models.UniqueConstraint(fields=["subject_type", "subject_id", "user"],
                                    name="masking_choice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.subject_type_id}:{self.subject_id}: {self.use_safe_number}"
