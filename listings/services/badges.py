"""The 안심중개사 badge: granted and revoked by the nightly rule, or by staff whose decision holds.

While a brokerage's `badge_decision` is "rule", `badges_evaluate` grants the badge when every
criterion of listings.badge_rule is met and revokes it when one no longer is. Staff grant or revoke by
hand with a reason; that decision holds over the rule until staff hand the badge back to it. A
confirmed fake revokes the badge at once (services.standing) and ends a staff grant, and the rule's
clean period then keeps the badge away for LISTINGS_BADGE_CLEAN_DAYS.

Every change locks the brokerage's standing row first (common.standing_lock), re-reads the numbers
under the lock, and does nothing when the badge is already where it should be: evaluating twice
changes nothing and tells no one twice.
"""

from dataclasses import asdict, dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform.audit.services import audit_record
from trustplatform.notifications.services import Phrase
from trustplatform.partners.services import partner_notify
from trustplatform.transitions import transition_run

from ..badge_rule import badge_criteria, badge_eligible, badge_measures
from ..errors import ListingConflict, ListingError
from ..models import BrokerStanding, Strike
from ..selectors import search_invalidate
from .common import standing_lock

RULE = BrokerStanding.Decision.RULE


@dataclass(frozen=True)
class BadgeRun:
    """What one evaluation changed."""

    granted: int = 0
    revoked: int = 0


def _reason_required(reason: str) -> str:
    if not (reason or "").strip():
        raise ListingError(
            _("Give the reason for the decision."),
            code="reason_required",
            fields={"reason": [_("Required.")]},
        )
    return reason.strip()[:2000]


def _tell(standing: BrokerStanding, *, key: str, title, body="", sms_text: bool = False) -> None:
    partner_notify(
        partner=standing.partner,
        sms_text=sms_text,
        key=f"listings:badge:{standing.pk}:{key}",
        title=title,
        body=body,
        url=reverse("listings_portal:badge"),
    )


def badge_grant(*, instance: BrokerStanding, actor, reason: str) -> BrokerStanding:
    """Staff grant the badge to a brokerage with no active strike; it holds until staff hand it back
    to the rule (or a confirmed fake revokes it). Locks the standing row."""
    reason = _reason_required(reason)
    with transaction.atomic():
        standing = standing_lock(instance.partner_id)
        active = Strike.objects.filter(
            partner_id=standing.partner_id, status=Strike.Status.ACTIVE, expires_at__gt=timezone.now()
        )
        if active.exists() or standing.removed_at:
            raise ListingConflict(
                _("A brokerage with an active strike cannot hold the badge."), code="has_active_strikes"
            )
        standing = transition_run(
            instance=standing, name="staff_grant", actor=actor, reason=reason, check_perm=True, locked=True
        )
        if not standing.has_badge:
            standing = transition_run(
                instance=standing, name="grant", actor=actor, reason=reason, locked=True
            )
        search_invalidate()
        _tell(
            standing,
            key=f"staff-grant:{standing.badge_decided_at:%Y%m%d%H%M%S}",
            title=gettext_lazy("Ansim staff granted your 안심중개사 badge"),
            body=reason,
        )
    return standing


def badge_revoke(*, instance: BrokerStanding, actor, reason: str) -> BrokerStanding:
    """Staff revoke the badge (or withhold it from a brokerage without one); the rule does not grant it
    again until staff hand it back to the rule. Locks the standing row."""
    reason = _reason_required(reason)
    with transaction.atomic():
        standing = standing_lock(instance.partner_id)
        standing = transition_run(
            instance=standing, name="staff_revoke", actor=actor, reason=reason, check_perm=True, locked=True
        )
        if standing.has_badge:
            standing = transition_run(
                instance=standing, name="revoke", actor=actor, reason=reason, locked=True
            )
            search_invalidate()
        _tell(
            standing,
            key=f"staff-revoke:{standing.badge_decided_at:%Y%m%d%H%M%S}",
            title=gettext_lazy("Ansim staff revoked your 안심중개사 badge"),
            body=reason,
            sms_text=True,
        )
    return standing


