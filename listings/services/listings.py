"""Brokerage writes: create, edit, publish, refresh and close listings; add and remove photos."""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from trustplatform.audit.services import audit_record
from trustplatform.partners.models import Partner
from trustplatform.partners.roles import PartnerAction, partner_action_require
from trustplatform.regions.errors import RegionError
from trustplatform.regions.selectors import CODE_RE, region_require
from trustplatform.transitions import transition_run

from ..buildings import building_key
from ..errors import ListingConflict, ListingError, ListingForbidden
from ..models import Listing, ListingPhoto, PhotoHash, Verification
from ..models.listings import MAX_MAINTENANCE_FEE_KRW
from ..photos import crop_rows, photo_prepare
from .common import require_brokerage, standing_get
from .landlord import landlord_unlink_moved
from .report_decisions import reports_settle_gone

EDITABLE = (
    "title",
    "address",
    "unit",
    "dong_code",
    "deal_type",
    "deposit_krw",
    "monthly_rent_krw",
    "price_krw",
    "size_m2",
    "floor",
    "rooms",
    "description",
    "maintenance_fee_krw",
    "maintenance_includes",
    "building_type",
    "built_year",
)
# Changing where the property is voids what was verified about it.
IDENTITY_FIELDS = ("address", "unit", "dong_code")
# The largest amount a listing may state (10조 won): far above any home, far below a bigint overflow.
MAX_KRW = 10**13


def _amount(data: dict, name: str, errors: dict) -> int:
    value = data.get(name) or 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_KRW:
        errors[name] = [_("A whole number of won, zero or more.")]
        return 0
    return value


def _maintenance(data: dict, errors: dict) -> tuple[int | None, list[str]]:
    """관리비 in won a month (None: not stated) and the FeeItem values it includes, in FeeItem order."""
    fee, items = data.get("maintenance_fee_krw"), data.get("maintenance_includes") or []
    if fee is not None and (isinstance(fee, bool) or not isinstance(fee, int)
                            or not 0 <= fee <= MAX_MAINTENANCE_FEE_KRW):
        errors["maintenance_fee_krw"] = [
            _("Enter the monthly fee in won, from 0 to {max}.").format(max=f"{MAX_MAINTENANCE_FEE_KRW:,}")
        ]
        fee = None
    elif fee is not None and 0 < fee < 1_000:
        # A fee of a few won is 만원 typed as won.
        errors["maintenance_fee_krw"] = [_("Enter the fee in won: 100000 for 10만원.")]
    if not isinstance(items, list | tuple) or not all(item in Listing.FeeItem.values for item in items):
        errors["maintenance_includes"] = [_("Choose what the fee includes from the list.")]
        items = []
    elif items and not fee and "maintenance_fee_krw" not in errors:
        errors["maintenance_includes"] = [_("Only a fee can include items: enter the fee or untick them.")]
    return fee, [value for value in Listing.FeeItem.values if value in set(items)]


def _region_check(dong: str, kept: str, errors: dict) -> RegionError | None:
    """A well-formed code must name a 읍/면/동 or 리 in use; the code a listing already has is kept as
    it is (its area may have been renamed since, and moving a listing voids its verifications)."""
    if not CODE_RE.fullmatch(dong):
        errors["dong_code"] = [_("Choose the 법정동 (a 10-digit code).")]
        return None
    if dong == kept:
        return None
    try:
        region_require(dong, field="dong_code", levels=(3, 4))
    except RegionError as error:
        errors.update(error.fields)
        return error
    return None


