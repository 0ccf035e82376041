"""Issue 15, item 2: the consumer site, the owner portal and the inspector page read in Korean.

Every page is rendered in Korean for each kind of person — a visitor, a consumer (with everything and
with nothing yet), the owners of a lodging, a brokerage and a landlord, an inspector — over the demo
data plus the states the demo lacks (a cancelled stay, a disputed deposit, an inquiry), in its notable
states and with its form errors shown after a bad POST. A page fails on any English word or raw code
a Korean reader would see (tests/korean_text.py). The URLs come from the urls.py files: a page added
there that this walk does not visit fails `test_the_walk_visits_every_page_of_the_site`.
"""

import io
from collections.abc import Callable

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from bookings.models import Booking, Conflict, GuaranteeCandidate, GuaranteeCase, Review
from escrow.models import EscrowAgreement
from listings.models import Inspection, Listing, ListingContact, Report, Strike, Verification
from tests.factories import UserFactory
from tests.korean_text import catalogue_gaps, english_snippets
from trustplatform.accounts.models import User
from trustplatform.partners.models import Membership
from trustplatform.payments.models import Payment, Refund
from trustplatform.support.models import Inquiry

PO = settings.BASE_DIR / "locale" / "ko" / "LC_MESSAGES" / "django.po"

# Not pages of this walk: the admin and the API have their own checks; the rest answer machines.
OUTSIDE = ("admin/", "api/", "hooks/", "i18n/", "healthz/")

# Addresses that render no page of their own, and why.
NOT_PAGES = {
    **dict.fromkeys([
        "bookings:cancel", "bookings:swap", "bookings:review_report", "bookings_portal:photo_add",
        "bookings_portal:feed_import", "bookings_portal:stay_mark", "bookings_portal:review_report",
        "escrow:accept", "escrow:pay", "escrow:condition_confirm", "escrow:condition_evidence",
        "escrow:milestone_approve", "escrow:milestone_send_back", "escrow:dispute_open",
        "escrow:dispute_withdraw", "escrow:dispute_answer", "escrow:claim_file",
        "escrow_portal:accept", "escrow_portal:condition_confirm", "escrow_portal:condition_evidence",
        "escrow_portal:milestone_submit", "escrow_portal:dispute_open", "escrow_portal:dispute_withdraw",
        "escrow_portal:dispute_answer", "listings:contact", "listings:deposit", "listings:wasted_trip",
        "listings_portal:publish", "listings_portal:close", "listings_portal:refresh",
        "listings_portal:photo_add", "listings_portal:photo_remove", "listings_portal:verify",
        "listings_portal:landlord_unlink", "listings_portal:contact_answer", "masking:preference",
        "masking:block", "masking:unblock",
        "masking_portal:call", "masking_portal:text", "masking_portal:close", "masking_portal:block",
        "accounts:notification_read", "accounts:logout", "portal:switch", "payments_pages:sync",
    ], "a button's POST, answered on the page that shows the button"),
    **dict.fromkeys([
        "escrow:evidence_file", "escrow_portal:evidence_file", "listings_portal:appeal_evidence",
        "bookings:ical_export",
    ], "a file, not a page"),
    "payments_pages:status": "JSON that pages waiting for the provider poll",
    "partners:identity_sandbox": "the sandbox's stand-in for the identity provider's own page",
    "accounts:second_factor": "staff only, checked with the admin",
    "accounts:second_factor_setup": "staff only, checked with the admin",
}


