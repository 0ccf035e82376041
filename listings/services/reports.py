"""Consumer reports: filing (weighted, rate-limited, one open per listing), the broker's first answer,
the staff phone check, the on-site escalation, and the reporter's track record."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform.audit.services import audit_record
from trustplatform.notifications.services import Phrase, label_of, staff_notify
from trustplatform.partners.roles import PartnerAction, partner_action_require
from trustplatform.partners.selectors import is_member
from trustplatform.partners.services import partner_notify
from trustplatform.transitions import transition_run

from ..errors import ListingConflict, ListingError, ListingForbidden, ListingNotFound
from ..models import OPEN_REPORT_STATUSES, Inspection, Listing, Report
from .listings import listing_close
from .report_decisions import report_decide, reporter_standing_lock

# Each unit of weighted open reports adds this much to a queued inspection's priority.
REPORT_PRIORITY = 10.0



def report_file(
    *, listing: Listing, reporter, reason: str, details: str = "", visited: bool = False
) -> Report:
    """File a report. Refused for a banned reporter, past the daily limit, on one's own brokerage's
    listing, or while the same reporter has one open on this listing (a partial unique index)."""
    if reason not in Report.Reason.values:
        raise ListingError(
            _("Choose a reason."), code="invalid_reason", fields={"reason": [_("Unknown reason.")]}
        )
    if not listing.is_live:
        raise ListingConflict(_("This listing is no longer shown."), code="not_live")
    if is_member(user=reporter, partner=listing.partner_id):
        raise ListingForbidden(
            _("You cannot report your own brokerage's listing."), code="own_listing"
        )
    with transaction.atomic():
        standing = reporter_standing_lock(reporter.pk)
        if standing.is_banned:
            raise ListingForbidden(
                _("You may not report listings until %(until)s: earlier reports were proven false.")
                % {"until": f"{timezone.localtime(standing.banned_until):%Y-%m-%d}"},
                code="reporter_banned",
            )
        today = Report.objects.filter(
            reporter=reporter, created_at__gte=timezone.now() - timedelta(days=1)
        ).count()
        if today >= settings.LISTINGS_REPORTS_PER_DAY:
            raise ListingError(
                _("You have sent the most reports allowed in a day. Try again tomorrow."),
                code="report_rate_limited",
                status=429,
            )
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    listing=listing,
                    reporter=reporter,
                    reason=reason,
                    details=details.strip()[:3000],
                    visited=bool(visited),
                    weight=standing.weight,
                    respond_by=timezone.now() + timedelta(hours=settings.LISTINGS_BROKER_RESPONSE_HOURS),
                )
        except IntegrityError as exc:
            raise ListingConflict(
                _("You already reported this listing; we are checking it."),
                code="already_reported",
            ) from exc
        audit_record(
            obj=report,
            action="report_filed",
            actor=reporter,
            extra={"listing": listing.pk, "reason": reason, "weight": report.weight},
        )
        Inspection.objects.filter(listing=listing, status=Inspection.Status.QUEUED).update(
            priority=F("priority") + report.weight * REPORT_PRIORITY
        )
        # The broker hears what was reported and by when to answer; never by whom.
        partner_notify(
            partner=listing.partner,
            key=f"listings:report:{report.pk}",
            title=Phrase(
                gettext_lazy("A report about listing #%(id)s: %(reason)s"),
                {"id": listing.pk, "reason": label_of(report, "reason")},
            ),
            body=Phrase(
                gettext_lazy("Answer before %(when)s: mark it gone, correct it, or explain."),
                {"when": f"{timezone.localtime(report.respond_by):%Y-%m-%d %H:%M}"},
            ),
            url=reverse("listings_portal:report", args=[report.pk]),
        )
    return report


def report_respond(*, report: Report, actor, action: str, response: str = "") -> Report:
    """The broker's first answer: mark the listing gone (settles the report), or correct / dispute it
    (staff then check)."""
    if not is_member(user=actor, partner=report.listing.partner_id):
        raise ListingNotFound(_("No such report."))
    partner_action_require(actor=actor, partner=report.listing.partner, action=PartnerAction.REPORT_RESPOND)
    if action not in Report.BrokerAction.values:
        raise ListingError(
            _("Choose an answer."), code="invalid_action", fields={"action": [_("Unknown answer.")]}
        )
    if report.status != Report.Status.AWAITING_BROKER:
        raise ListingConflict(
            _("This report is no longer waiting for your answer."), code="already_answered"
        )
    with transaction.atomic():
        Report.objects.filter(pk=report.pk).update(
            broker_action=action, broker_response=response.strip()[:3000]
        )
        if action == Report.BrokerAction.GONE:
            listing_close(listing=report.listing, actor=actor, reason=Listing.ArchiveReason.GONE)
        else:
            transition_run(instance=report, name="respond", actor=actor, reason=action)
            staff_notify(
                group="agents",
                title=Phrase(gettext_lazy("Report #%(id)s answered by the broker"), {"id": report.pk}),
                url=reverse("admin:listings_report_change", args=[report.pk]),
            )
    report.refresh_from_db()
    return report


def reports_review_due(*, limit: int = 1000) -> int:
    """The sweep: reports the broker left unanswered past the deadline go to staff."""
    due = list(
        Report.objects.filter(
            status=Report.Status.AWAITING_BROKER, respond_by__lte=timezone.now()
        ).values_list("pk", flat=True)[:limit]
    )
    for report_id in due:
        report = Report.objects.get(pk=report_id)
        if report.status == Report.Status.AWAITING_BROKER:
            transition_run(instance=report, name="review", reason="the broker did not answer in time")
    if due:
        staff_notify(
            group="agents",
            title=Phrase(gettext_lazy("%(n)s reports wait for a phone check"), {"n": len(due)}),
        )
    return len(due)


def _broker_first(report: Report) -> None:
    """Staff act on a report only once the broker answered or let the deadline pass."""
    if report.status == Report.Status.AWAITING_BROKER and report.respond_by > timezone.now():
        raise ListingConflict(
            _("The broker may answer until %(when)s; staff check after that.")
            % {"when": f"{timezone.localtime(report.respond_by):%Y-%m-%d %H:%M}"},
            code="broker_answers_first",
        )


def report_staff_decide(
    *, instance: Report, actor, uphold: bool, reason: str = "", false_report: bool = False
) -> Report:
    """Staff uphold or reject a report (after the broker's turn)."""
    _broker_first(instance)
    return report_decide(
        instance=instance, actor=actor, uphold=uphold, reason=reason, false_report=false_report
    )


def report_phone_check(*, instance: Report, actor, outcome: str, note: str = "") -> Report:
    """Staff record the phone check: the owner confirms the listing (report not upheld) or the check
    is inconclusive (an on-site inspection is queued, ranked by the weighted reports)."""
    if outcome not in ("genuine", "on_site"):
        raise ListingError(_("Choose the outcome of the call."), code="invalid_outcome")
    _broker_first(instance)
    with transaction.atomic():
        Report.objects.filter(pk=instance.pk).update(phone_check_note=note.strip()[:2000])
        if outcome == "genuine":
            return report_decide(
                instance=instance, actor=actor, uphold=False, reason=note or "owner confirmed by phone"
            )
        report = transition_run(instance=instance, name="escalate", actor=actor, reason=note)
        inspection_for_reports(listing=report.listing)
    return report


def inspection_for_reports(*, listing: Listing) -> Inspection:
    """Queue (or re-rank) an on-site inspection, its priority raised by the weighted open reports."""
    weight = sum(listing.reports.filter(status__in=OPEN_REPORT_STATUSES).values_list("weight", flat=True))
    queued = listing.inspections.filter(status=Inspection.Status.QUEUED).first()
    if queued is not None:
        Inspection.objects.filter(pk=queued.pk).update(
            priority=max(queued.priority, weight * REPORT_PRIORITY)
        )
        return queued
    inspection = Inspection.objects.create(
        listing=listing, reason=Inspection.Reason.REPORT, priority=weight * REPORT_PRIORITY
    )
    staff_notify(
        group="inspectors",
        title=Phrase(gettext_lazy("On-site check requested for listing #%(id)s"), {"id": listing.pk}),
    )
    return inspection




