"""What a brokerage owes an answer to, for the portal home: consumers' reports waiting for the broker's
answer, and strikes it may still appeal."""

from django.urls import reverse
from django.utils.translation import gettext as _

from trustplatform.partners.agenda import AgendaItem, Section, agenda_provider
from trustplatform.partners.models import Partner
from trustplatform.partners.roles import PartnerAction

from . import selectors
from .models import Report, Strike


@agenda_provider
def brokerage_answers(*, partner, role, today) -> list[AgendaItem]:
    if partner.kind != Partner.Kind.BROKERAGE:
        return []
    items = []
    reports = selectors.partner_reports(partner=partner).filter(status=Report.Status.AWAITING_BROKER)
    for report in reports:
        items.append(AgendaItem(
            section=Section.ANSWER, kind="report", icon="alert", tone="warn",
            title=_("A visitor reported a listing: %(reason)s") % {"reason": report.get_reason_display()},
            detail=report.listing.title,
            due=report.respond_by, due_label=_("Answer by"),
            url=reverse("listings_portal:report", args=[report.pk]),
            action=PartnerAction.REPORT_RESPOND,
        ))
    strikes = selectors.partner_strikes(partner=partner).filter(status=Strike.Status.ACTIVE)
    for strike in strikes:
        if not strike.may_appeal:
            continue
        items.append(AgendaItem(
            section=Section.ANSWER, kind="strike", icon="shield", tone="danger",
            title=_("Strike for a fake listing: %(what)s") % {"what": strike.category_label},
            detail=_("%(listing)s · %(consequence)s") % {
                "listing": strike.listing.title, "consequence": strike.consequence_label},
            due=strike.appeal_until, due_label=_("Appeal by"),
            url=reverse("listings_portal:appeal", args=[strike.pk]),
            action=PartnerAction.STRIKE_APPEAL,
        ))
    return items
