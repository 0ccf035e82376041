"""How a report ends: upheld or rejected, one by one by staff or all at once when the listing's fate
is settled (confirmed fake, closed by the broker, found genuine on site), and the reporter's track
record that follows. Apart from reports.py so that the listing, inspection and strike services can
settle reports without importing the reports workflow (which closes listings itself)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform.audit.services import audit_record
from trustplatform.notifications.services import Phrase, notification_send
from trustplatform.transitions import transition_run

from ..errors import ListingError
from ..models import OPEN_REPORT_STATUSES, Listing, Report, ReporterStanding


def reporter_standing_lock(user_id: int) -> ReporterStanding:
    """SELECT ... FOR UPDATE on the reporter's standing: one reporter's reports serialise here."""
    ReporterStanding.objects.get_or_create(user_id=user_id)
    return ReporterStanding.objects.select_for_update().get(user_id=user_id)


def report_decide(
    *, instance: Report, actor, uphold: bool, reason: str = "", false_report: bool = False
) -> Report:
    """Uphold or reject one report and update the reporter's track record; proven false reporting
    bans the reporter for LISTINGS_FALSE_REPORT_BAN_DAYS."""
    if uphold and false_report:
        raise ListingError(_("An upheld report cannot be false."), code="invalid_decision")
    with transaction.atomic():
        standing = reporter_standing_lock(instance.reporter_id)
        if uphold:
            report = transition_run(instance=instance, name="uphold", actor=actor, reason=reason)
            standing.upheld_count += 1
        else:
            report = transition_run(
                instance=instance, name="reject", actor=actor, reason=reason, false_report=false_report
            )
            standing.rejected_count += 1
            if false_report:
                standing.false_count += 1
                standing.banned_until = timezone.now() + timedelta(
                    days=settings.LISTINGS_FALSE_REPORT_BAN_DAYS
                )
                audit_record(
                    obj=standing,
                    action="reporter_banned",
                    actor=actor,
                    extra={"until": standing.banned_until.isoformat(), "report": report.pk},
                )
        standing.save()
        Report.objects.filter(pk=report.pk).update(decided_by=actor)
        notification_send(
            user=report.reporter,
            title=Phrase(
                gettext_lazy("Your report on listing #%(id)s was upheld")
                if uphold
                else gettext_lazy("Your report on listing #%(id)s was not upheld"),
                {"id": report.listing_id},
            ),
            url=reverse("listings:my_reports"),
        )
    report.refresh_from_db()
    return report


def _settle(*, listing: Listing, actor, uphold: bool, reason: str) -> int:
    settled = 0
    for report in listing.reports.filter(status__in=OPEN_REPORT_STATUSES):
        report_decide(instance=report, actor=actor, uphold=uphold, reason=reason)
        settled += 1
    return settled


def reports_settle_fake(*, listing: Listing, actor) -> int:
    return _settle(listing=listing, actor=actor, uphold=True, reason="listing confirmed fake")


def reports_settle_gone(*, listing: Listing, actor) -> int:
    # The broker closed it after the reports: they were right that it should not be shown.
    return _settle(listing=listing, actor=actor, uphold=True, reason="the broker closed the listing")


def reports_settle_genuine(*, listing: Listing, actor) -> int:
    return _settle(listing=listing, actor=actor, uphold=False, reason="inspected on site: genuine")
