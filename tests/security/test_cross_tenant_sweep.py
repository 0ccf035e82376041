"""Issue 13, item 12: every route of the URL conf that names an object, asked for by another tenant, is a 404.

The routes come from the URL conf itself (`get_resolver()`), so a new one is swept or this test fails: each
route with a path parameter is either in SWEEPS (how to build an object of partner A or consumer A for it)
or in EXEMPT (why there is no tenant to cross). Each swept route is asked for by the object's owner, which
must not be a 404 (so the object and the URL are real), and by another consumer or a member of another
partner of the same kind, which must be a 404: not a 403 (that says the object exists), not a 200.
"""

import functools
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bookings.services import guarantee, refusals, reviews, stay_marks
from bookings.services.stays import booking_cancel_by_guest, booking_cancel_by_property
from escrow.services import agreements, disputes, release
from listings import services as listings
from listings.models import Verification
from listings.services.verification import registry_address
from masking import services as masking
from tests.bookings.factories import (
    CalendarFeedFactory,
    ConflictFactory,
    LodgingPartnerFactory,
    PropertyFactory,
    RoomTypeFactory,
    confirmed_booking,
    fund_guarantee,
)
from tests.escrow.factories import fund
from tests.factories import (
    MembershipFactory,
    PartnerFactory,
    SandboxRegistryRecordFactory,
    StaffFactory,
    VerifiedUserFactory,
    mobile_number,
)
from tests.files import jpeg_upload, pdf_upload
from tests.listings.conftest import listing_data
from tests.listings.factories import BrokerageFactory, LandlordFactory, ListingContactFactory
from tests.masking.factories import ProxyNumberFactory
from trustplatform.notifications.services import notification_send
from trustplatform.partners.identity import identity_verification_id_new
from trustplatform.partners.models import Membership, Partner
from trustplatform.payments.models import Payment, Refund
from trustplatform.support.services import inquiry_open

pytestmark = pytest.mark.django_db


# --- the routes ----------------------------------------------------------------------------------

# Routes (or whole namespaces, ending in ":") that name no object of a tenant, each with the reason.
EXEMPT = {
    "admin:": "The staff console: staff see every tenant by design, behind Django's permissions.",
    "accounts:signup_finish": "A one-time sign-up link: a token, not an object; a wrong one is refused.",
    "accounts:password_reset_confirm": "A one-time reset link: a token, not an object.",
    "masking_webhook:bridge": "The telephony provider's callback, checked by its signature, not by a login.",
    "payments:webhook": "The payment company's webhook, checked by its signature, not by a login.",
    "notifications:solapi_report": "SOLAPI's delivery reports, checked by the secret token in the URL "
                                   "(and the allowed sources), not by a login.",
    "bookings:property": "A property's public page: every consumer may see an active property.",
    "bookings:book": "The public booking form of a room type: every consumer may book it.",
    "bookings:ical_export": "A calendar's secret URL for other channels: the token is the key; no login.",
    "listings:detail": "A published listing's public page: every consumer may see it.",
    "listings:report": "Reporting a published listing: every consumer may.",
    "listings:contact": "Reaching the broker of a published listing: every consumer may.",
    "listings:deposit": "Starting a deposit for a published listing: every consumer may.",
    "listings:wasted_trip": "Claiming a wasted trip to a listing: every consumer may (the service checks).",
    "listings:owner_confirm": "The owner's text link: a token, not an object of a tenant.",
    "listings:inspection": "An inspector's assignment: staff only, not a tenant's object.",
    "api:public_partner": "A partner's public profile: no login, every approved partner is public.",
    "api:regions:region": "A code of the public region catalogue (법정동): reference data, no one's object.",
    "api:bookings_api:availability": "A property's public availability: every consumer may see it.",
    "api:bookings_api:property_reviews": "A property's public reviews: every consumer may read them.",
    "api:bookings_api:review_report": "Reporting a public review: every signed-in consumer may.",
    "bookings:review_report": "Reporting a public review: every signed-in consumer may.",
    "api:listings_api:listing": "A published listing, public: every consumer may read it.",
    "api:listings_api:report_create": "Reporting a published listing: every consumer may.",
    "api:listings_api:contact": "Reaching the broker of a published listing: every consumer may.",
    "api:listings_api:deposit": "Starting a deposit for a published listing: every consumer may.",
    "api:listings_api:wasted_trip": "Claiming a wasted trip to a listing: every consumer may.",
    "api:listings_api:risk": "A listing's risk score: listing staff only, not a tenant's object.",
    "api:listings_api:inspection_record": "An inspector's assignment: staff only.",
    "api:listings_api:staff_report_decide": "The staff queue of reports: staff only.",
    "api:listings_api:staff_appeal_decide": "The staff queue of appeals: staff only.",
}


