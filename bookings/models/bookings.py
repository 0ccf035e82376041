"""A guest's stay and its lifecycle; its payments are the platform payments module's."""

import builtins  # a field is named "property": the decorator is spelled in full
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from trustplatform.fields import EncryptedTextField

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def booking_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


class Booking(ConcurrentTransitionMixin, models.Model):
    """Rooms held on our inventory for a guest, from check-in to check-out (nights: [in, out))."""

    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("Waiting for payment")
        CONFIRMED = "confirmed", pgettext_lazy("booking", "Confirmed")
        CHECKED_IN = "checked_in", _("Checked in")
        COMPLETED = "completed", _("Completed")
        CANCELLED_BY_GUEST = "cancelled_by_guest", _("Cancelled by the guest")
        CANCELLED_BY_PROPERTY = "cancelled_by_property", _("Cancelled by the property")
        NO_SHOW = "no_show", _("No-show")
        EXPIRED = "expired", _("Expired unpaid")

    class Source(models.TextChoices):
        GUEST = "guest", _("Booked by the guest")
        GUARANTEE = "guarantee", _("Rebooked by the guarantee")

    # Statuses whose nights count as sold on our inventory.
    HOLDS_ROOM = (Status.PENDING_PAYMENT, Status.CONFIRMED, Status.CHECKED_IN)

    code = models.CharField(
        _("booking number"), max_length=12, unique=True, default=booking_code, editable=False
    )
    guest = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("guest"), on_delete=models.PROTECT, related_name="stays"
    )
    property = models.ForeignKey(
        "Property", verbose_name=_("property"), on_delete=models.PROTECT, related_name="bookings"
    )
    room_type = models.ForeignKey(
        "RoomType", verbose_name=_("room type"), on_delete=models.PROTECT, related_name="bookings"
    )
    check_in = models.DateField(_("check-in"))
    check_out = models.DateField(_("check-out"))
    guests = models.PositiveSmallIntegerField(_("guests"), default=2)
    price_total_krw = models.PositiveIntegerField(_("total price (KRW)"))
    # What the guest pays; a guarantee rebooking keeps the guest's original price.
    guest_paid_krw = models.PositiveIntegerField(_("paid by the guest (KRW)"), default=0)
    status = FSMField(_("status"), default=Status.PENDING_PAYMENT, choices=Status.choices, protected=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.GUEST)
    guest_name = models.CharField(_("guest name"), max_length=100)
    guest_phone = EncryptedTextField(_("guest's mobile number"), blank=True)
    must_have = models.JSONField(_("must-have amenities"), default=list, blank=True)
    hold_expires_at = models.DateTimeField(_("hold expires"), null=True, blank=True)
    masked_session = models.ForeignKey(
        "masking.MaskedSession", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A rebooking made by the guarantee points to the case it serves.
    guarantee_case = models.ForeignKey(
        "GuaranteeCase", null=True, blank=True, on_delete=models.PROTECT, related_name="rebookings"
    )
    # The guest's payments for the stay (the platform's payments module).
    payments = GenericRelation(
        "payments.Payment", content_type_field="subject_type", object_id_field="subject_id",
        related_query_name="booking",
    )
    cancel_reason = models.CharField(_("cancellation reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # The end of a stay (services/stay_marks.py): when the guest arrived, when the stay was completed
    # or marked a no-show (a no-show's dispute window runs from then), whether nobody marked it and
    # the platform completed it, and when the money held for it left the trust account.
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("completed or marked a no-show at"), null=True, blank=True)
    completed_automatically = models.BooleanField(_("completed automatically"), default=False)
    settled_at = models.DateTimeField(_("paid out of trust at"), null=True, blank=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(check_out__gt=F("check_in")), name="bookings_booking_dates"),
            models.CheckConstraint(condition=Q(guests__gte=1), name="bookings_booking_guests"),
            models.CheckConstraint(condition=Q(price_total_krw__gt=0), name="bookings_booking_price"),
        ]
        indexes = [
            models.Index(fields=["status", "hold_expires_at"], name="bookings_booking_holds"),
            models.Index(fields=["room_type", "check_in"], name="bookings_booking_rt_in"),
            models.Index(fields=["property", "-created_at"], name="bookings_booking_prop"),
            # The sweep that finishes stays nobody marked, and settles no-shows after their window.
            models.Index(fields=["status", "check_out"], name="bookings_booking_due"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.room_type} {self.check_in}→{self.check_out}"

    @builtins.property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days

    @builtins.property
    def holds_room(self) -> bool:
        return self.status in self.HOLDS_ROOM

    @builtins.property
    def no_show_dispute_ends_at(self):
        """Until when the guest may dispute a no-show (its money is held until then, or decided)."""
        if self.status != self.Status.NO_SHOW or self.finished_at is None:
            return None
        return self.finished_at + timedelta(hours=settings.BOOKINGS_NO_SHOW_DISPUTE_HOURS)

    @transition(
        field=status, source=Status.PENDING_PAYMENT, target=Status.CONFIRMED, custom={"label": _("Confirm")}
    )
    def confirm(self, *, by=None, reason: str = "", at=None) -> None:
        self.confirmed_at = at
        self.hold_expires_at = None

    @transition(field=status, source=Status.PENDING_PAYMENT, target=Status.EXPIRED)
    def expire(self, *, by=None, reason: str = "", at=None) -> None:
        self.cancelled_at = at

    @transition(
        field=status,
        source=[Status.PENDING_PAYMENT, Status.CONFIRMED],
        target=Status.CANCELLED_BY_GUEST,
        custom={"label": _("Cancel for the guest")},
    )
    def cancel_by_guest(self, *, by=None, reason: str = "", at=None) -> None:
        self.cancelled_at, self.cancel_reason = at, reason[:300]

    @transition(field=status, source=Status.CONFIRMED, target=Status.CANCELLED_BY_PROPERTY)
    def cancel_by_property(self, *, by=None, reason: str = "", at=None) -> None:
        self.cancelled_at, self.cancel_reason = at, reason[:300]

    @transition(
        field=status, source=Status.CONFIRMED, target=Status.CHECKED_IN, custom={"label": _("Check in")}
    )
    def check_in_guest(self, *, by=None, reason: str = "", at=None) -> None:
        self.checked_in_at = at

    # A stay nobody marked completes from confirmed too: the guest is presumed to have stayed.
    @transition(
        field=status,
        source=[Status.CONFIRMED, Status.CHECKED_IN],
        target=Status.COMPLETED,
        custom={"label": _("Complete")},
    )
    def complete(self, *, by=None, reason: str = "", at=None, automatically: bool = False) -> None:
        self.finished_at, self.completed_automatically = at, automatically

    @transition(field=status, source=Status.CONFIRMED, target=Status.NO_SHOW, custom={"label": _("No-show")})
    def mark_no_show(self, *, by=None, reason: str = "", at=None) -> None:
        self.finished_at = at

    # An agent found that the guest did stay (services/no_shows.py): the no-show becomes a stay.
    @transition(field=status, source=Status.NO_SHOW, target=Status.COMPLETED)
    def overturn_no_show(self, *, by=None, reason: str = "", at=None) -> None:
        pass
