"""The guarantee a guest calls in, under real parallel requests: a guest tapping many times opens one
case, and the property confirming at the moment its silence runs out starts the guarantee once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.errors import BookingError
from bookings.models import Booking, GuaranteeCase
from bookings.services import refusals
from tests.race import race
from trustplatform.audit.models import AuditEntry
from trustplatform.ledger.selectors import ledger_reconcile
from trustplatform.partners.models import Membership

from .factories import HAEUNDAE, PropertyFactory, RoomTypeFactory, confirmed_booking, fund_guarantee

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def booking(settings, eager_tasks):
    settings.BOOKINGS_AUTO_REBOOK_HOURS = 24 * 30
    fund_guarantee()
    RoomTypeFactory(
        property=PropertyFactory(latitude=HAEUNDAE[0], longitude=HAEUNDAE[1] + 0.003, rating="4.8"), grade=3
    )
    return confirmed_booking(RoomTypeFactory(property=PropertyFactory(), grade=2), days_ahead=0, nights=1)


def test_twenty_taps_at_once_open_one_case(booking):
    outcomes = race(lambda i: refusals.case_report(booking=booking, actor=booking.guest), 20)

    opened = [o for o in outcomes if isinstance(o, GuaranteeCase)]
    refused = [o for o in outcomes if isinstance(o, BookingError)]
    assert len(opened) == 1 and len(refused) == 19
    assert {e.code for e in refused} == {"case_open"}
    assert booking.guarantee_cases.count() == 1


def test_the_property_confirming_as_its_time_runs_out_starts_the_guarantee_once(booking):
    case = refusals.case_report(booking=booking, actor=booking.guest)
    GuaranteeCase.objects.filter(pk=case.pk).update(respond_by=timezone.now() - timedelta(seconds=1))
    owner = booking.property.partner.memberships.get(role=Membership.Role.OWNER).user

    def work(i):
        if i == 0:
            return refusals.case_property_confirm(case=case, actor=owner)
        return refusals.case_answer_lapse(case_id=case.pk)

    outcomes = race(work, 2)

    confirmed = [o for o in outcomes if isinstance(o, GuaranteeCase)]
    started = [o for o in outcomes if o == "started"]
    assert len(confirmed) + len(started) == 1, outcomes
    booking.refresh_from_db()
    case.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED_BY_PROPERTY
    assert case.status == GuaranteeCase.Status.REBOOKED  # the search ran after the commit
    cancellations = AuditEntry.objects.filter(
        content_type__model="booking", object_id=str(booking.pk), action="cancel_by_property"
    )
    assert cancellations.count() == 1
    assert ledger_reconcile() == []
