"""Issue 13, item 10: partner roles barely enforced.

A "staff" member cancelled bookings, changed the contact number guests' calls ring, proposed deposit
agreements, published listings. What each role may do is one table (trustplatform/partners/roles.py)
and the services consult it, so a page, the API or any other caller gets the same answer.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from bookings.models import Booking, Property
from bookings.services import channels, inventory, properties, stays
from escrow.models import EscrowAgreement
from escrow.services import agreements, disputes, release
from listings import services as listings
from listings.models import Listing, Verification
from masking import services as masking
from masking.models import Block
from tests.bookings.factories import (
    ConflictFactory,
    LodgingPartnerFactory,
    PropertyFactory,
    RoomTypeFactory,
    confirmed_booking,
    fund_guarantee,
)
from tests.escrow.factories import ADDRESS, agreed_rental, fund
from tests.factories import MembershipFactory, PartnerFactory, UserFactory
from tests.listings.factories import BrokerageFactory
from tests.masking.factories import ProxyNumberFactory
from trustplatform.errors import DomainError
from trustplatform.partners.models import Membership
from trustplatform.partners.roles import ALLOWED, PartnerAction, PartnerRoleForbidden, partner_action_require

pytestmark = pytest.mark.django_db

STAFF, MANAGER, OWNER = Membership.Role.STAFF, Membership.Role.MANAGER, Membership.Role.OWNER


def member(partner, role):
    return MembershipFactory(partner=partner, role=role).user


def api(user, partner) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    client.credentials(HTTP_X_PARTNER_ID=str(partner.pk))
    return client


def refused(call) -> DomainError:
    with pytest.raises(DomainError) as exc:
        call()
    return exc.value


def assert_role_refusal(response):
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "role_forbidden"


# --- the table ---------------------------------------------------------------------------------------


def test_every_action_has_its_roles_and_owners_may_do_everything():
    assert set(ALLOWED) == set(PartnerAction)
    assert all(OWNER in roles for roles in ALLOWED.values())
    # The three the review found staff doing, and the money-adjacent ones, are for managers up.
    for action in (
        PartnerAction.BOOKING_CANCEL,
        PartnerAction.PROPERTY_EDIT,
        PartnerAction.AGREEMENT_PROPOSE,
        PartnerAction.LISTING_PUBLISH,
        PartnerAction.CALENDAR_EDIT,
    ):
        assert STAFF not in ALLOWED[action] and MANAGER in ALLOWED[action]


def test_a_non_member_is_refused_and_the_platform_is_not():
    partner = PartnerFactory()
    with pytest.raises(PartnerRoleForbidden):
        partner_action_require(actor=UserFactory(), partner=partner, action=PartnerAction.FEED_IMPORT)
    partner_action_require(actor=None, partner=partner, action=PartnerAction.BOOKING_CANCEL)
    partner_action_require(
        actor=UserFactory(is_staff=True), partner=partner, action=PartnerAction.BOOKING_CANCEL
    )


# --- lodging ------------------------------------------------------------------------------------------


@pytest.fixture
def stay():
    fund_guarantee()
    partner = LodgingPartnerFactory()
    booking = confirmed_booking(RoomTypeFactory(property=PropertyFactory(partner=partner)))
    return partner, booking


def test_staff_cannot_cancel_a_booking_in_the_portal_the_api_or_the_service(client, stay):
    partner, booking = stay
    clerk = member(partner, STAFF)
    client.force_login(clerk)
    page = client.post(f"/portal/stays/bookings/{booking.code}/", {"reason": "방 없음"})
    assert page.status_code == 200
    assert_role_refusal(
        api(clerk, partner).post(
            f"/api/v1/bookings/partner/bookings/{booking.code}/cancel/", {"reason": "방 없음"}, format="json"
        )
    )
    assert (
        refused(lambda: stays.booking_cancel_by_property(booking=booking, actor=clerk, reason="x")).code
        == "role_forbidden"
    )
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_a_manager_cancels_a_booking(stay):
    partner, booking = stay
    response = api(member(partner, MANAGER), partner).post(
        f"/api/v1/bookings/partner/bookings/{booking.code}/cancel/", {"reason": "보일러 고장"}, format="json"
    )
    assert response.status_code == 200, response.content
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED_BY_PROPERTY


def _property_form(prop, contact_phone: str) -> dict:
    return {
        "name": prop.name,
        "description": "",
        "address": prop.address,
        "city": prop.city,
        "is_urban": "on",
        "latitude": prop.latitude,
        "longitude": prop.longitude,
        "star_class": prop.star_class,
        "amenities": ["wifi"],
        "contact_phone": contact_phone,
        "cancellation_policy": prop.cancellation_policy,
        "check_in_time": "15:00",
        "check_out_time": "11:00",
        "is_active": "on",
    }


def test_staff_cannot_change_the_contact_number_guests_calls_ring(client):
    prop = PropertyFactory()
    before = prop.contact_phone
    client.force_login(member(prop.partner, STAFF))
    response = client.post(f"/portal/stays/properties/{prop.pk}/", _property_form(prop, "010-9999-8888"))
    assert response.status_code == 200  # the form again, with the refusal on it
    prop.refresh_from_db()
    assert prop.contact_phone == before

    client.force_login(member(prop.partner, MANAGER))
    assert (
        client.post(f"/portal/stays/properties/{prop.pk}/", _property_form(prop, "010-9999-8888")).status_code
        == 302
    )
    assert Property.objects.get(pk=prop.pk).contact_phone == "+821099998888"


def test_staff_cannot_edit_what_a_property_sells(stay):
    partner, booking = stay
    clerk = member(partner, STAFF)
    room_type = booking.room_type
    today = timezone.localdate()
    for call in (
        lambda: inventory.calendar_update(
            room_type=room_type, actor=clerk, start=today, end=today + timedelta(days=2), price_krw=1
        ),
        lambda: properties.room_type_save(room_type=room_type, actor=clerk),
        lambda: properties.property_save(prop=room_type.property, actor=clerk),
        lambda: channels.feed_add(
            room_type=room_type, name="Airbnb", url="https://example.com/a.ics", actor=clerk
        ),
        lambda: channels.conflict_resolve(
            conflict=ConflictFactory(booking=booking), actor=clerk, keep_ours=False
        ),
    ):
        assert refused(call).code == "role_forbidden"
    assert_role_refusal(
        api(clerk, partner).post(
            f"/api/v1/bookings/partner/room-types/{room_type.pk}/calendar/",
            {"start": today.isoformat(), "end": (today + timedelta(days=2)).isoformat(), "price_krw": 1},
            format="json",
        )
    )
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


# --- escrow -------------------------------------------------------------------------------------------


def _proposal(payer) -> dict:
    return {
        "template": "rental_deposit",
        "title": "성수 302호 보증금",
        "amount_krw": 10_000_000,
        "payer_email": payer.email,
        "property_address": ADDRESS,
        "move_in_date": (timezone.localdate() + timedelta(days=30)).isoformat(),
    }


def test_staff_cannot_propose_an_agreement(client):
    landlord = PartnerFactory(kind="landlord")
    clerk, tenant = member(landlord, STAFF), UserFactory()
    assert_role_refusal(
        api(clerk, landlord).post("/api/v1/escrow/agreements/", _proposal(tenant), format="json")
    )
    client.force_login(clerk)
    page = client.post("/portal/deposits/new/", {**_proposal(tenant), "amount_krw": "10000000", "notes": ""})
    assert page.status_code == 200
    assert not EscrowAgreement.objects.exists()

    response = api(member(landlord, MANAGER), landlord).post(
        "/api/v1/escrow/agreements/", _proposal(tenant), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "proposed"


def test_staff_cannot_accept_confirm_or_dispute_for_the_business():
    agreement, tenant, _owner = agreed_rental()
    clerk = member(agreement.payee, STAFF)
    fund(agreement, tenant)
    agreement.refresh_from_db()
    assert (
        refused(lambda: disputes.dispute_open(agreement=agreement, actor=clerk, reasons="x")).code
        == "role_forbidden"
    )
    tenant2 = UserFactory()
    proposed = agreements.rental_deposit_propose(
        payer=tenant2,
        payee=agreement.payee,
        title="t",
        amount_krw=1_000_000,
        property_address=ADDRESS,
        move_in_date=timezone.localdate() + timedelta(days=30),
    )
    assert (
        refused(
            lambda: agreements.agreement_accept(
                agreement=proposed, actor=clerk, accepted_hash=proposed.terms_hash
            )
        ).code
        == "role_forbidden"
    )
    proposed.refresh_from_db()
    assert proposed.status == EscrowAgreement.Status.PROPOSED


# --- listings -----------------------------------------------------------------------------------------


def _listing_data(**overrides) -> dict:
    return {
        "title": "서교동 투룸",
        "address": "서울특별시 마포구 양화로 45",
        "unit": "302호",
        "dong_code": "1144012000",
        "deal_type": "monthly",
        "deposit_krw": 10_000_000,
        "monthly_rent_krw": 700_000,
        "size_m2": "33.06",
        "floor": 3,
        "rooms": 2,
        "description": "",
        **overrides,
    }


def test_staff_draft_listings_and_managers_publish_them():
    brokerage = BrokerageFactory()
    clerk, manager = member(brokerage, STAFF), member(brokerage, MANAGER)
    draft = listings.listing_create(partner=brokerage, actor=clerk, data=_listing_data())
    draft = listings.listing_update(listing=draft, actor=clerk, data={"title": "서교동 투룸 (수리)"})
    assert draft.status == Listing.Status.DRAFT
    assert refused(lambda: listings.listing_publish(listing=draft, actor=clerk)).code == "role_forbidden"
    assert (
        refused(
            lambda: listings.listing_create(
                partner=brokerage, actor=clerk, data=_listing_data(), publish=True
            )
        ).code
        == "role_forbidden"
    )
    live = listings.listing_publish(listing=draft, actor=manager)
    for call in (
        lambda: listings.listing_update(listing=live, actor=clerk, data={"monthly_rent_krw": 1}),
        lambda: listings.listing_close(listing=live, actor=clerk, reason=Listing.ArchiveReason.WITHDRAWN),
        lambda: listings.listing_refresh(listing=live, actor=clerk),
        lambda: listings.verification_request(
            listing=live, actor=clerk, level=Verification.Level.OWNER_LINK, owner_phone="010-2222-3333"
        ),
    ):
        assert refused(call).code == "role_forbidden"
    live.refresh_from_db()
    assert live.is_live and live.monthly_rent_krw == 700_000
    client = api(clerk, brokerage)
    assert_role_refusal(
        client.post(
            f"/api/v1/listings/partner/listings/{live.pk}/close/", {"reason": "withdrawn"}, format="json"
        )
    )


# --- safe numbers -------------------------------------------------------------------------------------


def test_staff_reach_customers_but_do_not_open_sessions_or_block(client):
    ProxyNumberFactory.create_batch(4)
    restaurant = PartnerFactory(kind="restaurant")
    clerk = member(restaurant, STAFF)
    expires = (timezone.now() + timedelta(hours=2)).isoformat()
    opening = {
        "reference": "A-1",
        "expires_at": expires,
        "consumer": {"phone": "010-2000-0071", "label": "고객"},
        "business": {"phone": "010-2000-0072", "label": "가게"},
    }
    assert_role_refusal(api(clerk, restaurant).post("/api/v1/masking/sessions/", opening, format="json"))
    opened = api(member(restaurant, MANAGER), restaurant).post(
        "/api/v1/masking/sessions/", opening, format="json"
    )
    assert opened.status_code == 201, opened.content
    session = restaurant.masked_sessions.get()

    client.force_login(clerk)
    client.post(f"/portal/safe-numbers/{session.pk}/block/")
    assert not Block.objects.exists()
    text = masking.status_text_send(session=session, body="곧 도착합니다", actor=clerk)
    assert text.pk


def test_staff_cannot_report_a_renovation_stage_done():
    contractor = MembershipFactory(partner=PartnerFactory(kind="contractor"))
    customer = UserFactory()
    agreement = agreements.agreement_create(
        created_by=contractor.user,
        payer=customer,
        payee=contractor.partner,
        template="renovation",
        title="욕실 공사",
        amount_krw=3_000_000,
        property_address=ADDRESS,
    )
    agreement = agreements.agreement_propose(agreement=agreement, actor=contractor.user)
    agreement = agreements.agreement_accept(
        agreement=agreement, actor=customer, accepted_hash=agreement.terms_hash
    )
    fund(agreement, customer)
    milestone = agreement.milestones.order_by("sequence").first()
    clerk = member(contractor.partner, STAFF)
    assert (
        refused(lambda: release.milestone_submit(milestone=milestone, actor=clerk)).code == "role_forbidden"
    )
    milestone.refresh_from_db()
    assert milestone.status == "pending"
    assert (
        release.milestone_submit(milestone=milestone, actor=member(contractor.partner, MANAGER)).status
        == "submitted"
    )


def test_the_role_read_with_the_acting_partner_answers_for_its_user_only(rf, django_assert_num_queries):
    """The API reads the caller's role with the partner it acts for; the role checks of that request
    answer from it without a query, and never for anyone else."""
    from trustplatform.api.scoping import api_acting_partner
    from trustplatform.partners.selectors import membership_role

    restaurant = PartnerFactory(kind="restaurant")
    clerk, manager = member(restaurant, STAFF), member(restaurant, MANAGER)
    request = rf.get("/api/v1/masking/sessions/", HTTP_X_PARTNER_ID=str(restaurant.pk))
    request.user = clerk
    acting = api_acting_partner(request)
    with django_assert_num_queries(0):
        assert membership_role(user=clerk, partner=acting) == STAFF
        with pytest.raises(PartnerRoleForbidden):
            partner_action_require(actor=clerk, partner=acting, action=PartnerAction.SAFE_NUMBER_OPEN)
    with django_assert_num_queries(1):
        assert membership_role(user=manager, partner=acting) == MANAGER
    request.user = manager
    del request.META["HTTP_X_PARTNER_ID"]
    assert membership_role(user=manager, partner=api_acting_partner(request)) == MANAGER