def _walk(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.pattern.regex.groupindex:
            yield f"{namespace}{pattern.name or pattern.pattern}"


def object_routes() -> list[str]:
    """The name of every route with a path parameter, as the URL conf has them now."""
    return sorted(set(_walk(get_resolver().url_patterns)))


def _exempt(name: str) -> bool:
    return name in EXEMPT or any(key.endswith(":") and name.startswith(key) for key in EXEMPT)


# --- who owns what -------------------------------------------------------------------------------


class World:
    """Consumer A and B, partners A and B of each kind, and objects of A, each built on first use."""

    def __init__(self):
        self.consumer_a = VerifiedUserFactory(full_name="김세입")
        self.consumer_b = VerifiedUserFactory(full_name="박타인")
        self._partners = {}

    def partner(self, kind: str, side: str = "a") -> Partner:
        if (kind, side) not in self._partners:
            factory = {
                "lodging": LodgingPartnerFactory,
                "brokerage": BrokerageFactory,
                "landlord": LandlordFactory,
            }.get(kind)
            if factory is not None:
                partner = factory()
            else:
                partner = PartnerFactory(kind=kind)
                MembershipFactory(partner=partner, user=VerifiedUserFactory(), role=Membership.Role.OWNER)
            self._partners[kind, side] = partner
        return self._partners[kind, side]

    def member(self, kind: str, side: str = "a"):
        return self.partner(kind, side).memberships.get(role=Membership.Role.OWNER).user

    # escrow: a funded rental deposit (conditions) and a funded renovation (milestones) paid by consumer A

    def _agreement(self, *, template: str, kind: str, **extra):
        agreement = agreements.agreement_create(
            created_by=self.member(kind),
            payer=self.consumer_a,
            payee=self.partner(kind),
            template=template,
            title="성수 302호 보증금" if template == "rental_deposit" else "욕실 리모델링",
            amount_krw=10_000_000,
            **extra,
        )
        agreement = agreements.agreement_propose(agreement=agreement, actor=self.member(kind))
        agreement = agreements.agreement_accept(
            agreement=agreement, actor=self.consumer_a, accepted_hash=agreement.terms_hash
        )
        fund(agreement, self.consumer_a)
        return agreement

    @functools.cached_property
    def rental(self):
        address = "서울특별시 성동구 성수이로 113, 302호"
        SandboxRegistryRecordFactory(address=address, owner_name=self.partner("landlord").representative)
        agreement = self._agreement(template="rental_deposit", kind="landlord", property_address=address)
        agreement.conditions.filter(kind="date").update(due_date=timezone.localdate() + timedelta(days=30))
        return agreement

    @functools.cached_property
    def renovation(self):
        return self._agreement(template="renovation", kind="contractor")

    @functools.cached_property
    def evidence(self):
        condition = self.rental.conditions.order_by("pk").first()
        return release.evidence_add(actor=self.consumer_a, upload=pdf_upload(), condition=condition)

    @functools.cached_property
    def dispute(self):
        return disputes.dispute_open(
            agreement=self.rental, actor=self.consumer_a, reasons="열쇠를 받지 못했습니다"
        )

    # bookings: a lodging partner's room, consumer A's confirmed stay, a cancelled one with offers

    @functools.cached_property
    def room_type(self):
        return RoomTypeFactory(property=PropertyFactory(partner=self.partner("lodging")))

    @functools.cached_property
    def booking(self):
        return confirmed_booking(self.room_type, user=self.consumer_a)

    @functools.cached_property
    def offered_booking(self):
        """Consumer A's booking the property cancelled, with rooms offered to them (offer mode)."""
        fund_guarantee()
        original = RoomTypeFactory(property=self.room_type.property, grade=2, price_krw=100_000)
        RoomTypeFactory(property=self.room_type.property, grade=3, price_krw=120_000)
        booking = confirmed_booking(original, user=self.consumer_a, days_ahead=3)
        case = booking_cancel_by_property(booking=booking, actor=None, reason="overbooked")
        assert guarantee.case_search(case_id=case.pk) == "offered"
        return booking

    @functools.cached_property
    def reported_case(self):
        """Consumer A says the lodging partner turned them away: the report waits for its answer."""
        return refusals.case_report(booking=self.booking, actor=self.consumer_a, note="방이 없대요")

    @functools.cached_property
    def review(self):
        """Consumer A's review of a stay at the lodging partner that ended today."""
        booking = confirmed_booking(self.room_type, user=self.consumer_a, days_ahead=0, nights=1)
        stay_marks.booking_complete(booking=booking, actor=None)
        return reviews.review_create(booking=booking, actor=self.consumer_a, rating=4, text="좋았어요")

    @functools.cached_property
    def offer_token(self):
        case = self.offered_booking.guarantee_cases.get()
        return case.candidates.filter(status="offered").order_by("rank").first().accept_token

    @functools.cached_property
    def refund(self):
        booking = confirmed_booking(self.room_type, user=self.consumer_a, days_ahead=20)
        booking_cancel_by_guest(booking=booking, actor=self.consumer_a, reason="일정 변경")
        return Refund.objects.filter(payment__payer=self.consumer_a).latest("pk")

    def payment_of(self, subject):
        return Payment.objects.filter(subject_id=subject.pk, payer=self.consumer_a).latest("pk")

    # masking: a session of the lodging partner with consumer A, and consumer A's block

    @functools.cached_property
    def session(self):
        ProxyNumberFactory.create_batch(4)
        return masking.session_open(
            consumer=masking.Party(phone=self.consumer_a.phone, label="고객", user=self.consumer_a),
            business=masking.Party(phone=mobile_number("8888"), label="호텔"),
            expires_at=timezone.now() + timedelta(hours=3),
            partner=self.partner("lodging"),
            reference="r-1",
        )

    @functools.cached_property
    def block(self):
        return masking.block_add(session=self.session, owner_side="consumer", actor=self.consumer_a)

    # listings: brokerage A's published listing with a photo, a report, a strike appealed with evidence

    @functools.cached_property
    def listing(self):
        return listings.listing_create(
            partner=self.partner("brokerage"),
            actor=self.member("brokerage"),
            publish=True,
            data=listing_data(),
        )

    @functools.cached_property
    def photo(self):
        return listings.photo_add(listing=self.listing, actor=self.member("brokerage"), upload=jpeg_upload())

    @functools.cached_property
    def report(self):
        return listings.report_file(listing=self.listing, reporter=self.consumer_a, reason="price")

    @functools.cached_property
    def contact(self):
        """Consumer A's enquiry about brokerage A's listing."""
        return ListingContactFactory(listing=self.listing, consumer=self.consumer_a)

    @functools.cached_property
    def strike(self):
        return listings.fake_confirm(listing=self.listing, actor=StaffFactory(), category="not_exist")

    @functools.cached_property
    def appeal_evidence(self):
        appeal = listings.appeal_file(
            strike=self.strike, actor=self.member("brokerage"), statement="계약서", files=[pdf_upload()]
        )
        return appeal.evidence.get()

    @functools.cached_property
    def claimed_listing(self):
        """Brokerage A's listing claimed by landlord A, whose name the registry check recorded."""
        landlord = self.partner("landlord")
        listing = self.listing
        SandboxRegistryRecordFactory(address=registry_address(listing), owner_name=landlord.representative)
        listings.verification_request(
            listing=listing,
            actor=self.member("brokerage"),
            level=Verification.Level.REGISTRY,
            owner_name=landlord.representative,
        )
        listings.listing_landlord_claim(
            landlord=landlord, actor=self.member("landlord"), listing_id=listing.pk
        )
        return listing


# --- what each route is asked for ----------------------------------------------------------------


@dataclass(frozen=True)
class Sweep:
    """`owner` is "consumer" or a partner kind; `intruders` who else asks (another consumer and/or a member
    of another partner of that kind); `kwargs` builds the route's arguments from the world; `body` is sent
    where the view reads it before it looks the object up."""

    owner: str
    kwargs: object
    intruders: tuple = ()
    body: dict = field(default_factory=dict)

    def owner_user(self, world: World):
        return world.consumer_a if self.owner == "consumer" else world.member(self.owner)

    def intruder_users(self, world: World):
        kinds = self.intruders or (("consumer",) if self.owner == "consumer" else (self.owner,))
        return [world.consumer_b if kind == "consumer" else world.member(kind, "b") for kind in kinds]


def consumer(kwargs, **extra) -> Sweep:
    return Sweep("consumer", kwargs, **extra)


def partner(kind, kwargs, **extra) -> Sweep:
    return Sweep(kind, kwargs, **extra)


def both(kind, kwargs, *, owner="consumer", **extra) -> Sweep:
    """An agreement's route: consumer A pays, partner A is paid; consumer B and partner B both intrude."""
    return Sweep(owner, kwargs, intruders=("consumer", kind), **extra)


RENTAL = {"agreement_id": lambda w: w.rental.pk}
CONDITION = {**RENTAL, "condition_id": lambda w: w.rental.conditions.order_by("pk").first().pk}
EVIDENCE = {"agreement_id": lambda w: w.rental.pk, "evidence_id": lambda w: w.evidence.pk}
MILESTONE = {
    "agreement_id": lambda w: w.renovation.pk,
    "milestone_id": lambda w: w.renovation.milestones.order_by("sequence").first().pk,
}
DISPUTE = {**RENTAL, "dispute_id": lambda w: w.dispute.pk}
BOOKING = {"code": lambda w: w.booking.code}
OFFERED = {"code": lambda w: w.offered_booking.code}
REVIEW = {"review_id": lambda w: w.review.pk}
LISTING = {"listing_id": lambda w: w.listing.pk}
CONTACT = {"listing_id": lambda w: w.contact.listing_id, "contact_id": lambda w: w.contact.pk}
SESSION = {"session_id": lambda w: w.session.pk}

SWEEPS = {
    # accounts and the portal's own pages
    "accounts:notification_read": consumer(
        {"notification_id": lambda w: notification_send(user=w.consumer_a, title="안내").pk}
    ),
    "partners:identity_sandbox": consumer(
        {"verification_id": lambda w: identity_verification_id_new(user_id=w.consumer_a.pk)}
    ),
    "portal:member": partner(
        "lodging",
        {
            "membership_id": lambda w: (
                MembershipFactory(partner=w.partner("lodging"), role=Membership.Role.STAFF).pk
            )
        },
    ),
    "portal:switch": partner("lodging", {"partner_id": lambda w: w.partner("lodging").pk}),
    # questions to the agents' team
    "support:detail": consumer(
        {"inquiry_id": lambda w: inquiry_open(user=w.consumer_a, category="other", message="문의합니다").pk}
    ),
    # masking
    "masking:block": consumer(SESSION),
    "masking:unblock": consumer({"block_id": lambda w: w.block.pk}),
    "masking_portal:call": partner("lodging", SESSION),
    "masking_portal:text": partner("lodging", SESSION),
    "masking_portal:close": partner("lodging", SESSION),
    "masking_portal:block": partner("lodging", SESSION),
    # escrow pages: the payer's and the payee's
    "escrow:detail": consumer(RENTAL),
    "escrow:accept": consumer(RENTAL),
    "escrow:pay": consumer(RENTAL),
    "escrow:checkout": consumer({**RENTAL, "payment_id": lambda w: w.payment_of(w.rental).pk}),
    "escrow:condition_confirm": consumer(CONDITION),
    "escrow:condition_evidence": consumer(CONDITION),
    "escrow:evidence_file": consumer(EVIDENCE),
    "escrow:milestone_approve": consumer(MILESTONE),
    "escrow:milestone_send_back": consumer(MILESTONE),
    "escrow:dispute_open": consumer(RENTAL),
    "escrow:dispute_withdraw": consumer(DISPUTE),
    "escrow:dispute_answer": consumer(DISPUTE),
    "escrow:claim_file": consumer({"agreement_id": lambda w: w.renovation.pk}),
    "escrow_portal:detail": partner("landlord", RENTAL),
    "escrow_portal:accept": partner("landlord", RENTAL),
    "escrow_portal:condition_confirm": partner("landlord", CONDITION),
    "escrow_portal:condition_evidence": partner("landlord", CONDITION),
    "escrow_portal:evidence_file": partner("landlord", EVIDENCE),
    "escrow_portal:milestone_submit": partner("contractor", MILESTONE),
    "escrow_portal:dispute_open": partner("landlord", RENTAL),
    "escrow_portal:dispute_withdraw": partner("landlord", DISPUTE),
    "escrow_portal:dispute_answer": partner("landlord", DISPUTE),
    # payments pages
    "payments_pages:sync": consumer({"payment_id": lambda w: w.payment_of(w.booking).pk}),
    "payments_pages:status": consumer({"payment_id": lambda w: w.payment_of(w.booking).pk}),
    "payments_pages:refund_account": consumer({"refund_id": lambda w: w.refund.pk}),
    # bookings pages
    "bookings:booking": consumer(BOOKING),
    "bookings:checkout": consumer({**BOOKING, "payment_id": lambda w: w.payment_of(w.booking).pk}),
    "bookings:cancel": consumer(BOOKING),
    "bookings:swap": consumer(OFFERED),
    "bookings:offer": consumer({"token": lambda w: w.offer_token}),
    "bookings:refusal": consumer(BOOKING),
    "bookings:review": consumer(BOOKING),
    "bookings:no_show_dispute": consumer(BOOKING),
    "bookings_portal:stay_mark": partner("lodging", BOOKING),
    "bookings_portal:review_answer": partner("lodging", REVIEW),
    "bookings_portal:review_report": partner("lodging", REVIEW),
    "bookings_portal:property": partner("lodging", {"property_id": lambda w: w.room_type.property_id}),
    "bookings_portal:photo_add": partner("lodging", {"property_id": lambda w: w.room_type.property_id}),
    "bookings_portal:room_type_new": partner("lodging", {"property_id": lambda w: w.room_type.property_id}),
    "bookings_portal:room_type": partner(
        "lodging",
        {"property_id": lambda w: w.room_type.property_id, "room_type_id": lambda w: w.room_type.pk},
    ),
    "bookings_portal:calendar": partner("lodging", {"room_type_id": lambda w: w.room_type.pk}),
    "bookings_portal:booking": partner("lodging", BOOKING),
    "bookings_portal:refusal": partner("lodging", {"case_id": lambda w: w.reported_case.pk}),
    "bookings_portal:feed_import": partner(
        "lodging", {"feed_id": lambda w: CalendarFeedFactory(room_type=w.room_type).pk}
    ),
    "bookings_portal:conflict": partner(
        "lodging", {"conflict_id": lambda w: ConflictFactory(booking=w.booking).pk}
    ),
    # listings portal: the brokerage's and the landlord's
    "listings_portal:detail": partner("brokerage", LISTING),
    "listings_portal:edit": partner("brokerage", LISTING),
    "listings_portal:publish": partner("brokerage", LISTING),
    "listings_portal:close": partner("brokerage", LISTING),
    "listings_portal:refresh": partner("brokerage", LISTING),
    "listings_portal:photo_add": partner("brokerage", LISTING),
    "listings_portal:photo_remove": partner("brokerage", {**LISTING, "photo_id": lambda w: w.photo.pk}),
    "listings_portal:verify": partner("brokerage", LISTING),
    "listings_portal:contact_answer": partner("brokerage", CONTACT, body={"answer": "available"}),
    "listings:contact_outcome": consumer({"contact_id": lambda w: w.contact.pk}),
    "listings_portal:report": partner("brokerage", {"report_id": lambda w: w.report.pk}),
    "listings_portal:appeal": partner("brokerage", {"strike_id": lambda w: w.strike.pk}),
    "listings_portal:appeal_evidence": partner(
        "brokerage", {"strike_id": lambda w: w.strike.pk, "evidence_id": lambda w: w.appeal_evidence.pk}
    ),
    "listings_portal:landlord_unlink": partner("landlord", {"listing_id": lambda w: w.claimed_listing.pk}),
    # the API: partners and members
    "api:partner": partner(
        "lodging", {"partner_id": lambda w: w.partner("lodging").pk}, intruders=("lodging", "consumer")
    ),
    "api:member": partner(
        "lodging",
        {
            "membership_id": lambda w: (
                MembershipFactory(partner=w.partner("lodging"), role=Membership.Role.STAFF).pk
            )
        },
    ),
    # masking API
    "api:masking_api:session": partner("lodging", SESSION),
    "api:masking_api:close": partner("lodging", SESSION),
    "api:masking_api:text": partner("lodging", SESSION, body={"body": "곧 도착합니다"}),
    "api:masking_api:call": partner("lodging", SESSION),
    # escrow API: every agreement route, as another consumer and as a member of another payee
    "api:escrow_api:agreement": both("landlord", RENTAL),
    "api:escrow_api:accept": both("landlord", RENTAL, body={"terms_hash": "0" * 64}),
    "api:escrow_api:payments": both("landlord", RENTAL, body={"method": "card"}),
    "api:escrow_api:condition_confirm": both("landlord", CONDITION),
    "api:escrow_api:condition_evidence": both("landlord", CONDITION),
    "api:escrow_api:milestone_submit": both("contractor", MILESTONE, owner="contractor"),
    "api:escrow_api:milestone_approve": both("contractor", MILESTONE),
    "api:escrow_api:disputes": both("landlord", RENTAL, body={"reasons": "열쇠를 받지 못했습니다"}),
    "api:escrow_api:dispute_evidence": both("landlord", DISPUTE),
    "api:escrow_api:dispute_withdraw": both("landlord", DISPUTE),
    "api:escrow_api:claims": both(
        "contractor",
        {"agreement_id": lambda w: w.renovation.pk},
        body={"accident": "vanished", "description": "연락 두절", "amount_krw": 1_000_000},
    ),
    # bookings API: the guest's and the property's
    "api:bookings_api:offer_accept": consumer({"token": lambda w: w.offer_token}),
    "api:bookings_api:detail": consumer(BOOKING),
    "api:bookings_api:cancel": consumer(BOOKING),
    "api:bookings_api:case": consumer(OFFERED),
    "api:bookings_api:case_swap": consumer(OFFERED),
    "api:bookings_api:partner_cancel": partner("lodging", BOOKING, body={"reason": "overbooked"}),
    "api:bookings_api:case_report": consumer(BOOKING),
    "api:bookings_api:partner_case_confirm": partner("lodging", {"case_id": lambda w: w.reported_case.pk}),
    "api:bookings_api:partner_case_contest": partner(
        "lodging", {"case_id": lambda w: w.reported_case.pk}, body={"statement": "객실이 준비되어 있었습니다"}
    ),
    "api:bookings_api:partner_calendar": partner("lodging", {"room_type_id": lambda w: w.room_type.pk}),
    "api:bookings_api:partner_check_in": partner("lodging", BOOKING),
    "api:bookings_api:partner_check_out": partner("lodging", BOOKING),
    "api:bookings_api:partner_no_show": partner("lodging", BOOKING),
    "api:bookings_api:partner_review_answer": partner("lodging", REVIEW, body={"answer": "감사합니다"}),
    "api:bookings_api:partner_review_report": partner("lodging", REVIEW, body={"reason": "허위"}),
    "api:bookings_api:review": consumer({"code": lambda w: w.review.booking.code}),
    "api:bookings_api:no_show_dispute": consumer(BOOKING, body={"statement": "도착했어요"}),
    "api:bookings_api:partner_feed_import": partner(
        "lodging", {"feed_id": lambda w: CalendarFeedFactory(room_type=w.room_type).pk}
    ),
    "api:bookings_api:partner_conflict_resolve": partner(
        "lodging", {"conflict_id": lambda w: ConflictFactory(booking=w.booking).pk}, body={"keep_ours": True}
    ),
    # listings API: the brokerage's and the landlord's
    "api:listings_api:partner_listing": partner("brokerage", LISTING),
    "api:listings_api:partner_publish": partner("brokerage", LISTING),
    "api:listings_api:partner_close": partner("brokerage", LISTING),
    "api:listings_api:partner_refresh": partner("brokerage", LISTING),
    "api:listings_api:partner_photos": partner("brokerage", LISTING),
    "api:listings_api:partner_verifications": partner("brokerage", LISTING),
    "api:listings_api:partner_contacts": partner("brokerage", LISTING),
    "api:listings_api:partner_contact_answer": partner("brokerage", CONTACT, body={"answer": "available"}),
    "api:listings_api:contact_outcome": consumer(
        {"contact_id": lambda w: w.contact.pk}, body={"outcome": "viewed"}
    ),
    "api:listings_api:partner_respond": partner("brokerage", {"report_id": lambda w: w.report.pk}),
    "api:listings_api:partner_appeal": partner("brokerage", {"strike_id": lambda w: w.strike.pk}),
    "api:listings_api:landlord_unlink": partner("landlord", {"listing_id": lambda w: w.claimed_listing.pk}),
}


# --- the sweep -----------------------------------------------------------------------------------


def _ask(name: str, url: str, user, body: dict):
    """GET the route, or POST it where GET is not allowed, as `user` (the API with a token-less login)."""
    if name.startswith("api:"):
        client = APIClient(raise_request_exception=False)
        client.force_authenticate(user)
        answer = client.get(url)
        if answer.status_code == 405:
            answer = client.post(url, body, format="json")
        return answer
    client = Client(raise_request_exception=False)
    client.force_login(user)
    answer = client.get(url)
    if answer.status_code == 405:
        answer = client.post(url, body)
    return answer


def test_every_route_that_names_an_object_is_swept_or_exempt_with_a_reason():
    routes = object_routes()
    unexplained = [name for name in routes if name not in SWEEPS and not _exempt(name)]
    assert not unexplained, f"Add these routes to SWEEPS (or to EXEMPT, with the reason): {unexplained}"
    stale = [name for name in [*SWEEPS, *EXEMPT] if not name.endswith(":") and name not in routes]
    assert not stale, f"These routes are gone from the URL conf: {stale}"


@pytest.fixture(autouse=True)
def _english(settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("name", [name for name in object_routes() if name in SWEEPS])
def test_another_tenant_gets_a_404(name, settled):
    sweep = SWEEPS[name]
    world = World()
    with settled():
        kwargs = {key: build(world) for key, build in sweep.kwargs.items()}
        intruders = sweep.intruder_users(world)
        owner = sweep.owner_user(world)
    url = reverse(name, kwargs=kwargs)
    for intruder in intruders:
        answer = _ask(name, url, intruder, sweep.body)
        assert answer.status_code == 404, f"{url} as {intruder.email}: {answer.status_code}"
    control = _ask(name, url, owner, sweep.body)
    assert control.status_code != 404, f"{url} as its owner: 404, so the sweep proves nothing"
