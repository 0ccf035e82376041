"""Agreements: create from a template, propose, accept the exact terms, expire when unfunded."""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from escrow.models import Condition, EscrowAgreement, Milestone
from escrow.templates_catalog import default_conditions, default_milestones
from trustplatform.notifications.services import Phrase, notification_send
from trustplatform.partners.models import Partner
from trustplatform.partners.roles import PartnerAction
from trustplatform.partners.selectors import is_member, partner_members
from trustplatform.partners.services import partner_notify
from trustplatform.transitions import transition_run

from .common import EscrowConflict, EscrowError, lock_agreement, require_side


def agreement_create(
    *,
    created_by,
    payer,
    payee: Partner,
    template: str,
    payer_email: str = "",
    title: str,
    amount_krw: int,
    property_address: str = "",
    conditions: list[dict] | None = None,
    milestones: list[dict] | None = None,
    notes: str = "",
    broker: Partner | None = None,
) -> EscrowAgreement:
    """A draft agreement with the template's conditions and milestones (or the ones given); a
    `broker` may confirm the conditions named for it and is never paid. Proposed to an address
    (`payer_email`), it may have no payer yet: see invitations.agreement_offer."""
    if template not in EscrowAgreement.Template.values:
        raise EscrowError(
            _("Choose a template."), code="invalid_template", fields={"template": [_("Unknown.")]}
        )
    if isinstance(amount_krw, bool) or not isinstance(amount_krw, int) or amount_krw <= 0:
        raise EscrowError(
            _("The amount is a whole number of won above zero."),
            code="invalid_amount",
            fields={"amount_krw": [_("Must be above zero.")]},
        )
    if payee.status != Partner.Status.APPROVED:
        raise EscrowError(_("Only an approved partner can receive escrowed money."), code="payee_not_active")
    if payer is not None and is_member(user=payer, partner=payee):
        raise EscrowError(
            _("The payer cannot be a member of the business being paid."),
            code="payer_is_payee",
            fields={"payer": [_("Choose someone outside the business.")]},
        )
    if template == EscrowAgreement.Template.RENTAL_DEPOSIT and payee.kind == Partner.Kind.BROKERAGE:
        # Deposits go to the landlord; a brokerage may only be the agreement's broker.
        raise EscrowError(
            _("A rental deposit is paid to the landlord, never to a brokerage. Name the landlord as the "
              "one paid; the brokerage can be the broker of the deal."),
            code="payee_is_brokerage",
        )
    if broker is not None:
        broker_check(broker=broker, payer=payer, payee=payee)
    if conditions is None:
        conditions = default_conditions(template, brokered=broker is not None)
    if broker is None and any(spec.get("confirmer") == "broker" for spec in conditions):
        raise EscrowError(
            _("A condition for the broker needs a broker on the agreement."),
            code="no_broker",
            fields={"conditions": [_("No broker to confirm it.")]},
        )
    milestones = default_milestones(template, amount_krw) if milestones is None else milestones
    if not conditions and not milestones:
        # Without a condition the money would be released the moment it arrives.
        raise EscrowError(
            _("Add at least one condition the release waits for."),
            code="no_conditions",
            fields={"conditions": [_("At least one is needed.")]},
        )
    if milestones and sum(m["amount_krw"] for m in milestones) != amount_krw:
        raise EscrowError(
            _("The milestones must add up to the whole amount."),
            code="milestones_mismatch",
            fields={"milestones": [_("They add up to a different amount.")]},
        )
    with transaction.atomic():
        agreement = EscrowAgreement.objects.create(
            template=template,
            title=title,
            payer=payer,
            payer_email=payer_email,
            payee=payee,
            broker=broker,
            amount_krw=amount_krw,
            property_address=property_address,
            terms={"notes": notes},
            created_by=created_by,
        )
        for sequence, spec in enumerate(milestones, start=1):
            Milestone.objects.create(
                agreement=agreement, sequence=sequence, kind=spec["kind"], amount_krw=spec["amount_krw"]
            )
        for spec in conditions:
            Condition.objects.create(
                agreement=agreement,
                kind=spec["kind"],
                label=str(spec["label"]),
                confirmer=spec.get("confirmer", ""),
                due_date=spec.get("due_date"),
            )
    return agreement


