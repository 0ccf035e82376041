from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from .brn import brn_format


class Partner(ConcurrentTransitionMixin, models.Model):
    """A partner business (lodging, brokerage, …). Applies, then staff approve or reject it."""

    class Kind(models.TextChoices):
        LODGING = "lodging", _("Lodging")
        BROKERAGE = "brokerage", _("Real-estate brokerage")
        LANDLORD = "landlord", _("Landlord")
        CONTRACTOR = "contractor", _("Renovation contractor")
        DELIVERY = "delivery", _("Delivery")
        RESTAURANT = "restaurant", _("Restaurant")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")

    name = models.CharField(_("business name"), max_length=120)
    kind = models.CharField(_("kind of business"), max_length=20, choices=Kind.choices)
    registration_number = models.CharField(_("business registration number"), max_length=10)
    representative = models.CharField(_("representative"), max_length=100)
    contact_email = models.EmailField(_("contact email"))
    address = models.CharField(_("address"), max_length=200)
    status = FSMField(_("status"), default=Status.APPLIED, choices=Status.choices, protected=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("applied by"),
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("partner business")
        verbose_name_plural = _("partner businesses")
        ordering = ["name"]
        permissions = [("decide_partner", _("Can approve, reject and suspend partners"))]
        constraints = [
            # A business may apply again after a rejection, but is never listed twice.
            models.UniqueConstraint(fields=["registration_number"], condition=~Q(status="rejected"),
                                    name="partners_partner_brn_unique_live"),
            models.CheckConstraint(condition=Q(registration_number__regex=r"^[0-9]{10}$"),
                                   name="partners_partner_brn_ten_digits"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def registration_number_display(self) -> str:
        return brn_format(self.registration_number)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.APPROVED

    @transition(field=status, source=Status.APPLIED, target=Status.APPROVED,
                permission="partners.decide_partner", custom={"label": _("Approve")})
    def approve(self, *, by=None, reason: str = "") -> None:
        self.decision_note = reason

    @transition(field=status, source=Status.APPLIED, target=Status.REJECTED,
                permission="partners.decide_partner",
                custom={"label": _("Reject"), "form": "trustplatform.partners.forms.ReasonForm"})
    def reject(self, *, by=None, reason: str = "") -> None:
        self.decision_note = reason

    @transition(field=status, source=Status.APPROVED, target=Status.SUSPENDED,
                permission="partners.decide_partner",
                custom={"label": _("Suspend"), "form": "trustplatform.partners.forms.ReasonForm"})
    def suspend(self, *, by=None, reason: str = "") -> None:
        self.decision_note = reason

    @transition(field=status, source=Status.SUSPENDED, target=Status.APPROVED,
                permission="partners.decide_partner", custom={"label": _("Reinstate")})
    def reinstate(self, *, by=None, reason: str = "") -> None:
        self.decision_note = reason


class Membership(models.Model):
    """A user's place in a partner business; the role bounds what they may do in the portal."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MANAGER = "manager", _("Manager")
        STAFF = "staff", _("Staff")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "partner"], name="partners_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.partner} ({self.get_role_display()})"