def _site_names(resolver=None, namespace="", prefix="") -> set[str]:
    """The names of every address of the consumer site, the portal and the inspector page."""
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(OUTSIDE):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _site_names(pattern, inner, route)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo data, seeded once for the module and rolled back after it; each test runs in a savepoint."""
    # Seeded in Korean, as a Korean operator's platform runs, whatever an earlier test left active.
    with django_db_blocker.unblock(), transaction.atomic(), translation.override("ko"):
        call_command("seed_demo", stdout=io.StringIO())
        User.objects.update(language="ko")
        _states_the_demo_lacks()
        yield
        transaction.set_rollback(True)


def _states_the_demo_lacks():
    from bookings.services.stays import booking_cancel_by_guest
    from escrow.services.disputes import dispute_open
    from trustplatform.support.services import inquiry_open

    consumer = User.objects.get(email="consumer@demo.ansim.kr")
    funded = EscrowAgreement.objects.filter(payer=consumer, status=EscrowAgreement.Status.FUNDED).first()
    if funded is not None:
        dispute_open(agreement=funded, actor=consumer, reasons="집 상태가 계약과 달라 반환을 요청해요.")
    confirmed = Booking.objects.filter(guest=consumer, status=Booking.Status.CONFIRMED).order_by("-check_in")
    if confirmed.count() > 1:
        booking_cancel_by_guest(booking=confirmed.first(), actor=consumer, reason="일정이 바뀌었어요.")
    inquiry_open(user=consumer, category=Inquiry.Category.choices[0][0], message="환불은 언제 되나요?")
    # The property answers a guest who says it turned them away (the demo's cases all began as cancellations).
    from bookings.services.refusals import case_report

    for booking in Booking.objects.filter(status=Booking.Status.CONFIRMED).order_by("check_in"):
        if not GuaranteeCase.objects.filter(booking=booking).exists():
            case_report(booking=booking, actor=booking.guest, note="도착했는데 방이 없다고 했어요.")
            break
    UserFactory(email="empty@demo.ansim.kr", full_name="한가은", language="ko",
                phone_verified_at=timezone.now())


def _client(email: str | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    if email:
        client.force_login(User.objects.get(email=email))
    return client


def _partner(email: str):
    return Membership.objects.filter(user__email=email).select_related("partner").first().partner


def _paths(name: str, objects, key: Callable, label: Callable = str) -> list[tuple[str, str]]:
    return [(f"{name} ({label(thing)})", reverse(name, kwargs=key(thing))) for thing in objects]


def _one_per_status(queryset) -> list:
    """One object of each status: pages differ by state, not by row."""
    chosen = {}
    for thing in queryset:
        chosen.setdefault(thing.status, thing)
    return list(chosen.values())


def visitor_pages() -> list[tuple[str, str]]:
    user = User.objects.get(email="consumer@demo.ansim.kr")
    reset = {"uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
             "token": default_token_generator.make_token(user)}
    from listings.services.verification import owner_link_token
    from trustplatform.accounts.services import SIGNUP_SALT

    verification = Verification.objects.first()
    pages = [(name, reverse(name)) for name in [
        "home", "accounts:login", "accounts:signup", "accounts:signup_sent", "accounts:password_reset",
        "accounts:password_reset_done", "accounts:password_reset_complete", "bookings:search",
        "listings:search",
    ]]
    pages += [
        ("accounts:signup_finish", reverse("accounts:signup_finish", kwargs={
            "token": signing.dumps({"email": "new@demo.ansim.kr"}, salt=SIGNUP_SALT)})),
        ("accounts:password_reset_confirm", reverse("accounts:password_reset_confirm", kwargs=reset)),
        ("bookings:search (dates)", reverse("bookings:search") + "?check_in=2027-03-01&check_out=2027-03-03"),
    ]
    pages += _paths("bookings:property", Booking.objects.values_list("property_id", flat=True).distinct()[:2],
                    lambda pk: {"property_id": pk})
    pages += _paths("listings:detail", Listing.objects.filter(status__in=["published", "verified"])[:3],
                    lambda listing: {"listing_id": listing.pk})
    if verification is not None:
        pages.append(("listings:owner_confirm", reverse("listings:owner_confirm",
                                                        kwargs={"token": owner_link_token(verification)})))
    return pages


def consumer_pages() -> list[tuple[str, str]]:
    consumer = User.objects.get(email="consumer@demo.ansim.kr")
    bookings = _one_per_status(Booking.objects.filter(guest=consumer).order_by("-pk"))
    agreements = _one_per_status(EscrowAgreement.objects.filter(payer=consumer).order_by("-pk"))
    pages = [(name, reverse(name)) for name in [
        "accounts:profile", "accounts:phone_verify", "bookings:my_bookings", "escrow:list",
        "listings:my_reports", "masking:mine", "support:list", "support:ask", "partners:apply",
        "partners:apply_individual", "partners:status", "payments_pages:credit",
    ]]
    pages += _paths("bookings:booking", bookings, lambda booking: {"code": booking.code},
                    lambda booking: booking.status)
    pages += _paths("bookings:book", Booking.objects.values_list("room_type_id", flat=True).distinct()[:1],
                    lambda pk: {"room_type_id": pk})
    pending = [booking for booking in bookings if booking.status == Booking.Status.PENDING_PAYMENT]
    for booking in pending:
        for payment in Payment.objects.filter(payer=consumer, subject_id=booking.pk)[:1]:
            pages.append(("bookings:checkout", reverse("bookings:checkout", kwargs={
                "code": booking.code, "payment_id": payment.pk})))
    done = [b for b in bookings if b.status in (Booking.Status.COMPLETED, Booking.Status.NO_SHOW)]
    pages += _paths("bookings:review", [b for b in done if b.status == Booking.Status.COMPLETED and
                                        not Review.objects.filter(booking=b).exists()][:1] or done[:1],
                    lambda booking: {"code": booking.code})
    pages += _paths("bookings:no_show_dispute", [b for b in done if b.status == Booking.Status.NO_SHOW],
                    lambda booking: {"code": booking.code})
    pages += _paths("bookings:refusal", [b for b in bookings if b.status == Booking.Status.CONFIRMED][:1],
                    lambda booking: {"code": booking.code})
    candidate = (GuaranteeCandidate.objects.filter(case__booking__guest=consumer).exclude(accept_token="")
                 .first())
    if candidate is not None:
        pages.append(("bookings:offer", reverse("bookings:offer", kwargs={"token": candidate.accept_token})))
    pages += _paths("escrow:detail", agreements, lambda agreement: {"agreement_id": agreement.pk},
                    lambda agreement: agreement.status)
    for payment in Payment.objects.filter(payer=consumer, subject_type__model="escrowagreement")[:1]:
        pages.append(("escrow:checkout", reverse("escrow:checkout", kwargs={
            "agreement_id": payment.subject_id, "payment_id": payment.pk})))
    pages += _paths("payments_pages:refund_account", Refund.objects.filter(payment__payer=consumer)[:1],
                    lambda refund: {"refund_id": refund.pk})
    pages += _paths("listings:report", Listing.objects.filter(status="published")[:1],
                    lambda listing: {"listing_id": listing.pk})
    # The demo's enquiries: one answered "saw it as listed", one "offered another home" (the report prompt).
    pages += _paths("listings:contact_outcome", ListingContact.objects.filter(consumer=consumer),
                    lambda contact: {"contact_id": contact.pk}, lambda contact: contact.outcome)
    pages += _paths("support:detail", Inquiry.objects.filter(requester=consumer),
                    lambda inquiry: {"inquiry_id": inquiry.pk})
    return pages


def empty_pages() -> list[tuple[str, str]]:
    return [(f"{name} (empty)", reverse(name)) for name in [
        "accounts:profile", "bookings:my_bookings", "escrow:list", "listings:my_reports", "masking:mine",
        "support:list", "payments_pages:credit",
    ]]


def _portal_common() -> list[tuple[str, str]]:
    return [(name, reverse(name)) for name in ["portal:dashboard", "portal:team", "payments_portal:payouts"]]


def lodging_pages() -> list[tuple[str, str]]:
    partner = _partner("lodging@demo.ansim.kr")
    bookings = _one_per_status(Booking.objects.filter(property__partner=partner).order_by("-pk"))
    pages = _portal_common() + [(name, reverse(name)) for name in [
        "bookings_portal:dashboard", "bookings_portal:property_new", "bookings_portal:bookings",
        "bookings_portal:feeds", "bookings_portal:refusals", "bookings_portal:reviews",
    ]]
    pages += _paths("portal:member", Membership.objects.filter(partner=partner)[:1],
                    lambda membership: {"membership_id": membership.pk})
    from bookings.models import Property, RoomType

    properties = Property.objects.filter(partner=partner)[:1]
    pages += _paths("bookings_portal:property", properties, lambda prop: {"property_id": prop.pk})
    pages += _paths("bookings_portal:room_type_new", properties, lambda prop: {"property_id": prop.pk})
    rooms = RoomType.objects.filter(property__partner=partner)[:1]
    pages += _paths("bookings_portal:room_type", rooms,
                    lambda room: {"property_id": room.property_id, "room_type_id": room.pk})
    pages += _paths("bookings_portal:calendar", rooms, lambda room: {"room_type_id": room.pk})
    pages += _paths("bookings_portal:booking", bookings, lambda booking: {"code": booking.code},
                    lambda booking: booking.status)
    pages += _paths("bookings_portal:conflict", Conflict.objects.filter(booking__property__partner=partner),
                    lambda conflict: {"conflict_id": conflict.pk})
    pages += _paths("bookings_portal:review_answer", Review.objects.filter(property__partner=partner)[:1],
                    lambda review: {"review_id": review.pk})
    pages += [("masking_portal:sessions", reverse("masking_portal:sessions"))]
    return pages


def brokerage_pages() -> list[tuple[str, str]]:
    partner = _partner("broker@demo.ansim.kr")
    listings = _one_per_status(Listing.objects.filter(partner=partner).order_by("-pk"))
    pages = _portal_common() + [(name, reverse(name)) for name in [
        "listings_portal:list", "listings_portal:create", "listings_portal:reports",
        "listings_portal:strikes", "listings_portal:badge", "escrow_portal:list", "escrow_portal:propose",
        "escrow_portal:payouts",
    ]]
    pages += _paths("listings_portal:detail", listings, lambda listing: {"listing_id": listing.pk},
                    lambda listing: listing.status)
    pages += _paths("listings_portal:edit", listings[:1], lambda listing: {"listing_id": listing.pk})
    pages += _paths("listings_portal:report", Report.objects.filter(listing__partner=partner),
                    lambda report: {"report_id": report.pk}, lambda report: report.status)
    pages += _paths("listings_portal:appeal", Strike.objects.filter(partner=partner),
                    lambda strike: {"strike_id": strike.pk})
    return pages


def landlord_pages() -> list[tuple[str, str]]:
    partner = _partner("landlord@demo.ansim.kr")
    agreements = _one_per_status(EscrowAgreement.objects.filter(payee=partner).order_by("-pk"))
    pages = _portal_common() + [(name, reverse(name)) for name in [
        "escrow_portal:list", "escrow_portal:propose", "listings_portal:landlord",
    ]]
    pages += _paths("escrow_portal:detail", agreements, lambda agreement: {"agreement_id": agreement.pk},
                    lambda agreement: agreement.status)
    return pages


def inspector_pages() -> list[tuple[str, str]]:
    inspector = User.objects.get(email="inspector@demo.ansim.kr")
    pages = [("listings:inspector_queue", reverse("listings:inspector_queue"))]
    pages += _paths("listings:inspection", _one_per_status(
        Inspection.objects.filter(inspector__in=[inspector, None]).exclude(status="done").order_by("-pk")),
        lambda inspection: {"inspection_id": inspection.pk}, lambda inspection: inspection.status)
    return pages


def _owner_email(partner) -> str:
    return Membership.objects.filter(partner=partner).values_list("user__email", flat=True).first()


def second_guest_pages() -> list[tuple[str, str]]:
    guest = User.objects.get(email="consumer2@demo.ansim.kr")
    bookings = _one_per_status(Booking.objects.filter(guest=guest).order_by("-pk"))
    pages = _paths("bookings:booking", bookings, lambda booking: {"code": booking.code},
                   lambda booking: booking.status)
    pages += _paths("bookings:no_show_dispute", [b for b in bookings if b.status == Booking.Status.NO_SHOW],
                    lambda booking: {"code": booking.code})
    # A paid booking's checkout goes on to the booking: the page a guest who comes back sees.
    for payment in Payment.objects.filter(payer=guest, subject_type__model="booking")[:1]:
        code = Booking.objects.get(pk=payment.subject_id).code
        pages.append(("bookings:checkout", reverse("bookings:checkout", kwargs={
            "code": code, "payment_id": payment.pk})))
    return pages


def second_lodging_pages() -> list[tuple[str, str]]:
    """The demo's second lodging holds its channel conflict."""
    return _paths("bookings_portal:conflict", Conflict.objects.all()[:1],
                  lambda conflict: {"conflict_id": conflict.pk})


