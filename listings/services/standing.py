"""Confirmed fakes, strikes, the 안심중개사 badge, posting suspensions, removal and appeals.

Lock order everywhere: the brokerage's standing row first, then the listing / appeal / strike.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform import files as uploads
from trustplatform.audit.services import audit_record
from trustplatform.notifications.services import Phrase, staff_notify
from trustplatform.partners.roles import ALLOWED, PartnerAction
from trustplatform.partners.selectors import is_member
from trustplatform.partners.services import partner_notify
from trustplatform.transitions import transition_run

from ..errors import ListingConflict, ListingError, ListingForbidden
from ..models import (
    LIVE_STATUSES,
    Appeal,
    AppealEvidence,
    BrokerStanding,
    Inspection,
    Listing,
    Strike,
    Suspension,
)
from ..selectors import search_invalidate
from .common import standing_lock
from .report_decisions import reports_settle_fake

MAJOR_CATEGORIES = {"price_bait", "not_exist", "wrong_photos"}
PUBLIC_NOTICE_WINDOW = timedelta(days=30)
# Evidence is kept for staff to open: documents and photos only (AppealEvidence.KINDS), a bounded number.
MAX_EVIDENCE_FILES = 10


def _months(count: int) -> timedelta:
    return timedelta(days=round(count * 365 / 12))


def fake_confirm(
    *, listing: Listing, actor, category: str, inspection: Inspection | None = None, note: str = ""
) -> Strike:
    """Confirm a listing fake: remove it, give the brokerage a strike and apply the policy at once
    (badge revoked on the first, then suspensions, then removal), all in one transaction.

    Locks the brokerage's standing row, then the listing. Confirming the same listing twice returns
    its strike.
    """
    if category not in Inspection.FakeCategory.values:
        raise ListingError(
            _("Say what was fake."),
            code="invalid_category",
            fields={"fake_category": [_("Unknown category.")]},
        )
    with transaction.atomic():
        standing = standing_lock(listing.partner_id)
        listing = Listing.objects.select_for_update().get(pk=listing.pk)
        existing = Strike.objects.filter(listing=listing).first()
        if existing is not None:
            return existing
        if listing.status in (*LIVE_STATUSES, Listing.Status.DRAFT):
            listing = transition_run(
                instance=listing, name="remove", actor=actor, reason=f"confirmed fake: {category}"
            )
        now = timezone.now()
        strike = Strike.objects.create(
            partner_id=listing.partner_id,
            listing=listing,
            inspection=inspection,
            confirmed_by=inspection.inspector if inspection and inspection.inspector else actor,
            severity=Strike.Severity.MAJOR if category in MAJOR_CATEGORIES else Strike.Severity.MINOR,
            category=category,
            note=note[:2000],
            issued_at=now,
            expires_at=now + _months(settings.LISTINGS_STRIKE_MONTHS),
        )
        audit_record(
            obj=strike,
            action="strike_issued",
            actor=actor,
            extra={"listing": listing.pk, "category": category, "severity": strike.severity},
        )
        consequence = _policy_apply(standing=standing, strike=strike, actor=actor)
        Strike.objects.filter(pk=strike.pk).update(consequence=consequence)
        strike.consequence = consequence
        for queued in listing.inspections.filter(status=Inspection.Status.QUEUED):
            transition_run(instance=queued, name="cancel", actor=actor, reason="listing confirmed fake")
        from .wasted_trips import claims_for_reported_visits

        search_invalidate()
        reports_settle_fake(listing=listing, actor=actor)
        claims_for_reported_visits(listing=listing)
        partner_notify(
            partner=listing.partner,
            sms_text=True,
            key=f"listings:strike:{strike.pk}",
            title=Phrase(
                gettext_lazy("Listing #%(id)s was confirmed fake: a strike was given"),
                {"id": listing.pk},
            ),
            body=Phrase(
                gettext_lazy("You may appeal within %(days)s days with evidence."),
                {"days": settings.LISTINGS_APPEAL_WINDOW_DAYS},
            ),
            url=reverse("listings_portal:strikes"),
        )
    return strike


def _active_strikes(partner_id: int):
    return Strike.objects.filter(
        partner_id=partner_id, status=Strike.Status.ACTIVE, expires_at__gt=timezone.now()
    )


def _policy_apply(*, standing: BrokerStanding, strike: Strike, actor) -> str:
    """The strike policy, under the standing lock: 1st revokes the badge, then suspensions, then removal."""
    count = _active_strikes(standing.partner_id).count()
    consequence = "warning"
    if standing.badge_decision == BrokerStanding.Decision.GRANTED:
        # Staff vouched before this fake: from now on the badge rule and its clean period decide.
        transition_run(instance=standing, name="staff_grant_void", actor=actor, reason=f"strike #{strike.pk}")
    if standing.badge == BrokerStanding.Badge.HELD:
        transition_run(instance=standing, name="revoke", actor=actor, reason=f"strike #{strike.pk}")
        BrokerStanding.objects.filter(pk=standing.pk).update(revoked_by_strike=strike)
        partner_notify(
            partner=strike.partner,
            sms_text=True,
            key=f"listings:badge-revoked:{strike.pk}",
            title=gettext_lazy("Your 안심중개사 badge was revoked"),
            body=gettext_lazy("A listing was confirmed fake. An upheld appeal restores the badge."),
            url=reverse("listings_portal:strikes"),
        )
        consequence = "badge_revoked"
    steps = settings.LISTINGS_STRIKE_SUSPENSION_DAYS
    if count >= 2 + len(steps):
        _remove_from_programme(standing=standing, strike=strike, actor=actor)
        consequence = "removed"
    elif count >= 2:
        _suspend(standing=standing, strike=strike, days=steps[count - 2], actor=actor)
        consequence = f"suspended_{steps[count - 2]}d"
    recent = Strike.objects.filter(
        partner_id=standing.partner_id,
        issued_at__gte=timezone.now() - PUBLIC_NOTICE_WINDOW,
        status=Strike.Status.ACTIVE,
    ).count()
    if recent >= settings.LISTINGS_PUBLIC_NOTICE_STRIKES and standing.public_notice_at is None:
        BrokerStanding.objects.filter(pk=standing.pk).update(public_notice_at=timezone.now())
        audit_record(obj=standing, action="public_notice", actor=actor, extra={"strikes_in_30_days": recent})
        staff_notify(
            group="agents",
            title=Phrase(gettext_lazy("%(name)s flagged for public notice"), {"name": strike.partner.name}),
        )
    return consequence


def _suspend(*, standing: BrokerStanding, strike: Strike, days: int, actor) -> Suspension:
    now = timezone.now()
    suspension = Suspension.objects.create(
        partner_id=standing.partner_id, strike=strike, starts_at=now, ends_at=now + timedelta(days=days)
    )
    _suspension_sync(standing)
    audit_record(
        obj=standing, action="posting_suspended", actor=actor, extra={"days": days, "strike": strike.pk}
    )
    partner_notify(
        partner=strike.partner,
        sms_text=True,
        key=f"listings:suspended:{suspension.pk}",
        title=Phrase(gettext_lazy("Posting suspended for %(days)s days"), {"days": days}),
        url=reverse("listings_portal:strikes"),
    )
    return suspension


def _suspension_sync(standing: BrokerStanding) -> None:
    """The standing shows the latest end of any suspension not lifted."""
    latest = (
        Suspension.objects.filter(
            partner_id=standing.partner_id, lifted_at__isnull=True, ends_at__gt=timezone.now()
        )
        .order_by("-ends_at")
        .values_list("ends_at", flat=True)
        .first()
    )
    BrokerStanding.objects.filter(pk=standing.pk).update(posting_suspended_until=latest)


def _remove_from_programme(*, standing: BrokerStanding, strike: Strike, actor) -> None:
    BrokerStanding.objects.filter(pk=standing.pk).update(removed_at=timezone.now())
    audit_record(obj=standing, action="removed_from_programme", actor=actor, extra={"strike": strike.pk})
    for listing in Listing.objects.filter(partner_id=standing.partner_id, status__in=LIVE_STATUSES):
        transition_run(
            instance=listing, name="remove", actor=actor, reason="brokerage removed from the programme"
        )
    partner_notify(
        partner=strike.partner,
        sms_text=True,
        key=f"listings:removed:{strike.pk}",
        title=gettext_lazy("Your brokerage was removed from the listings programme"),
        url=reverse("listings_portal:strikes"),
    )


# --- appeals -------------------------------------------------------------------------------------------


def appeal_file(*, strike: Strike, actor, statement: str, files=()) -> Appeal:
    """The brokerage appeals a strike within the window, with a statement and evidence files."""
    if not is_member(user=actor, partner=strike.partner_id, roles=ALLOWED[PartnerAction.STRIKE_APPEAL]):
        raise ListingForbidden(
            _("Only the brokerage's owner or a manager can appeal.")
        )
    if strike.status != Strike.Status.ACTIVE:
        raise ListingConflict(_("This strike is no longer active."), code="strike_not_active")
    if timezone.now() > strike.issued_at + timedelta(days=settings.LISTINGS_APPEAL_WINDOW_DAYS):
        raise ListingConflict(
            _("The %(days)s days to appeal have passed.") % {"days": settings.LISTINGS_APPEAL_WINDOW_DAYS},
            code="appeal_window_closed",
        )
    if not statement.strip():
        raise ListingError(
            _("Explain why the strike is wrong."),
            code="statement_required",
            fields={"statement": [_("Required.")]},
        )
    if len(files) > MAX_EVIDENCE_FILES:
        raise ListingError(
            _("At most %(n)s evidence files.") % {"n": MAX_EVIDENCE_FILES},
            code="too_many_files",
            fields={"evidence": [_("Too many files.")]},
        )
    for upload in files:
        try:
            uploads.upload_check(
                upload,
                kinds=AppealEvidence.KINDS,
                max_bytes=settings.LISTINGS_PHOTO_MAX_BYTES,
                field="evidence",
            )
        except uploads.UploadRefused as exc:
            raise ListingError(exc.detail, code=exc.code, fields=exc.fields) from exc
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                strike=strike,
                filed_by=actor,
                statement=statement.strip()[:5000],
                confirmed_by=strike.confirmed_by,
            )
            for upload in files:
                AppealEvidence.objects.create(appeal=appeal, file=upload, original_name=upload.name[:200])
            audit_record(obj=appeal, action="appeal_filed", actor=actor)
    except IntegrityError as exc:
        raise ListingConflict(
            _("This strike was already appealed."), code="already_appealed"
        ) from exc
    staff_notify(
        group="agents",
        title=Phrase(gettext_lazy("A strike appeal from %(name)s"), {"name": strike.partner.name}),
        url=reverse("admin:listings_appeal_change", args=[appeal.pk]),
    )
    return appeal


def appeal_decide(*, instance: Appeal, actor, uphold: bool, reason: str = "") -> Appeal:
    """Staff who did not establish the fake decide. Upheld: the strike is overruled (kept), the badge
    restored when no other strike stands, its suspensions lifted and the listing reinstated.

    Locks the standing row, then the appeal and the strike.
    """
    strike = instance.strike
    inspector_id = strike.inspection.inspector_id if strike.inspection_id else None
    if actor.pk in {strike.confirmed_by_id, inspector_id}:
        raise ListingForbidden(
            _("Someone who did not establish the fake must decide the appeal."),
            code="same_decider",
        )
    if not reason.strip():
        raise ListingError(
            _("Give the reason for the decision."),
            code="reason_required",
            fields={"reason": [_("Required.")]},
        )
    with transaction.atomic():
        standing = standing_lock(strike.partner_id)
        appeal = transition_run(
            instance=instance,
            name="uphold" if uphold else "reject",
            actor=actor,
            reason=reason,
            check_perm=True,
        )
        if uphold:
            _overrule(standing=standing, strike=strike, actor=actor, reason=reason)
            search_invalidate()
        partner_notify(
            partner=strike.partner,
            sms_text=True,
            key=f"listings:appeal:{appeal.pk}",
            title=gettext_lazy("Your appeal was upheld: the strike is overruled")
            if uphold
            else gettext_lazy("Your appeal was rejected"),
            body=reason,
            url=reverse("listings_portal:strikes"),
        )
    return appeal


def _overrule(*, standing: BrokerStanding, strike: Strike, actor, reason: str) -> None:
    strike = transition_run(instance=strike, name="overrule", actor=actor, reason=reason)
    now = timezone.now()
    for suspension in strike.suspensions.filter(lifted_at__isnull=True):
        Suspension.objects.filter(pk=suspension.pk).update(
            lifted_at=now, lifted_reason=f"appeal upheld ({strike.pk})"
        )
        audit_record(
            obj=standing, action="suspension_lifted", actor=actor, extra={"suspension": suspension.pk}
        )
    _suspension_sync(standing)
    standing.refresh_from_db()
    remaining = _active_strikes(standing.partner_id).count()
    # Only a badge a strike took comes back, and never over a staff revoke.
    if (
        standing.badge == BrokerStanding.Badge.REVOKED
        and standing.revoked_by_strike_id is not None
        and standing.badge_decision != BrokerStanding.Decision.WITHHELD
        and remaining == 0
    ):
        transition_run(
            instance=standing, name="restore", actor=actor, reason=f"appeal upheld on strike #{strike.pk}"
        )
        partner_notify(
            partner=strike.partner,
            sms_text=True,
            key=f"listings:badge-restored:{strike.pk}",
            title=gettext_lazy("Your 안심중개사 badge is restored"),
            url=reverse("listings_portal:strikes"),
        )
    if standing.removed_at and remaining < 2 + len(settings.LISTINGS_STRIKE_SUSPENSION_DAYS):
        BrokerStanding.objects.filter(pk=standing.pk).update(removed_at=None)
        audit_record(obj=standing, action="reinstated_in_programme", actor=actor)
    recent = _active_strikes(standing.partner_id).filter(issued_at__gte=now - PUBLIC_NOTICE_WINDOW).count()
    if standing.public_notice_at and recent < settings.LISTINGS_PUBLIC_NOTICE_STRIKES:
        BrokerStanding.objects.filter(pk=standing.pk).update(public_notice_at=None)
        audit_record(obj=standing, action="public_notice_withdrawn", actor=actor)
    listing = Listing.objects.select_for_update().get(pk=strike.listing_id)
    if listing.status == Listing.Status.REMOVED:
        transition_run(
            instance=listing, name="reinstate", actor=actor, reason=f"appeal upheld on strike #{strike.pk}"
        )
        from .verification import listing_levels_refresh

        listing_levels_refresh(listing_id=listing.pk, actor=actor)


def strikes_expire_due(*, limit: int = 1000) -> int:
    """The sweep: strikes past their 12 months expire (kept, no longer counted)."""
    due = list(
        Strike.objects.filter(status=Strike.Status.ACTIVE, expires_at__lte=timezone.now()).values_list(
            "pk", "partner_id"
        )[:limit]
    )
    for strike_id, partner_id in due:
        with transaction.atomic():
            standing_lock(partner_id)
            strike = Strike.objects.get(pk=strike_id)
            if strike.status == Strike.Status.ACTIVE:
                transition_run(instance=strike, name="expire", reason="12 months passed")
    return len(due)
