from datetime import timedelta

import pytest
from django.utils import timezone

from listings import services
from listings.errors import ListingError
from listings.models import ListingContact, WastedTripClaim
from tests.listings.factories import ListingContactFactory
from trustplatform import pii
from trustplatform.ledger.models import Transfer
from trustplatform.ledger.services import consumer_payable

pytestmark = pytest.mark.django_db


def _verified_phone(user, phone: str = "+821055443322") -> None:
    """The consumer's phone verified, as the verification leaves it (with its blind index)."""
    type(user).objects.filter(pk=user.pk).update(
        phone=phone, phone_index=pii.blind_index(phone), phone_verified_at=timezone.now()
    )
    user.refresh_from_db()


def test_a_reporter_who_called_through_the_safe_number_and_visited_is_paid_once_on_confirmation(
    guarantee_fund, listing, consumer, agent, settings
):
    _verified_phone(consumer)
    ListingContactFactory(listing=listing, consumer=consumer)
    services.report_file(listing=listing, reporter=consumer, reason="not_exist", visited=True)
    services.fake_confirm(listing=listing, actor=agent, category="not_exist")
    claim = WastedTripClaim.objects.get(consumer=consumer)
    assert claim.status == WastedTripClaim.Status.PAID
    assert consumer_payable(consumer).balance_krw == settings.LISTINGS_WASTED_TRIP_KRW
    services.claim_pay(instance=claim)  # a repeat pays nothing more
    assert Transfer.objects.filter(idempotency_key=f"listings:wasted-trip:{claim.pk}").count() == 1
    assert consumer_payable(consumer).balance_krw == settings.LISTINGS_WASTED_TRIP_KRW
    with pytest.raises(ListingError) as refused:
        services.claim_file(listing=listing, consumer=consumer, visited_on=timezone.localdate())
    assert refused.value.code == "already_claimed"


def test_a_safe_number_contact_before_the_visit_counts_as_evidence(guarantee_fund, listing, consumer, agent):
    _verified_phone(consumer)
    contact = ListingContactFactory(listing=listing, consumer=consumer)
    ListingContact.objects.filter(pk=contact.pk).update(created_at=timezone.now() - timedelta(days=2))
    services.fake_confirm(listing=listing, actor=agent, category="gone")
    claim = services.claim_file(
        listing=listing, consumer=consumer, visited_on=timezone.localdate() - timedelta(days=1)
    )
    assert claim.status == WastedTripClaim.Status.PAID and claim.evidence == "safe_number_contact"


def test_without_evidence_staff_review_the_claim(guarantee_fund, listing, consumer, agent):
    services.fake_confirm(listing=listing, actor=agent, category="gone")
    claim = services.claim_file(listing=listing, consumer=consumer, visited_on=timezone.localdate())
    assert claim.status == WastedTripClaim.Status.FILED
    services.claim_pay(instance=claim, actor=agent)
    claim.refresh_from_db()
    assert claim.status == WastedTripClaim.Status.PAID and claim.transfer_id


def test_no_compensation_for_a_listing_not_confirmed_fake(listing, consumer):
    with pytest.raises(ListingError) as refused:
        services.claim_file(listing=listing, consumer=consumer, visited_on=timezone.localdate())
    assert refused.value.code == "not_fake"


def test_an_empty_guarantee_fund_leaves_the_claim_for_staff_and_still_confirms(listing, consumer, agent):
    services.report_file(listing=listing, reporter=consumer, reason="not_exist", visited=True)
    strike = services.fake_confirm(listing=listing, actor=agent, category="not_exist")
    assert strike.pk
    assert WastedTripClaim.objects.get(consumer=consumer).status == WastedTripClaim.Status.FILED


def test_the_consumer_sees_the_payment_on_my_reports(client, guarantee_fund, listing, consumer, agent):
    services.report_file(listing=listing, reporter=consumer, reason="not_exist", visited=True)
    services.fake_confirm(listing=listing, actor=agent, category="not_exist")
    client.force_login(consumer)
    assert "data-claim" in client.get("/homes/my-reports/").content.decode()
