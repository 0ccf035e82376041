"""What a payee owes an answer to, for the portal home: disputes the payer opened on its agreements,
which an agent decides with both sides' evidence."""

from django.urls import reverse
from django.utils.translation import gettext as _

from trustplatform.partners.agenda import AgendaItem, Section, agenda_provider
from trustplatform.partners.roles import PartnerAction

from .models import Dispute


@agenda_provider
def disputes_open(*, partner, role, today) -> list[AgendaItem]:
    disputes = (
        Dispute.objects.filter(agreement__payee=partner, status=Dispute.Status.OPEN)
        .exclude(opened_by__memberships__partner=partner)  # its own disputes wait for the agent, not it
        .select_related("agreement")
        .order_by("opened_at", "pk")
    )
    return [
        AgendaItem(
            section=Section.ANSWER, kind="dispute", icon="chat", tone="warn",
            title=_("The payer disputes %(agreement)s") % {"agreement": dispute.agreement.title},
            detail=_("Add your side and your evidence: an Ansim agent decides with both."),
            due=dispute.opened_at, due_label=_("Opened"),
            url=reverse("escrow_portal:detail", args=[dispute.agreement_id]) + "#disputes",
            action=PartnerAction.EVIDENCE_ADD,
        )
        for dispute in disputes
    ]
