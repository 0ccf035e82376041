"""Issue 13, item 6: compensation farming.

Wasted-trip compensation (₩30,000) was paid automatically to any account that declared a visit, so
throwaway accounts each collected it. Now it is paid at once only to a verified phone, once per phone
and listing, that reached the broker through the safe number before the visit; staff review the rest.
"""

import itertools
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.test import APIClient

from listings import services
from listings.errors import ListingError
from listings.models import ListingContact, WastedTripClaim
from tests.factories import UserFactory
from tests.listings.conftest import listing_data
from tests.listings.factories import BrokerageFactory
from tests.masking.factories import ProxyNumberFactory
from trustplatform import pii
from trustplatform.ledger.models import Transfer
from trustplatform.ledger.services import consumer_payable, ledger_transfer, platform_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing():
    brokerage = BrokerageFactory(owner__phone="+821055550001", owner__phone_verified_at=timezone.now())
    owner = brokerage.memberships.get().user
    return services.listing_create(partner=brokerage, actor=owner, data=listing_data(), publish=True)


@pytest.fixture
def agent():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="agents"))
    return user


@pytest.fixture(autouse=True)
def guarantee_fund():
    ledger_transfer(
        debit=platform_account("platform-capital"),
        credit=platform_account("platform-guarantee-fund"),
        amount_krw=10_000_000,
        key="test:wasted-trip-fund",
        reason="test fund",
    )


_numbers = itertools.count(90_000_000)


def verified(phone: str | None = None):
    """An account whose mobile number was verified, as the verification leaves it (with its blind index,
    which the database keeps unique among verified accounts)."""
    phone = phone or f"+8210{next(_numbers)}"
    return UserFactory(phone=phone, phone_index=pii.blind_index(phone), phone_verified_at=timezone.now())


def _wasted_trips_paid() -> int:
    return Transfer.objects.filter(idempotency_key__startswith="listings:wasted-trip:").count()


def _safe_number_contact(listing, consumer, *, days_ago: int = 0) -> ListingContact:
    ProxyNumberFactory()
    contact = services.contact_open(listing=listing, consumer=consumer).contact
    ListingContact.objects.filter(pk=contact.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return contact


def test_throwaway_accounts_that_declare_a_visit_are_not_paid_automatically(listing, agent):
    throwaways = [UserFactory() for _ in range(5)]
    for account in throwaways:
        services.report_file(listing=listing, reporter=account, reason="not_exist", visited=True)
    services.fake_confirm(listing=listing, actor=agent, category="not_exist")
    latecomer = UserFactory()
    claim = services.claim_file(listing=listing, consumer=latecomer, visited_on=timezone.localdate())

    assert _wasted_trips_paid() == 0
    assert all(consumer_payable(account).balance_krw == 0 for account in [*throwaways, latecomer])
    # Their claims wait for staff instead.
    assert claim.status == WastedTripClaim.Status.FILED
    assert WastedTripClaim.objects.filter(status=WastedTripClaim.Status.FILED).count() == 6


def test_a_verified_phone_without_a_safe_number_contact_waits_for_staff(listing, agent):
    consumer = verified()
    services.report_file(listing=listing, reporter=consumer, reason="not_exist", visited=True)
    services.fake_confirm(listing=listing, actor=agent, category="not_exist")
    assert WastedTripClaim.objects.get(consumer=consumer).status == WastedTripClaim.Status.FILED
    assert _wasted_trips_paid() == 0


def test_a_safe_number_contact_after_the_visit_does_not_count(listing, agent):
    consumer = verified()
    _safe_number_contact(listing, consumer)  # today
    services.fake_confirm(listing=listing, actor=agent, category="gone")
    claim = services.claim_file(
        listing=listing, consumer=consumer, visited_on=timezone.localdate() - timedelta(days=2)
    )
    assert claim.status == WastedTripClaim.Status.FILED and _wasted_trips_paid() == 0


def test_the_api_leaves_a_claim_without_a_contact_before_the_visit_for_staff(listing, agent):
    consumer = verified()
    _safe_number_contact(listing, consumer)  # only after the visit it claims
    services.fake_confirm(listing=listing, actor=agent, category="gone")
    client = APIClient()
    client.force_authenticate(consumer)
    answer = client.post(
        f"/api/v1/listings/{listing.pk}/wasted-trip/",
        {"visited_on": (timezone.localdate() - timedelta(days=1)).isoformat()},
        format="json",
    )
    assert answer.status_code == 201 and answer.json()["status"] == WastedTripClaim.Status.FILED
    assert _wasted_trips_paid() == 0 and consumer_payable(consumer).balance_krw == 0


def test_a_verified_phone_that_called_through_the_safe_number_before_the_visit_is_paid_at_once(
    listing, agent, settings
):
    consumer = verified()
    _safe_number_contact(listing, consumer, days_ago=3)
    services.report_file(listing=listing, reporter=consumer, reason="not_exist", visited=True)
    services.fake_confirm(listing=listing, actor=agent, category="not_exist")
    claim = WastedTripClaim.objects.get(consumer=consumer)
    assert claim.status == WastedTripClaim.Status.PAID and claim.evidence == "safe_number_contact"
    assert consumer_payable(consumer).balance_krw == settings.LISTINGS_WASTED_TRIP_KRW


def test_one_phone_is_compensated_once_per_listing_whatever_the_account(listing, agent):
    first = verified("+821098761234")
    _safe_number_contact(listing, first, days_ago=1)
    services.fake_confirm(listing=listing, actor=agent, category="gone")
    assert services.claim_file(listing=listing, consumer=first, visited_on=timezone.localdate()).status == (
        WastedTripClaim.Status.PAID
    )
    # The number moves to a fresh account (the first one drops it), which files again for the same listing.
    type(first).objects.filter(pk=first.pk).update(phone="", phone_index="", phone_verified_at=None)
    second = verified("+821098761234")
    ListingContact.objects.create(listing=listing, consumer=second)
    ListingContact.objects.filter(consumer=second).update(created_at=timezone.now() - timedelta(days=1))
    with pytest.raises(ListingError) as refused:
        services.claim_file(listing=listing, consumer=second, visited_on=timezone.localdate())
    assert refused.value.code == "already_claimed"
    assert _wasted_trips_paid() == 1


def test_staff_still_pay_a_reviewed_claim(listing, agent, settings):
    consumer = UserFactory()
    services.fake_confirm(listing=listing, actor=agent, category="gone")
    claim = services.claim_file(listing=listing, consumer=consumer, visited_on=timezone.localdate())
    services.claim_pay(instance=claim, actor=agent)
    claim.refresh_from_db()
    assert claim.status == WastedTripClaim.Status.PAID
    assert consumer_payable(consumer).balance_krw == settings.LISTINGS_WASTED_TRIP_KRW
