"""The 안심중개사 badge rule: what a brokerage must show to hold the badge, and its numbers now.

The thresholds are settings (LISTINGS_BADGE_*). `badge_measures` reads the numbers of any set of
brokerages in a fixed handful of grouped queries, so the nightly evaluation costs the same few queries
however many offices there are; `badge_criteria` turns one brokerage's numbers into the list the
portal explains and the rule checks. Overruled strikes never count; expired ones still date the clean
period, so the rule cannot give the badge back within LISTINGS_BADGE_CLEAN_DAYS of a confirmed fake.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trustplatform.notifications.services import Phrase
from trustplatform.partners.models import Partner

from .models import LIVE_STATUSES, BrokerStanding, Inspection, Listing, Strike


@dataclass(frozen=True)
class BadgeMeasures:
    """One brokerage's numbers, as of `at`."""

    partner_id: int
    approved: bool
    removed: bool
    clean_days: int  # since the last confirmed fake, or since the brokerage was approved
    active_strikes: int
    live_listings: int
    verified_listings: int  # live listings holding a verification level that has not lapsed
    inspections_passed: int  # found genuine on site within LISTINGS_BADGE_INSPECTION_DAYS

    @property
    def verified_percent(self) -> int:
        return self.verified_listings * 100 // self.live_listings if self.live_listings else 0


@dataclass(frozen=True)
class BadgeCriterion:
    """One line of "what you need for the badge": the brokerage's value against the threshold."""

    key: str
    label: object  # a lazy message or a Phrase: rendered in the reader's language
    value: int
    threshold: int
    unit: str  # "days", "percent", "count": how the portal writes the numbers
    at_most: bool = False  # the value must not exceed the threshold (strikes), instead of reach it

    @property
    def met(self) -> bool:
        return self.value <= self.threshold if self.at_most else self.value >= self.threshold


def badge_criteria(measures: BadgeMeasures) -> list[BadgeCriterion]:
    """The rule's criteria for one brokerage, in the order the portal lists them."""
    return [
        BadgeCriterion(
            "clean_days",
            _("Days without a confirmed fake listing"),
            measures.clean_days,
            settings.LISTINGS_BADGE_CLEAN_DAYS,
            "days",
        ),
        BadgeCriterion("active_strikes", _("Active strikes"), measures.active_strikes, 0, "count", True),
        BadgeCriterion(
            "verified_percent",
            _("Live listings with a current verification"),
            measures.verified_percent,
            settings.LISTINGS_BADGE_MIN_VERIFIED_PERCENT,
            "percent",
        ),
        BadgeCriterion(
            "inspections_passed",
            Phrase(
                _("On-site inspections found genuine in the last %(days)s days"),
                {"days": settings.LISTINGS_BADGE_INSPECTION_DAYS},
            ),
            measures.inspections_passed,
            settings.LISTINGS_BADGE_MIN_INSPECTIONS_PASSED,
            "count",
        ),
        BadgeCriterion(
            "live_listings",
            _("Live listings"),
            measures.live_listings,
            settings.LISTINGS_BADGE_MIN_LIVE_LISTINGS,
            "count",
        ),
    ]


def badge_eligible(measures: BadgeMeasures) -> bool:
    """An approved brokerage in the programme that meets every criterion."""
    return (
        measures.approved
        and not measures.removed
        and all(criterion.met for criterion in badge_criteria(measures))
    )


def _by_partner(queryset, partner_field: str, **aggregates) -> dict[int, dict]:
    rows = queryset.values(partner_field).annotate(**aggregates).order_by()
    return {row[partner_field]: row for row in rows}


def badge_measures(*, partner_ids=None, at=None) -> dict[int, BadgeMeasures]:
    """The numbers of every brokerage (or of `partner_ids`), keyed by partner id."""
    at = at or timezone.now()
    partners = Partner.objects.filter(kind=Partner.Kind.BROKERAGE)
    listings = Listing.objects.filter(status__in=LIVE_STATUSES)
    strikes = Strike.objects.exclude(status=Strike.Status.OVERRULED)
    inspections = Inspection.objects.filter(
        status=Inspection.Status.DONE,
        outcome=Inspection.Outcome.GENUINE,
        recorded_at__gte=at - timedelta(days=settings.LISTINGS_BADGE_INSPECTION_DAYS),
    )
    removed = BrokerStanding.objects.filter(removed_at__isnull=False)
    if partner_ids is not None:
        partners = partners.filter(pk__in=partner_ids)
        listings, strikes = (
            listings.filter(partner_id__in=partner_ids),
            strikes.filter(partner_id__in=partner_ids),
        )
        inspections = inspections.filter(listing__partner_id__in=partner_ids)
        removed = removed.filter(partner_id__in=partner_ids)
    counts = _by_partner(
        listings,
        "partner_id",
        live=Count("id"),
        verified=Count("id", filter=Q(verification_level__gt=0, verification_expires_at__gt=at)),
    )
    fakes = _by_partner(
        strikes,
        "partner_id",
        last=Max("issued_at"),
        active=Count("id", filter=Q(status=Strike.Status.ACTIVE, expires_at__gt=at)),
    )
    passed = _by_partner(inspections, "listing__partner_id", passed=Count("id"))
    removed_ids = set(removed.values_list("partner_id", flat=True))
    measures = {}
    for partner_id, status, decided_at, created_at in partners.values_list(
        "pk", "status", "decided_at", "created_at"
    ):
        since = max(filter(None, [decided_at or created_at, fakes.get(partner_id, {}).get("last")]))
        listing_counts = counts.get(partner_id, {})
        measures[partner_id] = BadgeMeasures(
            partner_id=partner_id,
            approved=status == Partner.Status.APPROVED,
            removed=partner_id in removed_ids,
            clean_days=max(0, (at - since).days),
            active_strikes=fakes.get(partner_id, {}).get("active", 0),
            live_listings=listing_counts.get("live", 0),
            verified_listings=listing_counts.get("verified", 0),
            inspections_passed=passed.get(partner_id, {}).get("passed", 0),
        )
    return measures
