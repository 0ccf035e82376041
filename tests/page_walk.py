"""The main pages of the site, as the people who use them see them on the demo's data (`seed_demo`).

`people()` names, for each kind of person, the pages they open, each under a stable name (the name of
its screenshots); tests/e2e/test_page_gates.py walks them in Chromium. The demo's photos are public
media, which only a web server in front of the site serves in production: the walk points the live
server at this module as its URLconf, the site's own routes plus /media/.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.urls import include, path, re_path
from django.utils import timezone
from django.views.static import serve

from bookings.models import Booking, GuaranteeCase, Property
from escrow.demo import RENOVATION_TITLE
from escrow.models import EscrowAgreement
from escrow.services.disputes import dispute_open
from listings import selectors as listing_selectors
from listings.demo import REGISTRY_LISTING
from listings.models import Listing
from trustplatform import urls as site_urls
from trustplatform.accounts.models import User

urlpatterns = [
    re_path(r"^media/(?P<path>.*)$", lambda request, path: serve(request, path, settings.MEDIA_ROOT)),
    path("", include(site_urls)),
]
# Error pages are the site's own: Django looks their views up on the root URLconf.
for _handler in ("handler400", "handler403", "handler404", "handler500"):
    if hasattr(site_urls, _handler):
        globals()[_handler] = getattr(site_urls, _handler)


@dataclass(frozen=True)
class Stop:
    """One page: `name` is stable (e.g. "stays-search"), `path` found on the seeded data, and what the
    page must show for the walk to mean anything (`shows`, a CSS selector: results, photos, a timeline)."""

    name: str
    path: str
    shows: str = "#main, #content"
    status: int = 200
    frame: str = ""  # what a screenshot should open on, when it is not the top of the page


@dataclass
class Person:
    """Who walks (None: a visitor), whether they sign in to the admin with a second factor, the pages
    they open in order, and what happens in the product before they walk (another person's act)."""

    email: str | None
    stops: list[Stop]
    staff: bool = False
    before: Callable[[], None] | None = field(default=None, repr=False)


def _stay_query(days_ahead: int = 7, nights: int = 2) -> str:
    check_in = timezone.localdate() + timedelta(days=days_ahead)
    return f"check_in={check_in}&check_out={check_in + timedelta(days=nights)}&guests=2"


def _renovation() -> EscrowAgreement:
    return EscrowAgreement.objects.get(title=RENOVATION_TITLE)


def _renovation_disputed() -> None:
    """김민지 disputes the renovation's remaining work: the contractor then has a dispute to answer."""
    agreement = _renovation()
    if agreement.status == EscrowAgreement.Status.FUNDED:
        reasons = "욕실 방수 공사 후 아래층 천장에 물이 샙니다. 재시공 전에는 잔금을 드릴 수 없어요."
        dispute_open(agreement=agreement, actor=agreement.payer, reasons=reasons)


def people() -> list[Person]:
    """The walk, on the data `seed_demo` made."""
    hotel = Property.objects.get(name="해운대 오션뷰 호텔")
    deluxe = hotel.room_types.get(name="디럭스 오션뷰")
    # The owner whose day has the most in it: a booking of theirs collides with an Airbnb stay.
    boutique = Property.objects.get(name="마린시티 부티크 스테이")
    penthouse = boutique.room_types.get(name="펜트하우스 스위트")
    confirmed = Booking.objects.filter(status=Booking.Status.CONFIRMED)
    collided = confirmed.filter(room_type=penthouse).earliest("check_in")
    calendar = f"/portal/stays/rooms/{penthouse.pk}/calendar/?month={collided.check_in:%Y-%m}"
    minji = User.objects.get(email="consumer@demo.ansim.kr")
    upcoming = confirmed.filter(guest=minji).latest("check_in")
    junho = User.objects.get(email="consumer2@demo.ansim.kr")
    offered = Booking.objects.get(guest=junho, room_type__property__name="광안리 바다호텔",
                                  status=Booking.Status.CANCELLED_BY_PROPERTY)
    listing = Listing.objects.get(title=REGISTRY_LISTING)
    waiting = GuaranteeCase.objects.get(booking__room_type__property__name="기장 솔바람 펜션")
    inspector = User.objects.get(email="inspector@demo.ansim.kr")
    inspection = listing_selectors.inspector_queue(user=inspector).first()
    stay = _stay_query()
    return [
        Person(None, [
            Stop("home", "/"),
            Stop("login", "/accounts/login/"),
            Stop("signup", "/accounts/signup/"),
            Stop("stays-search", f"/stays/?place=haeundae&{stay}", "li.stay-result img"),
            Stop("stays-property", f"/stays/p/{hotel.pk}/?{stay}", ".gallery img"),
            Stop("homes-search", "/homes/", "[data-listing] img"),
            Stop("homes-listing", f"/homes/{listing.pk}/", ".gallery img"),
            Stop("not-found", "/stays/p/999999/", status=404),
        ]),
        Person("consumer@demo.ansim.kr", [
            Stop("stays-book", f"/stays/book/{deluxe.pk}/?{stay}"),
            Stop("stays-booking", f"/stays/bookings/{upcoming.code}/"),
            Stop("stays-my-bookings", "/stays/bookings/"),
            Stop("deposit-timeline", f"/deposits/{_renovation().pk}/", "#timeline", frame="#timeline"),
            Stop("deposits", "/deposits/"),
            Stop("account", "/accounts/me/"),
            Stop("credit", "/payments/credit/"),
        ]),
        Person("consumer2@demo.ansim.kr", [
            Stop("stays-booking-offers", f"/stays/bookings/{offered.code}/"),
            Stop("homes-my-reports", "/homes/my-reports/"),
        ]),
        Person("marine@demo.ansim.kr", [
            Stop("portal-home", "/portal/", "[data-agenda]"),
            Stop("portal-stays", "/portal/stays/"),
            Stop("portal-calendar", calendar, "td[data-date]"),
            Stop("portal-bookings", "/portal/stays/bookings/"),
            Stop("portal-property", f"/portal/stays/properties/{boutique.pk}/"),
            Stop("portal-payouts", "/portal/payouts/"),
        ]),
        Person("broker@demo.ansim.kr", [
            Stop("portal-listings", "/portal/listings/"),
            Stop("portal-listing-form", "/portal/listings/new/"),
        ]),
        Person("landlord@demo.ansim.kr", [Stop("portal-deposits", "/portal/deposits/")]),
        Person("contractor@demo.ansim.kr", [
            Stop("portal-deposits-contractor", "/portal/deposits/"),
            Stop("portal-dispute", f"/portal/deposits/{_renovation().pk}/", "#disputes", frame="#disputes"),
        ], before=_renovation_disputed),
        Person("inspector@demo.ansim.kr", [
            Stop("inspections", "/homes/inspections/", "[data-inspection]"),
            Stop("inspection-record", f"/homes/inspections/{inspection.pk}/"),
        ]),
        Person("agent@demo.ansim.kr", [
            Stop("admin", "/admin/"),
            Stop("admin-guarantee-queue", "/admin/bookings/guaranteecase/", "#result_list tbody tr"),
            Stop("admin-guarantee-case", f"/admin/bookings/guaranteecase/{waiting.pk}/change/"),
            Stop("admin-dashboards", "/admin/dashboards/"),
        ], staff=True),
    ]