def broker_check(*, broker: Partner, payer, payee: Partner) -> None:
    """A broker is an approved brokerage with no member in common with the payee, and not the payer's:
    whoever arranged the deal must not be able to receive its money."""
    if broker.kind != Partner.Kind.BROKERAGE or broker.status != Partner.Status.APPROVED:
        raise EscrowError(
            _("Only an approved real-estate brokerage can be the broker of a deal."), code="invalid_broker"
        )
    if broker.pk == payee.pk or any(
        is_member(user=member.user, partner=broker) for member in partner_members(partner=payee)
    ):
        raise EscrowError(
            _("The broker cannot be paid the deposit: the landlord must be a business of its own, with "
              "no member of the brokerage."),
            code="broker_is_payee",
        )
    if payer is not None and is_member(user=payer, partner=broker):
        raise EscrowError(
            _("The payer cannot be a member of the brokerage arranging the deal."), code="payer_is_broker"
        )


def rental_terms_check(*, property_address: str, move_in_date) -> None:
    """What a business proposing a rental deposit must give, as the portal's form asks it: the property's
    address (the registry baseline taken at funding is of it; without one the registry condition could
    never fail) and a move-in date not yet past (the money is not released before it)."""
    fields = {}
    if not property_address.strip():
        fields["property_address"] = [_("A rental deposit needs the property's address.")]
    if move_in_date is None:
        fields["move_in_date"] = [_("A rental deposit needs the move-in date.")]
    elif move_in_date < timezone.localdate():
        fields["move_in_date"] = [_("The move-in date has already passed.")]
    if fields:
        raise EscrowError(
            _("A rental deposit needs the property's address and a move-in date still to come."),
            code="invalid_rental_terms",
            fields=fields,
        )


def rental_deposit_propose(*, payer, payee: Partner, title: str, amount_krw: int, property_address: str,
                           move_in_date, notes: str = "", broker: Partner | None = None) -> EscrowAgreement:
    """A rental deposit the payer starts themselves (e.g. from a listing), on the rental template
    with its conditions due on the move-in date, proposed to the payee (the landlord) at once. The
    `broker` who arranged it confirms the lease and sees the agreement, but is never paid."""
    conditions = default_conditions(EscrowAgreement.Template.RENTAL_DEPOSIT, brokered=broker is not None)
    for condition in conditions:
        if condition["kind"] == Condition.Kind.DATE:
            condition["due_date"] = move_in_date
    with transaction.atomic():
        agreement = agreement_create(
            created_by=payer, payer=payer, payee=payee, template=EscrowAgreement.Template.RENTAL_DEPOSIT,
            title=title, amount_krw=amount_krw, property_address=property_address, conditions=conditions,
            notes=notes, broker=broker,
        )
        return agreement_propose(agreement=agreement, actor=payer)


def terms_snapshot(agreement: EscrowAgreement) -> dict:
    """Everything both sides agree to, in a canonical form."""
    snapshot = {
        "agreement": agreement.pk,
        "template": agreement.template,
        "title": agreement.title,
        "payee": agreement.payee_id,
        "amount_krw": agreement.amount_krw,
        "property_address": agreement.property_address,
        "notes": agreement.terms.get("notes", ""),
        "fee_bps": settings.ESCROW_FEE_BPS,
        "conditions": [
            [c.kind, c.label, c.confirmer, c.due_date.isoformat() if c.due_date else None]
            for c in agreement.conditions.order_by("pk")
        ],
        "milestones": [[m.sequence, m.kind, m.amount_krw] for m in agreement.milestones.order_by("sequence")],
    }
    if agreement.payer_email:
        # Proposed to an address: the terms bind whoever proves they own it, so they read the same
        # whether or not an account used it then (and do not change when its owner signs up).
        snapshot["payer_email"] = agreement.payer_email
    else:
        snapshot["payer"] = agreement.payer_id
    if agreement.broker_id:
        # Only when there is one, so the fingerprints of agreements made before brokers stay the same.
        snapshot["broker"] = agreement.broker_id
    return snapshot


def terms_hash(agreement: EscrowAgreement) -> str:
    return hashlib.sha256(
        json.dumps(terms_snapshot(agreement), sort_keys=True, default=str).encode()
    ).hexdigest()


