"""Reads of the listings app: search, what each audience may see, queues."""

import bisect
from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trustplatform.pii import mask_name
from trustplatform.regions.selectors import region_labels, region_require, region_scope

from .errors import ListingError
from .models import (
    LIVE_STATUSES,
    OPEN_REPORT_STATUSES,
    BrokerStanding,
    Inspection,
    Listing,
    ListingPhoto,
    Report,
    Strike,
)

PER_PAGE = 20
SORTS = {
    "newest": ("-published_at", "-id"),
    "price": ("headline_krw", "id"),
    "price_desc": ("-headline_krw", "-id"),
}


BURDEN_MONTHLY_ONLY = _("Rent with the maintenance fee is for monthly rentals: choose 월세 or any deal.")

SEARCH_VERSION_KEY = "listings:search-version"


def search_version() -> int:
    """Part of every cached search page's key: bumping it drops them all at once."""
    return cache.get(SEARCH_VERSION_KEY) or 0


def search_invalidate() -> None:
    """After commit: a badge or a listing's standing changed, so no cached page may show the old one."""

    def bump():
        try:
            cache.incr(SEARCH_VERSION_KEY)
        except ValueError:
            cache.set(SEARCH_VERSION_KEY, 1, None)

    transaction.on_commit(bump)


# What a result card shows: the rest of the row (description, address…) is not read.
CARD_PHOTOS = 5
CARD_FIELDS = (
    "id",
    "title",
    "status",
    "sido_code",
    "sigungu_code",
    "dong_code",
    "deal_type",
    "deposit_krw",
    "monthly_rent_krw",
    "price_krw",
    "headline_krw",
    "maintenance_fee_krw",
    "size_m2",
    "floor",
    "rooms",
    "verification_level",
    "verification_expires_at",
    "published_at",
    "partner__id",
    "partner__name",
    "partner__status",
    "partner__listing_standing__badge",
    # Every FSM field of a ConcurrentTransitionMixin model is read on load: deferring one recurses.
    "partner__listing_standing__badge_decision",
    "partner__listing_standing__public_notice_at",
)


@dataclass
class SearchPage:
    results: list
    page: int
    has_next: bool


def _public() -> QuerySet[Listing]:
    return Listing.objects.filter(status__in=LIVE_STATUSES).select_related(
        "partner", "partner__listing_standing"
    )


def region_labels_fill(listings) -> None:
    """Each listing's area name, read for the whole page at once (Listing.region_label uses it)."""
    labels = region_labels({listing.dong_code for listing in listings})
    for listing in listings:
        listing.region_labels = labels


def in_region(scope: tuple[str, ...]) -> Q:
    """Listings inside an area, from its code prefixes (regions.selectors.region_scope): a 시/도, a
    시/군/구, a 읍/면 with its 리, or one code; each uses the listings' indexes on that code."""
    by_length: dict[int, list[str]] = {}
    for prefix in scope:
        by_length.setdefault(len(prefix), []).append(prefix)
    condition = Q(pk__in=[])
    if by_length.get(2):
        condition |= Q(sido_code__in=by_length[2])
    if by_length.get(5):
        condition |= Q(sigungu_code__in=by_length[5])
    if by_length.get(10):
        condition |= Q(dong_code__in=by_length[10])
    for prefix in by_length.get(8, []):
        condition |= Q(dong_code__gte=f"{prefix}00", dong_code__lte=f"{prefix}99")
    return condition


def search_region(*, region: str = "", sigungu: str = "", dong: str = "") -> str:
    """The area a search asks for, checked against the catalogue (RegionError if unknown or abolished):
    `region` any code, `dong` a 읍/면/동 or 리, `sigungu` the five digits of a 시/군/구."""
    if region:
        return region_require(region, field="region").code
    if dong:
        return region_require(dong, field="dong", levels=(3, 4)).code
    if sigungu:
        return region_require(f"{sigungu}00000", field="sigungu", levels=(2,)).code
    return ""


