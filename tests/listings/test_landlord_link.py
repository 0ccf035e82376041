"""A listing's landlord: only the owner the verification and the registry name can claim it, never the
brokerage or anyone sharing a member with it; deposits started from the listing are paid to them."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from escrow.models import Condition, EscrowAgreement
from listings import services
from listings.models import Listing, Verification
from listings.services.verification import registry_address
from tests.factories import MembershipFactory, SandboxRegistryRecordFactory, UserFactory
from tests.listings.conftest import OWNER_NAME, listing_data
from trustplatform.audit.models import AuditEntry
from trustplatform.errors import DomainError
from trustplatform.partners.models import Membership
from trustplatform.pii import mask_name

pytestmark = pytest.mark.django_db


def claim(landlord, listing, actor=None):
    return services.listing_landlord_claim(
        landlord=landlord, actor=actor or landlord.owner, listing_id=listing.pk
    )


def refused(call) -> DomainError:
    with pytest.raises(DomainError) as exc:
        call()
    return exc.value


def future(days=20):
    return timezone.localdate() + timedelta(days=days)


# --- the rule --------------------------------------------------------------------------------


def test_the_owner_the_registry_check_named_claims_the_listing_and_the_broker_is_told(
    listing, broker, make_landlord, owner_on_record
):
    owner_on_record(listing)
    landlord = make_landlord(representative=OWNER_NAME)
    claimed = claim(landlord, listing)
    assert claimed.landlord == landlord and claimed.landlord_linked_at is not None
    assert AuditEntry.objects.filter(object_id=str(listing.pk), action="landlord_linked").count() == 1
    assert broker.notifications.filter(url=f"/portal/listings/{listing.pk}/").exists()
    assert claim(landlord, listing).landlord_linked_at == claimed.landlord_linked_at  # again: nothing new


def test_names_match_without_spaces_and_a_business_owner_by_its_business_name(
    listing, make_landlord, owner_on_record
):
    owner_on_record(listing, owner="정 하은")
    assert claim(make_landlord(representative="정하은"), listing).landlord_id is not None

    other = services.listing_create(
        partner=listing.partner, actor=listing.created_by, publish=True,
        data=listing_data(unit="501호"),
    )
    owner_on_record(other, owner="주식회사 성수하우스")
    company = make_landlord(name="주식회사 성수하우스", representative="박대표")
    assert claim(company, other).landlord == company


def test_no_claim_before_a_verification_recorded_the_owner(listing, make_landlord):
    SandboxRegistryRecordFactory(address=registry_address(listing), owner_name=OWNER_NAME)
    error = refused(lambda: claim(make_landlord(representative=OWNER_NAME), listing))
    assert error.code == "owner_not_verified" and error.status == 409
    listing.refresh_from_db()
    assert listing.landlord_id is None


def test_someone_not_named_as_the_owner_is_refused_without_learning_the_owners_name(
    listing, make_landlord, owner_on_record
):
    owner_on_record(listing)
    error = refused(lambda: claim(make_landlord(representative="최도윤"), listing))
    assert error.code == "not_the_owner" and error.status == 403 and OWNER_NAME not in error.detail
    listing.refresh_from_db()
    assert listing.landlord_id is None


def test_the_owners_confirmation_by_text_link_records_the_owner(listing, broker, make_landlord):
    verification = services.verification_request(
        listing=listing, actor=broker, level=Verification.Level.OWNER_LINK,
        owner_phone="01022223333", owner_name=OWNER_NAME,
    )
    landlord = make_landlord(representative=OWNER_NAME)
    assert refused(lambda: claim(landlord, listing)).code == "owner_not_verified"  # not answered yet
    services.owner_link_answer(token=services.owner_link_token(verification), confirmed=True)
    assert claim(landlord, listing).landlord == landlord


def test_a_relative_confirmed_by_text_is_refused_when_the_registry_names_the_real_owner(
    listing, broker, make_landlord
):
    # The broker names a relative as owner and the relative confirms the text; the registry knows better.
    SandboxRegistryRecordFactory(address=registry_address(listing), owner_name=OWNER_NAME)
    verification = services.verification_request(
        listing=listing, actor=broker, level=Verification.Level.OWNER_LINK,
        owner_phone="01044445555", owner_name="최친척",
    )
    services.owner_link_answer(token=services.owner_link_token(verification), confirmed=True)
    assert refused(lambda: claim(make_landlord(representative="최친척"), listing)).code == "not_the_owner"


def test_an_expired_verification_no_longer_names_the_owner(listing, make_landlord, owner_on_record):
    verification = owner_on_record(listing)
    Verification.objects.filter(pk=verification.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    error = refused(lambda: claim(make_landlord(representative=OWNER_NAME), listing))
    assert error.code == "owner_not_verified"


def test_a_landlord_sharing_a_member_with_the_brokerage_is_refused(
    listing, broker, make_landlord, owner_on_record
):
    owner_on_record(listing)
    landlord = make_landlord(representative=OWNER_NAME)
    MembershipFactory(user=broker, partner=landlord, role=Membership.Role.STAFF)
    error = refused(lambda: claim(landlord, listing))
    assert error.code == "landlord_is_broker" and error.status == 403


def test_the_brokerage_and_other_kinds_of_partner_cannot_claim(listing, brokerage, broker, owner_on_record):
    owner_on_record(listing)
    assert refused(lambda: claim(brokerage, listing, actor=broker)).code == "not_a_landlord"
    # And the database refuses the brokerage as its own listing's landlord whatever the code does.
    with pytest.raises(IntegrityError), transaction.atomic():
        Listing.objects.filter(pk=listing.pk).update(landlord=brokerage, landlord_linked_at=timezone.now())


def test_only_an_owner_or_manager_of_the_landlord_claims(listing, make_landlord, owner_on_record):
    owner_on_record(listing)
    landlord = make_landlord(representative=OWNER_NAME)
    clerk = MembershipFactory(partner=landlord, role=Membership.Role.STAFF).user
    assert refused(lambda: claim(landlord, listing, actor=clerk)).code == "not_allowed"
    assert refused(lambda: claim(landlord, listing, actor=UserFactory())).code == "not_allowed"


def test_a_claimed_listing_cannot_be_claimed_again_by_another_landlord(listing, landlord, make_landlord):
    twin = make_landlord(representative=OWNER_NAME)
    assert refused(lambda: claim(twin, listing)).code == "already_claimed"
    listing.refresh_from_db()
    assert listing.landlord == landlord


def test_sales_and_listings_not_on_show_cannot_be_claimed(
    listing, make_listing, brokerage, make_landlord, owner_on_record
):
    landlord = make_landlord(representative=OWNER_NAME)
    sale = make_listing(brokerage, deal_type="sale", deposit_krw=0, monthly_rent_krw=0, price_krw=900_000_000)
    owner_on_record(sale)
    assert refused(lambda: claim(landlord, sale)).code == "not_a_rental"
    draft = make_listing(brokerage, publish=False)
    assert refused(lambda: claim(landlord, draft)).status == 404
    assert refused(
        lambda: services.listing_landlord_claim(landlord=landlord, actor=landlord.owner, listing_id=10**9)
    ).code == "no_listing"


def test_moving_the_listing_to_another_address_drops_its_landlord(listing, landlord, broker):
    services.listing_update(listing=listing, actor=broker, data={"unit": "1201호"})
    listing.refresh_from_db()
    assert listing.landlord_id is None and listing.landlord_linked_at is None
    services.listing_update(listing=listing, actor=broker, data={"title": "새 제목"})
    assert AuditEntry.objects.filter(object_id=str(listing.pk), action="landlord_unlinked").count() == 1


def test_a_landlord_withdraws_and_then_no_deposit_can_start(listing, landlord, consumer):
    services.listing_landlord_unlink(landlord=landlord, actor=landlord.owner, listing_id=listing.pk)
    listing.refresh_from_db()
    assert listing.landlord_id is None
    error = refused(lambda: services.deposit_start(listing=listing, consumer=consumer, move_in_date=future()))
    assert error.code == "no_landlord"
    again = refused(lambda: services.listing_landlord_unlink(
        landlord=landlord, actor=landlord.owner, listing_id=listing.pk
    ))
    assert again.code == "not_claimed"


# --- deposits -------------------------------------------------------------------------------


def test_a_deposit_is_refused_while_no_landlord_claimed_the_listing(listing, consumer):
    error = refused(lambda: services.deposit_start(listing=listing, consumer=consumer, move_in_date=future()))
    assert error.code == "no_landlord" and error.status == 409
    assert f"#{listing.pk}" in error.detail and ("broker" in error.detail or "중개사" in error.detail)
    assert not EscrowAgreement.objects.exists()  # never silently proposed to the brokerage


def test_a_deposit_names_the_landlord_as_payee_and_the_brokerage_as_broker(listing, landlord, consumer):
    agreement = services.deposit_start(listing=listing, consumer=consumer, move_in_date=future())
    assert agreement.payee == landlord and agreement.broker == listing.partner
    assert agreement.status == EscrowAgreement.Status.PROPOSED
    counterparty = agreement.conditions.filter(kind=Condition.Kind.COUNTERPARTY)
    assert set(counterparty.values_list("confirmer", flat=True)) == {"payer", "broker"}
    assert agreement.conditions.get(kind=Condition.Kind.DATE).due_date == future()


def test_a_suspended_landlord_is_paid_nothing(listing, landlord, consumer):
    from trustplatform.partners.models import Partner

    Partner.objects.filter(pk=landlord.pk).update(status=Partner.Status.SUSPENDED)
    listing.refresh_from_db()
    error = refused(lambda: services.deposit_start(listing=listing, consumer=consumer, move_in_date=future()))
    assert error.code == "no_landlord"


def test_a_broker_who_later_joins_the_landlord_cannot_take_the_deposit(listing, landlord, broker, consumer):
    MembershipFactory(user=broker, partner=landlord, role=Membership.Role.MANAGER)
    error = refused(lambda: services.deposit_start(listing=listing, consumer=consumer, move_in_date=future()))
    assert error.code == "broker_is_payee"
    assert not EscrowAgreement.objects.exists()


# --- what people see ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shown"),
    [("정하은", "정*은"), ("김수", "김*"), ("남궁민수", "남**수"), ("이", "이"), ("정 하은", "정*은")],
)
def test_names_are_masked_as_korean_sites_show_them(name, shown):
    assert mask_name(name) == shown


def test_the_listing_page_says_the_deposit_goes_to_the_masked_landlord_not_the_broker(
    client, listing, landlord, consumer
):
    client.force_login(consumer)
    html = client.get(f"/homes/{listing.pk}/").content.decode()
    assert "data-deposit-payee" in html and "정*은" in html and OWNER_NAME not in html
    assert landlord.name not in html
    assert f'action="/homes/{listing.pk}/deposit/"' in html


def test_without_a_landlord_the_page_explains_and_offers_no_deposit_form(client, listing, consumer):
    client.force_login(consumer)
    html = client.get(f"/homes/{listing.pk}/").content.decode()
    assert "data-no-landlord" in html and f'action="/homes/{listing.pk}/deposit/"' not in html
    answer = client.post(f"/homes/{listing.pk}/deposit/", {"move_in_date": future().isoformat()})
    assert answer.status_code == 400 and 'role="alert"' in answer.content.decode()
    assert not EscrowAgreement.objects.exists()


def test_the_broker_sees_the_landlord_link_in_the_portal(client, listing, broker, landlord):
    client.force_login(broker)
    html = client.get(f"/portal/listings/{listing.pk}/").content.decode()
    assert f'data-landlord="{landlord.pk}"' in html and landlord.name in html


def test_the_broker_portal_says_how_to_get_a_landlord(client, listing, broker):
    client.force_login(broker)
    assert "data-no-landlord" in client.get(f"/portal/listings/{listing.pk}/").content.decode()


def test_the_landlord_claims_from_the_portal_and_sees_the_claim(
    client, listing, make_landlord, owner_on_record
):
    owner_on_record(listing)
    landlord = make_landlord(representative=OWNER_NAME)
    client.force_login(landlord.owner)
    assert client.get("/portal/listings/").url == reverse("listings_portal:landlord")
    wrong = client.post("/portal/listings/landlord/", {"listing_id": 10**9})
    assert wrong.status_code == 200 and 'role="alert"' in wrong.content.decode()
    answer = client.post("/portal/listings/landlord/", {"listing_id": listing.pk})
    assert answer.status_code == 302
    page = client.get("/portal/listings/landlord/").content.decode()
    assert f'data-listing="{listing.pk}"' in page
    client.post(f"/portal/listings/landlord/{listing.pk}/unlink/")
    listing.refresh_from_db()
    assert listing.landlord_id is None


def test_a_brokerage_cannot_use_the_landlord_page(client, listing, broker, owner_on_record):
    owner_on_record(listing)
    client.force_login(broker)
    assert client.get("/portal/listings/landlord/").status_code == 403
    assert client.post("/portal/listings/landlord/", {"listing_id": listing.pk}).status_code == 403
    listing.refresh_from_db()
    assert listing.landlord_id is None


# --- the API --------------------------------------------------------------------------------


def _api(user, partner):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    client.credentials(HTTP_X_PARTNER_ID=str(partner.pk))
    return client


def test_the_landlord_claims_lists_and_withdraws_through_the_api(listing, make_landlord, owner_on_record):
    owner_on_record(listing)
    landlord = make_landlord(representative=OWNER_NAME)
    client = _api(landlord.owner, landlord)
    answer = client.post("/api/v1/listings/landlord/listings/", {"listing_id": listing.pk}, format="json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["id"] == listing.pk and answer.json()["broker"]["id"] == listing.partner_id
    assert [row["id"] for row in client.get("/api/v1/listings/landlord/listings/").json()] == [listing.pk]
    gone = client.post(f"/api/v1/listings/landlord/listings/{listing.pk}/unlink/")
    assert gone.status_code == 200 and gone.json() == []


def test_api_claims_refused_with_a_code(listing, brokerage, broker, make_landlord, owner_on_record):
    landlord = make_landlord(representative="최도윤")
    owner_on_record(listing)
    client = _api(landlord.owner, landlord)
    for body, status, code in (
        ({"listing_id": listing.pk}, 403, "not_the_owner"),
        ({"listing_id": "x"}, 400, None),
        ({"listing_id": listing.pk, "payee": 1}, 400, None),
    ):
        answer = client.post("/api/v1/listings/landlord/listings/", body, format="json")
        assert answer.status_code == status, answer.content
        assert code is None or answer.json()["code"] == code
    by_broker = _api(broker, brokerage).post(
        "/api/v1/listings/landlord/listings/", {"listing_id": listing.pk}, format="json"
    )
    assert by_broker.status_code == 403 and by_broker.json()["code"] == "not_a_landlord"


def test_the_api_shows_the_broker_the_landlord_and_the_consumer_the_masked_payee(
    listing, brokerage, broker, landlord, api_client
):
    mine = _api(broker, brokerage).get(f"/api/v1/listings/partner/listings/{listing.pk}/").json()
    assert mine["landlord"] == {"id": landlord.pk, "name": landlord.name}
    public = api_client.get(f"/api/v1/listings/{listing.pk}/").json()
    assert public["deposit_payee"] == "정*은"


def test_the_deposit_api_refuses_without_a_landlord(listing, consumer):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(consumer)
    answer = client.post(
        f"/api/v1/listings/{listing.pk}/deposit/", {"move_in_date": future().isoformat()}, format="json"
    )
    assert answer.status_code == 409 and answer.json()["code"] == "no_landlord"
