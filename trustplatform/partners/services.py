import logging

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform.errors import Conflict, DomainError
from trustplatform.notifications.services import Phrase, notification_send, staff_notify
from trustplatform.transitions import transition_run

from . import identity
from .brn import validate_brn
from .business_status import BusinessStatus, BusinessStatusUnavailable, business_status_provider
from .models import Membership, Partner
from .selectors import MANAGING_ROLES, partner_members, partners_business_status_due

logger = logging.getLogger(__name__)


class PartnerError(DomainError):
    pass


class PartnerConflict(PartnerError, Conflict):
    """A PartnerError that is refused by the current state of things (409)."""


def partner_notify(*, partner, title: str, body: str = "", url: str = "", sms_text: bool = False,
                   key: str = "", roles=MANAGING_ROLES) -> int:
    """A notice to the people who run a partner (owners and managers unless `roles` says otherwise;
    every member with roles=None), in the portal and, with `sms_text`, by text. `key` makes each
    member's text once-only. Returns how many were told."""
    sent = 0
    for membership in partner_members(partner=partner, roles=roles):
        notification_send(
            user=membership.user, title=title, body=body, url=url, sms_text=sms_text,
            key=f"{key}:{membership.user_id}" if key else "",
        )
        sent += 1
    return sent


def _business_status_ask(registration_number: str) -> BusinessStatus | None:
    """The tax office's answer, or None when the provider cannot be asked now."""
    try:
        return business_status_provider().status(registration_number=registration_number)
    except BusinessStatusUnavailable:
        logger.warning("business status of %s could not be asked", registration_number, exc_info=True)
        return None


def partner_apply(*, user, name: str, kind: str, registration_number: str, representative: str,
                  contact_email: str, address: str) -> Partner:
    """File a partner application; the applicant becomes its owner and staff are told.

    The business's standing is asked first: a closed business is refused, a suspended one is filed
    and flagged to the reviewer, and one the provider cannot answer for is filed and asked again by
    a task."""
    from django.core.exceptions import ValidationError

    try:
        digits = validate_brn(registration_number)
    except ValidationError as exc:
        raise PartnerError(exc.messages[0], code=exc.code,
                           fields={"registration_number": exc.messages}) from exc
    if kind not in Partner.Kind.values:
        raise PartnerError(_("Choose a kind of business from the list."), code="invalid_kind",
                           fields={"kind": [_("Not a kind of business we serve.")]})
    standing = _business_status_ask(digits)
    if standing == BusinessStatus.CLOSED:
        raise PartnerError(
            _("The tax office lists this business as closed (폐업). Only an operating business can "
              "apply; if it reopened, apply again once the tax office shows it as active."),
            code="business_closed", fields={"registration_number": [_("Closed at the tax office.")]},
        )
    title = gettext_lazy("New partner application: %(name)s")
    if standing == BusinessStatus.SUSPENDED:
        title = gettext_lazy("New partner application: %(name)s "
                             "(suspended at the tax office: check before approving)")
    try:
        with transaction.atomic():
            partner = Partner.objects.create(
                name=name, kind=kind, registration_number=digits, representative=representative,
                contact_email=contact_email, address=address, applied_by=user,
                business_status=standing or BusinessStatus.UNKNOWN,
                business_status_checked_at=timezone.now() if standing else None,
            )
            Membership.objects.create(user=user, partner=partner, role=Membership.Role.OWNER)
            staff_notify(group="agents", title=Phrase(title, {"name": name}),
                         url=reverse("admin:partners_partner_change", args=[partner.pk]))
            if standing is None:
                from .tasks import business_status_check

                business_status_check.delay_on_commit(partner.pk)
    except IntegrityError as exc:
        raise PartnerConflict(
            _("A business with this registration number has already applied or is registered."),
            code="brn_taken",
            fields={"registration_number": [_("Already registered.")]},
        ) from exc
    return partner


def partner_apply_individual(*, user, name: str, contact_email: str, address: str,
                             identity_verification_id: str) -> Partner:
    """File the application of an individual landlord without a business number, whose identity the
    provider verified: the verification is fetched from the provider and only its answer is kept
    (name, birth date); one verification makes one partner."""
    verification_id = identity_verification_id.strip()
    if identity.identity_verification_id_owner(verification_id) != user.pk:
        raise PartnerError(_("Verify your identity first, then send the form."), code="identity_missing",
                           fields={"identity_verification_id": [_("No identity verification of yours.")]})
    if Partner.objects.filter(identity_verification_id=verification_id).exists():
        raise _identity_reused()
    verified = _identity_fetch(verification_id)
    try:
        with transaction.atomic():
            partner = Partner.objects.create(
                name=name, kind=Partner.Kind.LANDLORD, registration_number="",
                representative=verified.name, contact_email=contact_email, address=address,
                applied_by=user, identity_verification_id=verification_id,
                identity_verified_at=timezone.now(), verified_name=verified.name,
                verified_birth_date=verified.birth_date,
            )
            Membership.objects.create(user=user, partner=partner, role=Membership.Role.OWNER)
            staff_notify(
                group="agents",
                title=Phrase(gettext_lazy("New individual landlord application: %(name)s "
                                          "(identity verified)"), {"name": name}),
                url=reverse("admin:partners_partner_change", args=[partner.pk]),
            )
    except IntegrityError as exc:
        raise _identity_reused() from exc
    return partner


def _identity_reused() -> PartnerConflict:
    return PartnerConflict(_("This identity verification was already used for an application. Verify again."),
                           code="identity_reused")


