from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform.errors import Conflict, DomainError
from trustplatform.notifications.services import Phrase, notification_send, staff_notify
from trustplatform.transitions import transition_run

from .brn import validate_brn
from .models import Membership, Partner
from .selectors import MANAGING_ROLES, partner_members


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


def partner_apply(*, user, name: str, kind: str, registration_number: str, representative: str,
                  contact_email: str, address: str) -> Partner:
    """File a partner application; the applicant becomes its owner and staff are told."""
    from django.core.exceptions import ValidationError

    try:
        digits = validate_brn(registration_number)
    except ValidationError as exc:
        raise PartnerError(exc.messages[0], code=exc.code,
                           fields={"registration_number": exc.messages}) from exc
    if kind not in Partner.Kind.values:
        raise PartnerError(_("Choose a kind of business from the list."), code="invalid_kind",
                           fields={"kind": [_("Not a kind of business we serve.")]})
    try:
        with transaction.atomic():
            partner = Partner.objects.create(
                name=name, kind=kind, registration_number=digits, representative=representative,
                contact_email=contact_email, address=address, applied_by=user,
            )
            Membership.objects.create(user=user, partner=partner, role=Membership.Role.OWNER)
            staff_notify(
                group="agents",
                title=Phrase(gettext_lazy("New partner application: %(name)s"), {"name": name}),
                url=reverse("admin:partners_partner_change", args=[partner.pk]),
            )
    except IntegrityError as exc:
        raise PartnerConflict(
            _("A business with this registration number has already applied or is registered."),
            code="brn_taken",
            fields={"registration_number": [_("Already registered.")]},
        ) from exc
    return partner


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