def _turned_away():
    """Cases where a guest said the property turned them away (not those it opened by cancelling)."""
    return GuaranteeCase.objects.exclude(origin=GuaranteeCase.Origin.CANCELLED).order_by("-pk")


def turned_away_pages() -> list[tuple[str, str]]:
    partner = _turned_away().first().booking.property.partner
    return _paths("bookings_portal:refusal", _one_per_status(_turned_away().filter(
        booking__property__partner=partner)), lambda case: {"case_id": case.pk}, lambda case: case.status)


def second_brokerage_pages() -> list[tuple[str, str]]:
    """The demo's second brokerage holds its report awaiting an answer and its strike under appeal."""
    pages = _paths("listings_portal:report", Report.objects.all()[:1],
                   lambda report: {"report_id": report.pk}, lambda report: report.status)
    pages += _paths("listings_portal:appeal", Strike.objects.all()[:1],
                    lambda strike: {"strike_id": strike.pk})
    return pages


def sandbox_pages() -> list[tuple[str, str]]:
    """The sandbox's safe-number tools: shown to staff (and to everyone on a development machine)."""
    return [(name, reverse(name)) for name in ["masking:demo_order", "masking:simulator"]]


ROLES = {
    "visitor": (None, visitor_pages),
    "consumer": ("consumer@demo.ansim.kr", consumer_pages),
    "consumer with nothing yet": ("empty@demo.ansim.kr", empty_pages),
    "lodging owner": ("lodging@demo.ansim.kr", lodging_pages),
    "brokerage owner": ("broker@demo.ansim.kr", brokerage_pages),
    "landlord": ("landlord@demo.ansim.kr", landlord_pages),
    "inspector": ("inspector@demo.ansim.kr", inspector_pages),
    "agent on the sandbox's tools": ("agent@demo.ansim.kr", sandbox_pages),
    "second guest": ("consumer2@demo.ansim.kr", second_guest_pages),
    "second lodging owner": (
        lambda: _owner_email(Conflict.objects.first().booking.property.partner), second_lodging_pages),
    "lodging owner a guest says turned them away": (
        lambda: _owner_email(_turned_away().first().booking.property.partner), turned_away_pages),
    "second brokerage owner": (
        lambda: _owner_email(Report.objects.first().listing.partner), second_brokerage_pages),
}