def payer_notify(*, agreement: EscrowAgreement) -> None:
    """Tell the payer, in the app and by text, that a proposed agreement waits for them."""
    notification_send(
        user=agreement.payer,
        title=Phrase(gettext_lazy("A deposit agreement waits for you: %(title)s"),
                     {"title": agreement.title}),
        url=reverse("escrow:detail", args=[agreement.pk]),
        sms_text=True,
    )


def agreement_propose(*, agreement: EscrowAgreement, actor) -> EscrowAgreement:
    """Send the draft to the other side; the terms are fingerprinted and the proposer accepts them."""
    side = require_side(user=actor, agreement=agreement, action=PartnerAction.AGREEMENT_PROPOSE)
    with transaction.atomic():
        agreement = lock_agreement(agreement.pk)
        fingerprint = terms_hash(agreement)
        agreement = transition_run(instance=agreement, name="propose", actor=actor)
        EscrowAgreement.objects.filter(pk=agreement.pk).update(
            terms_hash=fingerprint,
            proposed_at=timezone.now(),
            fund_by=timezone.now() + timedelta(days=settings.ESCROW_FUND_WITHIN_DAYS),
            **{f"{side}_accepted_hash": fingerprint},
        )
        if side == "payer":
            # A deposit the payer started (from a listing) waits for the landlord's acceptance.
            partner_notify(
                partner=agreement.payee,
                title=Phrase(
                    gettext_lazy("A deposit agreement waits for your acceptance: %(title)s"),
                    {"title": agreement.title},
                ),
                url=reverse("escrow_portal:detail", args=[agreement.pk]),
                sms_text=True,
            )
        elif agreement.payer_id is not None:  # else invitations.agreement_offer writes to the address
            payer_notify(agreement=agreement)
    agreement.refresh_from_db()
    return agreement


def agreement_accept(*, agreement: EscrowAgreement, actor, accepted_hash: str) -> EscrowAgreement:
    """Accept the exact terms shown (their fingerprint); when both sides have, the terms freeze."""
    side = require_side(user=actor, agreement=agreement, action=PartnerAction.AGREEMENT_PROPOSE)
    with transaction.atomic():
        agreement = lock_agreement(agreement.pk)
        if agreement.status != EscrowAgreement.Status.PROPOSED:
            raise EscrowConflict(
                _("This agreement is not waiting for acceptance."), code="invalid_transition"
            )
        if accepted_hash != agreement.terms_hash or terms_hash(agreement) != agreement.terms_hash:
            raise EscrowConflict(
                _("The terms changed since you read them. Read them again before accepting."),
                code="terms_changed",
            )
        setattr(agreement, f"{side}_accepted_hash", accepted_hash)
        agreement.save(update_fields=[f"{side}_accepted_hash"])
        if agreement.payer_accepted_hash == agreement.payee_accepted_hash == agreement.terms_hash:
            agreement = transition_run(instance=agreement, name="agree", actor=actor)
            EscrowAgreement.objects.filter(pk=agreement.pk).update(agreed_at=timezone.now())
    agreement.refresh_from_db()
    return agreement


def agreement_expire(*, agreement_id: int) -> bool:
    """Expire an agreement not funded by its deadline; does nothing to one funded in time."""
    with transaction.atomic():
        agreement = lock_agreement(agreement_id)
        unfunded = agreement.status in {
            EscrowAgreement.Status.DRAFT,
            EscrowAgreement.Status.PROPOSED,
            EscrowAgreement.Status.AGREED,
        }
        if not unfunded or agreement.fund_by is None or agreement.fund_by > timezone.now():
            return False
        transition_run(instance=agreement, name="expire", reason="not funded in time")
        EscrowAgreement.objects.filter(pk=agreement.pk).update(closed_at=timezone.now())
    return True


def agreements_expire_due() -> list[int]:
    return list(
        EscrowAgreement.objects.filter(
            status__in=[EscrowAgreement.Status.DRAFT, EscrowAgreement.Status.PROPOSED,
                       EscrowAgreement.Status.AGREED], fund_by__lt=timezone.now()
        ).values_list("pk", flat=True)
    )