def listings_search(
    *,
    region: str = "",
    sigungu: str = "",
    dong: str = "",
    deal_type: str = "",
    price_min: int | None = None,
    price_max: int | None = None,
    rent_max: int | None = None,
    burden_max: int | None = None,
    size_min=None,
    size_max=None,
    sort: str = "newest",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> SearchPage:
    """Live listings matching the filters, one page at a time. No total count: the next page is
    known by reading one row more, so a page costs the same however many listings match. An area
    takes in the listings stored under codes abolished into it (regions.selectors.region_scope).
    `burden_max` keeps monthly rentals whose rent plus stated maintenance fee is at most that much."""
    queryset = _public()
    area = search_region(region=region, sigungu=sigungu, dong=dong)
    if area:
        queryset = queryset.filter(in_region(region_scope(area)))
    if deal_type:
        queryset = queryset.filter(deal_type=deal_type)
    if price_min is not None:
        queryset = queryset.filter(headline_krw__gte=price_min)
    if price_max is not None:
        queryset = queryset.filter(headline_krw__lte=price_max)
    if rent_max is not None:
        queryset = queryset.filter(monthly_rent_krw__lte=rent_max)
    if burden_max is not None:
        if deal_type not in ("", Listing.DealType.MONTHLY):
            raise ListingError(BURDEN_MONTHLY_ONLY, code="burden_needs_monthly",
                               fields={"burden_max": [BURDEN_MONTHLY_ONLY]})
        # A fee not stated is not taken for none: hiding the fee must not win a place in these results.
        queryset = (
            queryset.filter(deal_type=Listing.DealType.MONTHLY, maintenance_fee_krw__isnull=False)
            .alias(burden_krw=F("monthly_rent_krw") + F("maintenance_fee_krw"))
            .filter(burden_krw__lte=burden_max)
        )
    if size_min is not None:
        queryset = queryset.filter(size_m2__gte=size_min)
    if size_max is not None:
        queryset = queryset.filter(size_m2__lte=size_max)
    page = max(1, min(page, 500))
    start = (page - 1) * per_page
    rows = list(
        queryset.order_by(*SORTS.get(sort, SORTS["newest"])).only(*CARD_FIELDS)[start : start + per_page + 1]
    )
    # The card's carousel: the first few photos of each listing on the page, in their order.
    photos: dict[int, list[ListingPhoto]] = {}
    for photo in ListingPhoto.objects.filter(
        listing__in=[row.pk for row in rows[:per_page]], position__lt=CARD_PHOTOS
    ).only("listing_id", "image", "position").order_by("position", "id"):
        photos.setdefault(photo.listing_id, []).append(photo)
    for row in rows:
        row.card_photos = photos.get(row.pk, [])
        row.cover = row.card_photos[0] if row.card_photos else None
    region_labels_fill(rows[:per_page])
    return SearchPage(results=rows[:per_page], page=page, has_next=len(rows) > per_page)


def listing_public(*, listing_id: int) -> Listing | None:
    """A listing as consumers see it: live, or removed/closed (shown with its state, never hidden)."""
    return (
        Listing.objects.select_related("partner", "partner__listing_standing", "landlord")
        .prefetch_related(Prefetch("photos", queryset=ListingPhoto.objects.order_by("position", "id")))
        .exclude(status=Listing.Status.DRAFT)
        .filter(pk=listing_id)
        .first()
    )


def standing_of(partner) -> BrokerStanding:
    """The brokerage's standing without creating it (a brokerage with none has no badge)."""
    try:
        return partner.listing_standing
    except BrokerStanding.DoesNotExist:
        return BrokerStanding(partner=partner)


def landlord_shown(listing: Listing) -> str:
    """Who a deposit for the listing is paid to, as a consumer sees it (masked); "" when unclaimed."""
    landlord = listing.landlord if listing.landlord_id else None
    if landlord is None or not landlord.is_active:
        return ""
    return mask_name(landlord.representative or landlord.name)


def landlord_listings(*, landlord) -> QuerySet[Listing]:
    """The listings a landlord has claimed, newest link first, with their brokerage."""
    return Listing.objects.filter(landlord=landlord).select_related("partner").order_by("-landlord_linked_at")


def partner_listings(*, partner, status: str = "") -> QuerySet[Listing]:
    queryset = Listing.objects.filter(partner=partner).order_by("-created_at", "-id")
    return queryset.filter(status=status) if status else queryset


def partner_reports(*, partner, open_only: bool = False) -> QuerySet[Report]:
    """Reports against the brokerage's listings. Never joined to the reporter: the broker must not
    learn who reported."""
    queryset = (
        Report.objects.filter(listing__partner=partner)
        .select_related("listing")
        .defer("reporter", "weight", "false_report", "decided_by")
        .order_by("-created_at", "-id")
    )
    return queryset.filter(status__in=OPEN_REPORT_STATUSES) if open_only else queryset


def partner_strikes(*, partner) -> QuerySet[Strike]:
    return (
        Strike.objects.filter(partner=partner)
        .select_related("listing", "appeal")
        .prefetch_related("suspensions", "appeal__evidence")
        .order_by("-issued_at", "-id")
    )


def consumer_reports(*, user) -> QuerySet[Report]:
    return Report.objects.filter(reporter=user).select_related("listing").order_by("-created_at", "-id")


def consumer_listings(*, user) -> QuerySet[Listing]:
    """Listings the consumer dealt with: reported, or reached the broker about by safe number."""
    return (
        Listing.objects.exclude(status=Listing.Status.DRAFT)
        .filter(Q(reports__reporter=user) | Q(contacts__consumer=user))
        .distinct()
        .order_by("-id")
    )


def inspector_queue(*, user) -> QuerySet[Inspection]:
    """Queued inspections assigned to this inspector or to no one, highest priority first."""
    from django.db.models import Q

    return (
        Inspection.objects.filter(status=Inspection.Status.QUEUED)
        .filter(Q(inspector=user) | Q(inspector__isnull=True))
        .select_related("listing", "listing__partner", "campaign")
        .order_by("-priority", "id")
    )


def fakes_and_strikes_months(*, starts: list[date]) -> list[tuple[int, int]]:
    """The staff dashboard, per month from each 1st in `starts` (Korean calendar): reports upheld as
    fake listings (by the day decided) and strikes issued."""
    since = datetime.combine(starts[0], time.min, tzinfo=timezone.get_current_timezone())
    fakes, strikes = [0] * len(starts), [0] * len(starts)
    upheld = Report.objects.filter(status=Report.Status.UPHELD, decided_at__gte=since)
    for counts, moments in (
        (fakes, upheld.values_list("decided_at", flat=True)),
        (strikes, Strike.objects.filter(issued_at__gte=since).values_list("issued_at", flat=True)),
    ):
        for moment in moments:
            if (index := bisect.bisect_right(starts, timezone.localdate(moment)) - 1) >= 0:
                counts[index] += 1
    return list(zip(fakes, strikes, strict=True))