def listing_clean(data: dict, *, kept_dong_code: str = "") -> dict:
    """Check a listing's fields together; returns the values to store (region codes derived). A code
    the catalogue refuses gives its own error code (region_unknown, region_abolished…)."""
    errors: dict[str, list] = {}
    clean = {key: data[key] for key in EDITABLE if key in data}
    if not str(clean.get("title", "")).strip():
        errors["title"] = [_("Give the listing a title.")]
    if not str(clean.get("address", "")).strip():
        errors["address"] = [_("Enter the address.")]
    dong = str(clean.get("dong_code", ""))
    region_error = _region_check(dong, kept_dong_code, errors)
    deal = clean.get("deal_type")
    if deal not in Listing.DealType.values:
        errors["deal_type"] = [_("Choose monthly rent, jeonse or sale.")]
    deposit, rent, price = (
        _amount(clean, name, errors) for name in ("deposit_krw", "monthly_rent_krw", "price_krw")
    )
    if deal == Listing.DealType.MONTHLY and rent <= 0:
        errors["monthly_rent_krw"] = [_("A monthly rental needs its rent.")]
    if deal == Listing.DealType.JEONSE and deposit <= 0:
        errors["deposit_krw"] = [_("A jeonse needs its deposit.")]
    if deal == Listing.DealType.SALE and price <= 0:
        errors["price_krw"] = [_("A sale needs its price.")]
    try:
        size = Decimal(str(clean.get("size_m2", ""))).quantize(Decimal("0.01"))
        if not Decimal("1") <= size <= Decimal("99999"):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["size_m2"] = [_("The size in m², e.g. 33.06.")]
        size = Decimal(0)
    floor, rooms = clean.get("floor", 1), clean.get("rooms", 1)
    if not isinstance(floor, int) or not -10 <= floor <= 200:
        errors["floor"] = [_("A floor between -10 and 200.")]
    if not isinstance(rooms, int) or not 0 <= rooms <= 50:
        errors["rooms"] = [_("Between 0 and 50 rooms.")]
    fee, fee_items = _maintenance(clean, errors)
    building_type = clean.get("building_type") or ""
    if building_type not in ("", *Listing.BuildingType.values):
        errors["building_type"] = [_("Choose apartment, officetel, villa or house.")]
    built_year = clean.get("built_year")
    this_year = timezone.localdate().year
    if built_year is not None and (
        isinstance(built_year, bool)
        or not isinstance(built_year, int)
        or not 1900 <= built_year <= this_year + 3
    ):
        errors["built_year"] = [_("The year the building was finished, from 1900 to {last}.").format(
            last=this_year + 3)]
    if region_error:
        raise ListingError(region_error.detail, code=region_error.code, fields=errors)
    if errors:
        raise ListingError(_("Some fields need fixing."), code="invalid_listing", fields=errors)
    # Only the amount the deal type uses is kept, so the database constraint holds.
    clean.update(
        deposit_krw=deposit if deal != Listing.DealType.SALE else 0,
        monthly_rent_krw=rent if deal == Listing.DealType.MONTHLY else 0,
        price_krw=price if deal == Listing.DealType.SALE else 0,
        size_m2=size,
        maintenance_fee_krw=fee,
        maintenance_includes=fee_items,
        building_type=building_type,
        built_year=built_year,
        building_key=building_key(sigungu_code=dong[:5], address=str(clean["address"])),
        sido_code=dong[:2],
        sigungu_code=dong[:5],
        title=str(clean["title"]).strip()[:120],
        address=str(clean["address"]).strip()[:200],
        unit=str(clean.get("unit", "")).strip()[:40],
        description=str(clean.get("description", ""))[:5000],
    )
    return clean


def _editing(listing: Listing) -> PartnerAction:
    """Staff draft; what the public already sees is changed by owners and managers."""
    return PartnerAction.LISTING_PUBLISH if listing.is_live else PartnerAction.LISTING_DRAFT


def listing_create(*, partner: Partner, actor, data: dict, publish: bool = False) -> Listing:
    """A new draft listing (published at once when asked and the brokerage may post)."""
    require_brokerage(partner)
    partner_action_require(actor=actor, partner=partner, action=PartnerAction.LISTING_DRAFT)
    values = listing_clean(data)
    with transaction.atomic():
        listing = Listing.objects.create(partner=partner, created_by=actor, **values)
        audit_record(obj=listing, action="created", actor=actor)
        if publish:
            listing = listing_publish(listing=listing, actor=actor)
    return listing


def listing_update(*, listing: Listing, actor, data: dict) -> Listing:
    """Edit a listing still open; moving it to another address voids its verifications."""
    if listing.status in (Listing.Status.REMOVED, Listing.Status.ARCHIVED):
        raise ListingConflict(_("A closed listing cannot be edited."), code="listing_closed")
    partner_action_require(actor=actor, partner=listing.partner, action=_editing(listing))
    current = {key: getattr(listing, key) for key in EDITABLE}
    values = listing_clean({**current, **data}, kept_dong_code=listing.dong_code)
    with transaction.atomic():
        locked = Listing.objects.select_for_update().get(pk=listing.pk)
        moved = any(values[key] != getattr(locked, key) for key in IDENTITY_FIELDS)
        Listing.objects.filter(pk=locked.pk).update(
            updated_at=timezone.now(), refreshed_at=timezone.now(), **values
        )
        if moved:
            # What was verified, and who claimed it as landlord, was about the old address.
            landlord_unlink_moved(listing=locked, actor=actor)
            for verification in locked.verifications.filter(
                    status__in=[Verification.Status.REQUESTED, Verification.Status.CONFIRMED]):
                transition_run(instance=verification, name="cancel", actor=actor, reason="address changed")
            from .verification import listing_levels_refresh

            listing_levels_refresh(listing_id=locked.pk, actor=actor)
        audit_record(
            obj=locked,
            action="edited",
            actor=actor,
            extra={"fields": sorted(key for key in values if values[key] != current.get(key, values[key]))},
        )
    listing.refresh_from_db()
    return listing