def _bad_posts() -> list[tuple[str | None, str, str, dict]]:
    """(who, label, path, data): forms sent empty or wrong, so their errors show."""
    consumer = User.objects.get(email="consumer@demo.ansim.kr")
    room = Booking.objects.values_list("room_type_id", flat=True).first()
    listing = Listing.objects.filter(status="published").first()
    done = Booking.objects.filter(guest=consumer, status=Booking.Status.COMPLETED).first()
    property_id = Booking.objects.filter(property__partner=_partner("lodging@demo.ansim.kr")).values_list(
        "property_id", flat=True).first()
    inspection = Inspection.objects.filter(status="queued").first()
    enquiry = ListingContact.objects.filter(consumer=consumer).first()
    return [
        (None, "accounts:login (wrong password)", reverse("accounts:login"),
         {"username": "consumer@demo.ansim.kr", "password": "wrong"}),
        (None, "accounts:signup (bad e-mail)", reverse("accounts:signup"), {"email": "not-an-email"}),
        (None, "accounts:password_reset (empty)", reverse("accounts:password_reset"), {}),
        ("consumer@demo.ansim.kr", "bookings:book (empty)", reverse("bookings:book", args=[room]), {}),
        ("consumer@demo.ansim.kr", "bookings:book (dates backwards)", reverse("bookings:book", args=[room]),
         {"check_in": "2027-03-05", "check_out": "2027-03-01", "guests": "2"}),
        ("consumer@demo.ansim.kr", "listings:report (empty)", reverse("listings:report", args=[listing.pk]),
         {}),
        ("consumer@demo.ansim.kr", "listings:contact_outcome (empty)",
         reverse("listings:contact_outcome", args=[enquiry.pk]),
         {}),
        ("consumer@demo.ansim.kr", "bookings:review (empty)", reverse("bookings:review", args=[done.code]),
         {}),
        ("consumer@demo.ansim.kr", "support:ask (empty)", reverse("support:ask"), {}),
        ("consumer@demo.ansim.kr", "accounts:phone_verify (wrong code)", reverse("accounts:phone_verify"),
         {"code": "000000"}),
        ("consumer@demo.ansim.kr", "partners:apply (empty)", reverse("partners:apply"), {}),
        ("lodging@demo.ansim.kr", "bookings_portal:property_new (empty)",
         reverse("bookings_portal:property_new"), {}),
        ("lodging@demo.ansim.kr", "bookings_portal:room_type_new (empty)",
         reverse("bookings_portal:room_type_new", args=[property_id]), {}),
        ("lodging@demo.ansim.kr", "bookings_portal:feeds (bad address)", reverse("bookings_portal:feeds"),
         {"url": "not a url"}),
        ("broker@demo.ansim.kr", "listings_portal:create (empty)", reverse("listings_portal:create"), {}),
        ("landlord@demo.ansim.kr", "escrow_portal:propose (empty)", reverse("escrow_portal:propose"), {}),
        ("inspector@demo.ansim.kr", "listings:inspection (empty)",
         reverse("listings:inspection", args=[inspection.pk]), {}),
    ]