def _identity_fetch(verification_id: str) -> identity.VerifiedIdentity:
    """The provider's answer, refused unless it is VERIFIED with a name and a birth date."""
    try:
        verified = identity.identity_provider().fetch(verification_id=verification_id)
    except identity.IdentityNotFound as exc:
        raise PartnerError(_("The identity verification was not found. Verify your identity again."),
                           code="identity_not_found") from exc
    except identity.IdentityUnavailable as exc:
        raise PartnerError(
            _("The identity verification service did not answer. Send the form again in a moment."),
            code="identity_unavailable", status=503) from exc
    if verified.status == "FAILED":
        raise PartnerError(_("The identity verification failed. Verify your identity again."),
                           code="identity_failed")
    if verified.status != "VERIFIED":
        raise PartnerError(
            _("The identity verification was not completed. Finish it in the window that opens."),
            code="identity_not_verified")
    if not (verified.name and verified.birth_date):
        raise PartnerError(_("The identity verification did not give a name and birth date. Verify again."),
                           code="identity_incomplete")
    return verified


# What a closed business's owners and the agents are told, by the step it took: (owners, staff).
_CLOSED_NOTICES = {
    "suspend": (gettext_lazy("%(name)s is suspended: the tax office lists it as closed (폐업)."),
                gettext_lazy("%(name)s was suspended: the tax office lists it as closed (폐업).")),
    "reject": (gettext_lazy("%(name)s was not approved: the tax office lists it as closed (폐업)."),
               gettext_lazy("The application of %(name)s was rejected: the tax office lists it as "
                            "closed (폐업).")),
}


def partner_business_status_refresh(*, partner_id: int) -> str:
    """Ask the tax office's standing of a partner with a business number again and store it; a closed
    business is suspended (approved) or rejected (applied) and its owners and staff are told.
    Raises BusinessStatusUnavailable for the caller to retry. Locks the partner's row."""
    partner = Partner.objects.filter(pk=partner_id).exclude(registration_number="").first()
    if partner is None:
        return "skipped"
    standing = business_status_provider().status(registration_number=partner.registration_number)
    with transaction.atomic():
        partner = Partner.objects.select_for_update().get(pk=partner_id)
        Partner.objects.filter(pk=partner_id).update(business_status=standing,
                                                     business_status_checked_at=timezone.now())
        if standing != BusinessStatus.CLOSED:
            return standing
        step = {Partner.Status.APPROVED: "suspend", Partner.Status.APPLIED: "reject"}.get(partner.status)
        if step is None:
            return standing  # already suspended, rejected: nothing more to do
        reason = _("The tax office lists the business as closed (폐업).")
        partner = transition_run(instance=partner, name=step, reason=reason)
        Partner.objects.filter(pk=partner_id).update(decided_at=timezone.now())
        owner_notice, staff_notice = _CLOSED_NOTICES[step]
        partner_notify(partner=partner, roles=[Membership.Role.OWNER],
                       title=Phrase(owner_notice, {"name": partner.name}),
                       body=gettext_lazy("If the business reopened, contact us once the tax office shows it "
                                         "as active."),
                       url=reverse("partners:status"), sms_text=True)
        staff_notify(group="agents", title=Phrase(staff_notice, {"name": partner.name}),
                     url=reverse("admin:partners_partner_change", args=[partner.pk]))
    return f"closed:{step}"


def partners_business_status_sweep() -> dict:
    """The monthly check of every partner with a business number that is due; a partner the provider
    cannot answer for is left for its own retrying task, and the others go on."""
    from .tasks import business_status_check

    outcome = {"checked": 0, "closed": 0, "unavailable": 0}
    for partner_id in partners_business_status_due():
        try:
            result = partner_business_status_refresh(partner_id=partner_id)
        except BusinessStatusUnavailable:
            logger.warning("business status of partner %s could not be asked", partner_id, exc_info=True)
            outcome["unavailable"] += 1
            business_status_check.delay(partner_id)
            continue
        outcome["checked"] += 1
        outcome["closed"] += result.startswith("closed:")
    return outcome


def _partner_decide(*, instance: Partner, name: str, actor, reason: str, notice) -> Partner:
    with transaction.atomic():
        partner = transition_run(instance=instance, name=name, actor=actor, reason=reason,
                                 check_perm=True)
        Partner.objects.filter(pk=partner.pk).update(decided_at=timezone.now())
        partner_notify(
            partner=partner, roles=[Membership.Role.OWNER], title=Phrase(notice, {"name": partner.name}),
            body=reason, url=reverse("partners:status"), sms_text=True,
        )
    return partner


def partner_approve(*, instance: Partner, actor, reason: str = "") -> Partner:
    return _partner_decide(instance=instance, name="approve", actor=actor, reason=reason,
                           notice=gettext_lazy("%(name)s is approved: the owner portal is open."))


def partner_reject(*, instance: Partner, actor, reason: str = "") -> Partner:
    return _partner_decide(instance=instance, name="reject", actor=actor, reason=reason,
                           notice=gettext_lazy("%(name)s was not approved."))


def partner_suspend(*, instance: Partner, actor, reason: str = "") -> Partner:
    return _partner_decide(instance=instance, name="suspend", actor=actor, reason=reason,
                           notice=gettext_lazy("%(name)s is suspended."))


def partner_reinstate(*, instance: Partner, actor, reason: str = "") -> Partner:
    return _partner_decide(instance=instance, name="reinstate", actor=actor, reason=reason,
                           notice=gettext_lazy("%(name)s is active again."))