def listing_publish(*, listing: Listing, actor) -> Listing:
    """Publish a draft; refused while the brokerage is suspended from posting or removed."""
    require_brokerage(listing.partner)
    partner_action_require(actor=actor, partner=listing.partner, action=PartnerAction.LISTING_PUBLISH)
    standing = standing_get(listing.partner)
    if standing.removed_at is not None:
        raise ListingForbidden(
            _("This brokerage was removed from the programme and cannot post listings."),
            code="brokerage_removed",
        )
    if standing.is_suspended:
        raise ListingForbidden(
            _("Posting is suspended until %(until)s.")
            % {"until": f"{timezone.localtime(standing.posting_suspended_until):%Y-%m-%d %H:%M}"},
            code="posting_suspended",
        )
    return transition_run(instance=listing, name="publish", actor=actor)


def listing_close(*, listing: Listing, actor, reason: str) -> Listing:
    """The broker closes a listing: deal closed, no longer available (gone), or withdrawn."""
    if reason not in Listing.ArchiveReason.values:
        raise ListingError(
            _("Say why the listing closes."), code="invalid_reason", fields={"reason": [_("Unknown reason.")]}
        )
    partner_action_require(actor=actor, partner=listing.partner, action=PartnerAction.LISTING_PUBLISH)
    with transaction.atomic():
        listing = transition_run(
            instance=listing, name="archive", actor=actor, reason=reason, archive_reason=reason
        )
        for verification in listing.verifications.filter(status=Verification.Status.REQUESTED):
            transition_run(instance=verification, name="cancel", actor=actor, reason="listing closed")
        reports_settle_gone(listing=listing, actor=actor)
    return listing


def listing_refresh(*, listing: Listing, actor) -> Listing:
    """The broker confirms the listing is still current. Counted: bumping a home again and again without
    a deal is how a let-but-live listing looks, so it never lowers the risk score by itself."""
    if not listing.is_live:
        raise ListingConflict(_("Only a live listing can be confirmed current."), code="not_live")
    partner_action_require(actor=actor, partner=listing.partner, action=PartnerAction.LISTING_PUBLISH)
    Listing.objects.filter(pk=listing.pk).update(
        refreshed_at=timezone.now(), refresh_count=F("refresh_count") + 1
    )
    listing.refresh_from_db()
    return listing


def photo_add(*, listing: Listing, actor, upload, position: int | None = None) -> ListingPhoto:
    """Store a checked, re-encoded photo with its perceptual hash and bands, and its crop hashes."""
    if listing.status in (Listing.Status.REMOVED, Listing.Status.ARCHIVED):
        raise ListingConflict(_("A closed listing cannot take photos."), code="listing_closed")
    partner_action_require(actor=actor, partner=listing.partner, action=_editing(listing))
    prepared = photo_prepare(upload)
    with transaction.atomic():
        Listing.objects.select_for_update().filter(pk=listing.pk).first()
        count = listing.photos.count()
        if count >= settings.LISTINGS_PHOTOS_PER_LISTING:
            raise ListingConflict(
                _("A listing has at most %(n)s photos.") % {"n": settings.LISTINGS_PHOTOS_PER_LISTING},
                code="too_many_photos",
            )
        photo = ListingPhoto(
            listing=listing,
            partner_id=listing.partner_id,
            position=count if position is None else position,
            dhash=prepared["dhash"],
            width=prepared["width"],
            height=prepared["height"],
            size_bytes=prepared["size_bytes"],
            **{f"band{n}": value for n, value in enumerate(prepared["bands"])},
        )
        photo.image.save(prepared["file"].name, prepared["file"], save=False)
        photo.save()
        PhotoHash.objects.bulk_create(
            PhotoHash(photo=photo, listing=listing, partner_id=listing.partner_id, **fields)
            for fields in crop_rows(prepared["crops"])
        )
    return photo


def photo_remove(*, photo: ListingPhoto, actor) -> None:
    partner_action_require(actor=actor, partner=photo.listing.partner, action=_editing(photo.listing))
    audit_record(obj=photo.listing, action="photo_removed", actor=actor, extra={"photo": photo.pk})
    photo.image.delete(save=False)
    photo.delete()


def verification_level_label(level: int) -> str:
    return Verification.Level(level).label if level else _("Not verified")
