"""Inspectors record on-site outcomes: genuine (the strongest verification), fake (a strike), no access."""

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trustplatform.transitions import transition_run

from ..errors import ListingConflict, ListingError, ListingForbidden
from ..models import Inspection, InspectionPhoto, Listing
from ..photos import photo_prepare
from .report_decisions import reports_settle_genuine

MAX_PHOTOS = 10
# A GPS accuracy worse than 100 km says nothing about where the inspector stood.
MAX_ACCURACY_M = 100_000


def is_inspector(user) -> bool:
    return bool(
        user.is_active
        and user.is_staff
        and (user.is_superuser or user.groups.filter(name="inspectors").exists())
    )


def _coordinate(value, low: int, high: int, name: str):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not low <= number <= high:
        raise ListingError(
            _("The location reading is not valid."), code="invalid_gps", fields={name: [_("Out of range.")]}
        )
    return number


def _accuracy(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        metres = int(str(value))
    except ValueError:
        metres = -1
    if not 0 <= metres <= MAX_ACCURACY_M:
        raise ListingError(
            _("The location reading is not valid."),
            code="invalid_gps",
            fields={"accuracy_m": [_("Out of range.")]},
        )
    return metres


def inspection_claim(*, inspection: Inspection, actor) -> Inspection:
    """An inspector takes an unassigned inspection (a conditional UPDATE: one of two wins)."""
    if not is_inspector(actor):
        raise ListingForbidden(_("Only inspectors can take inspections."), code="not_inspector")
    taken = Inspection.objects.filter(
        pk=inspection.pk, status=Inspection.Status.QUEUED, inspector__isnull=True
    ).update(inspector=actor)
    inspection.refresh_from_db()
    if not taken and inspection.inspector_id != actor.pk:
        raise ListingConflict(_("Another inspector already took this one."), code="already_taken")
    return inspection


def inspection_record(
    *,
    inspection: Inspection,
    actor,
    outcome: str,
    fake_category: str = "",
    note: str = "",
    visited_at: datetime | None = None,
    latitude=None,
    longitude=None,
    accuracy_m=None,
    photos=(),
) -> Inspection:
    """Record what the inspector found, with photos, time and GPS. Genuine gives the on-site level and
    clears the reports; fake confirms it (strike, badge) in the same transaction."""
    if not is_inspector(actor):
        raise ListingForbidden(_("Only inspectors can record inspections."), code="not_inspector")
    if inspection.inspector_id not in (None, actor.pk):
        raise ListingForbidden(
            _("This inspection is assigned to another inspector."), code="not_yours"
        )
    if outcome not in Inspection.Outcome.values:
        raise ListingError(
            _("Choose the outcome."), code="invalid_outcome", fields={"outcome": [_("Unknown.")]}
        )
    if outcome == Inspection.Outcome.FAKE and fake_category not in Inspection.FakeCategory.values:
        raise ListingError(
            _("Say what was fake."),
            code="invalid_category",
            fields={"fake_category": [_("Required for a fake.")]},
        )
    if len(photos) > MAX_PHOTOS:
        raise ListingError(_("At most %(n)s photos.") % {"n": MAX_PHOTOS}, code="too_many_photos")
    lat = _coordinate(latitude, -90, 90, "latitude")
    lon = _coordinate(longitude, -180, 180, "longitude")
    accuracy = _accuracy(accuracy_m)
    visited_at = visited_at or timezone.now()
    if visited_at > timezone.now() + timedelta(minutes=5):
        raise ListingError(
            _("The visit time is in the future."), code="invalid_time", fields={"visited_at": [_("Future.")]}
        )
    prepared = [photo_prepare(upload) for upload in photos]
    with transaction.atomic():
        findings = {
            "outcome": outcome,
            "fake_category": fake_category if outcome == "fake" else "",
            "note": note.strip()[:3000],
            "visited_at": visited_at,
            "latitude": lat,
            "longitude": lon,
            "gps_accuracy_m": accuracy,
        }
        inspection = transition_run(
            instance=inspection, name="record", actor=actor, reason=outcome, findings=findings
        )
        for item in prepared:
            photo = InspectionPhoto(inspection=inspection)
            photo.image.save(item["file"].name, item["file"], save=False)
            photo.save()
        inspection.refresh_from_db()
        listing = inspection.listing
        if outcome == Inspection.Outcome.GENUINE:
            _genuine(listing=listing, actor=actor, inspection=inspection)
        elif outcome == Inspection.Outcome.FAKE:
            from .standing import fake_confirm

            fake_confirm(
                listing=listing, actor=actor, category=fake_category, inspection=inspection, note=note
            )
    return inspection


def _genuine(*, listing: Listing, actor, inspection: Inspection) -> None:
    from .verification import on_site_confirm

    listing = Listing.objects.get(pk=listing.pk)
    if listing.status == Listing.Status.FLAGGED:
        transition_run(instance=listing, name="clear", actor=actor, reason="inspected on site: genuine")
    if listing.is_live:
        on_site_confirm(listing=listing, actor=actor, inspection_id=inspection.pk)
    reports_settle_genuine(listing=listing, actor=actor)


def inspection_queue_open(*, listing: Listing, actor, priority: float = 50.0) -> Inspection:
    """Staff send a listing for an on-site check outside a campaign."""
    existing = listing.inspections.filter(status=Inspection.Status.QUEUED).first()
    if existing is not None:
        return existing
    return Inspection.objects.create(listing=listing, reason=Inspection.Reason.REPORT, priority=priority)