def _english(response) -> list[str]:
    return english_snippets(response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_reads_in_korean(world, role):
    email, pages = ROLES[role]
    email = email() if callable(email) else email
    client = _client(email)
    found, broken = {}, {}
    for label, path in pages():
        response = client.get(path, follow=True)  # the reset link goes on to its own address
        if response.status_code != 200 or (email and response.resolver_match.view_name == "accounts:login"):
            broken[label] = f"{path} answered {response.status_code} at {response.request['PATH_INFO']}"
            continue
        if english := _english(response):
            found[f"{label} {path}"] = english
    assert broken == {}
    assert found == {}, "\n".join(f"{page}: {words}" for page, words in found.items())


@pytest.mark.django_db
def test_form_errors_read_in_korean(world):
    found, broken = {}, {}
    for email, label, path, data in _bad_posts():
        response = _client(email).post(path, data)
        if response.status_code not in (200, 400, 409):
            broken[label] = f"{path} answered {response.status_code}"
            continue
        if english := _english(response):
            found[label] = english
    assert broken == {}
    assert found == {}, "\n".join(f"{page}: {words}" for page, words in found.items())


@pytest.mark.django_db
def test_the_walk_visits_every_page_of_the_site(world):
    walked = {
        resolve(path.split("?")[0]).view_name for _email, pages in ROLES.values() for _label, path in pages()
    }
    walked |= {resolve(path).view_name for _email, _label, path, _data in _bad_posts()}
    assert sorted(_site_names() - walked - set(NOT_PAGES)) == []
    assert sorted(set(NOT_PAGES) - _site_names()) == []  # a page removed from the site leaves this list too


def test_the_korean_catalogue_has_no_missing_or_fuzzy_translations():
    assert catalogue_gaps(PO) == []
