"""What a lodging partner's day holds, for the portal home: guests arriving and leaving today, double
bookings with other channels to resolve, guests who say they were turned away, calendars that stopped
importing."""

from django.urls import reverse
from django.utils.translation import gettext as _

from trustplatform.partners.agenda import AgendaItem, Section, agenda_provider
from trustplatform.partners.models import Partner
from trustplatform.partners.roles import PartnerAction

from . import selectors
from .feed_errors import feed_error_sentence
from .models import Booking, CalendarFeed, GuaranteeCase


@agenda_provider
def stays_today(*, partner, role, today) -> list[AgendaItem]:
    if partner.kind != Partner.Kind.LODGING:
        return []
    bookings = selectors.partner_bookings(partner=partner)
    items = []
    for booking in bookings.filter(check_in=today, status=Booking.Status.CONFIRMED):
        items.append(AgendaItem(
            section=Section.TODAY, kind="check_in", icon="calendar", tone="info",
            title=_("%(guest)s arrives today") % {"guest": booking.guest_name},
            detail=_("%(room)s · %(nights)s night(s) · booking %(code)s") % {
                "room": booking.room_type.name, "nights": booking.nights, "code": booking.code},
            url=reverse("bookings_portal:booking", args=[booking.code]),
            action=PartnerAction.STAY_RECORD,
        ))
    for booking in bookings.filter(
        check_out=today, status__in=[Booking.Status.CONFIRMED, Booking.Status.CHECKED_IN]
    ):
        items.append(AgendaItem(
            section=Section.TODAY, kind="check_out", icon="home", tone="info",
            title=_("%(guest)s leaves today") % {"guest": booking.guest_name},
            detail=_("%(room)s · booking %(code)s") % {"room": booking.room_type.name, "code": booking.code},
            url=reverse("bookings_portal:booking", args=[booking.code]),
            action=PartnerAction.STAY_RECORD,
        ))
    return items


@agenda_provider
def answers_owed(*, partner, role, today) -> list[AgendaItem]:
    if partner.kind != Partner.Kind.LODGING:
        return []
    items = []
    for conflict in selectors.partner_conflicts(partner=partner, open_only=True):
        items.append(AgendaItem(
            section=Section.ANSWER, kind="conflict", icon="alert", tone="danger",
            title=_("Double booking with %(channel)s") % {"channel": conflict.feed.name},
            detail=_("%(room)s · our guest's booking %(code)s") % {
                "room": conflict.booking.room_type.name, "code": conflict.booking.code},
            due=conflict.deadline, due_label=_("Resolve by"),
            url=reverse("bookings_portal:conflict", args=[conflict.pk]),
            action=PartnerAction.BOOKING_CANCEL,
        ))
    for case in selectors.partner_cases(partner=partner).filter(status=GuaranteeCase.Status.REPORTED):
        items.append(AgendaItem(
            section=Section.ANSWER, kind="refusal", icon="shield", tone="danger",
            title=_("A guest says you turned them away"),
            detail=_("%(room)s · booking %(code)s") % {
                "room": case.booking.room_type.name, "code": case.booking.code},
            due=case.respond_by, due_label=_("Answer by"),
            url=reverse("bookings_portal:refusal", args=[case.pk]),
            action=PartnerAction.BOOKING_CANCEL,
        ))
    for feed in selectors.partner_feeds(partner=partner).filter(state=CalendarFeed.State.FAILING):
        items.append(AgendaItem(
            section=Section.ANSWER, kind="feed", icon="calendar", tone="warn",
            title=_("The %(channel)s calendar of %(room)s is not importing") % {
                "channel": feed.name, "room": feed.room_type.name},
            detail=feed_error_sentence(feed.last_error),
            url=reverse("bookings_portal:feeds") + f"#feed-{feed.pk}",
            action=PartnerAction.FEED_IMPORT,
        ))
    return items