def badge_decision_lift(*, instance: BrokerStanding, actor, reason: str) -> BrokerStanding:
    """Staff hand the badge back to the rule, which decides at once (and every night after).
    Locks the standing row."""
    reason = _reason_required(reason)
    with transaction.atomic():
        standing = standing_lock(instance.partner_id)
        standing = transition_run(
            instance=standing, name="staff_lift", actor=actor, reason=reason, check_perm=True, locked=True
        )
        _tell(
            standing,
            key=f"staff-lift:{standing.badge_decided_at:%Y%m%d%H%M%S}",
            title=gettext_lazy("Your 안심중개사 badge now follows the badge rule"),
            body=reason,
        )
        _rule_apply(standing)
    return BrokerStanding.objects.get(pk=standing.pk)


def badge_rule_apply(*, partner_id: int) -> str:
    """Grant or revoke one brokerage's badge by the rule, under its standing lock; "granted",
    "revoked", or "" when staff decide its badge or it already is where the rule says."""
    with transaction.atomic():
        return _rule_apply(standing_lock(partner_id))


def _rule_apply(standing: BrokerStanding) -> str:
    """The rule on a standing row locked by the caller."""
    if standing.badge_decision != RULE:
        return ""
    measures = badge_measures(partner_ids=[standing.partner_id]).get(standing.partner_id)
    eligible = measures is not None and badge_eligible(measures)
    if eligible == standing.has_badge:
        return ""
    extra = asdict(measures) if measures else {}
    if eligible:
        transition_run(instance=standing, name="grant", reason="badge rule: every criterion met", locked=True)
        audit_record(obj=standing, action="badge_rule_granted", actor=None, extra=extra)
        _tell(
            standing,
            key=f"rule-grant:{timezone.localdate():%Y%m%d}",
            title=gettext_lazy("You earned the 안심중개사 badge"),
            body=gettext_lazy("Your office meets every criterion of the badge rule."),
        )
        outcome = "granted"
    else:
        unmet = [c for c in badge_criteria(measures) if not c.met] if measures else []
        transition_run(
            instance=standing,
            name="revoke",
            reason="badge rule no longer met: " + ", ".join(c.key for c in unmet),
            locked=True,
        )
        audit_record(obj=standing, action="badge_rule_revoked", actor=None, extra=extra)
        _tell(
            standing,
            key=f"rule-revoke:{timezone.localdate():%Y%m%d}",
            title=gettext_lazy("Your 안심중개사 badge was revoked: the badge rule is no longer met"),
            body=_unmet_phrase(unmet),
            sms_text=True,
        )
        outcome = "revoked"
    search_invalidate()
    return outcome


def _unmet_phrase(unmet) -> Phrase:
    """ "Not met: <criterion>, <criterion>", each label in the reader's language."""
    if not unmet:
        return Phrase(gettext_lazy("Your office is no longer an approved brokerage in the programme."))
    names = ", ".join(f"%(c{index})s" for index in range(len(unmet)))
    return Phrase(
        gettext_lazy("Not met: %(criteria)s"),
        {"criteria": Phrase(names, {f"c{index}": c.label for index, c in enumerate(unmet)})},
    )


def badges_evaluate() -> BadgeRun:
    """Nightly: apply the rule wherever the badge and the rule disagree. The numbers of every
    brokerage are read in one pass; each change then locks and re-checks its own standing."""
    measures = badge_measures()
    standings = {
        partner_id: (badge, decision)
        for partner_id, badge, decision in BrokerStanding.objects.values_list(
            "partner_id", "badge", "badge_decision"
        )
    }
    granted = revoked = 0
    for partner_id in set(measures) | set(standings):
        badge, decision = standings.get(partner_id, (BrokerStanding.Badge.NONE, RULE))
        if decision != RULE:
            continue
        numbers = measures.get(partner_id)
        eligible = numbers is not None and badge_eligible(numbers)
        if eligible == (badge == BrokerStanding.Badge.HELD):
            continue
        outcome = badge_rule_apply(partner_id=partner_id)
        granted += outcome == "granted"
        revoked += outcome == "revoked"
    return BadgeRun(granted=granted, revoked=revoked)
