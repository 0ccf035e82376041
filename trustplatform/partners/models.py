from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from trustplatform.fields import EncryptedTextField

from .brn import brn_format
from .business_status import BusinessStatus


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
    # Empty only for an individual landlord, whose identity the provider verified instead.
    registration_number = models.CharField(_("business registration number"), max_length=10, blank=True)
    representative = models.CharField(_("representative"), max_length=100)
    contact_email = models.EmailField(_("contact email"))
    address = models.CharField(_("address"), max_length=200)
    status = FSMField(_("status"), default=Status.APPLIED, choices=Status.choices, protected=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("applied by"),
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    # Database defaults too, so rows written by the release before this one still fit.
    business_status = models.CharField(_("business status"), max_length=10, choices=BusinessStatus.choices,
                                       default=BusinessStatus.UNKNOWN, db_default=BusinessStatus.UNKNOWN)
    business_status_checked_at = models.DateTimeField(_("business status checked at"), null=True, blank=True)
    # An individual landlord: only what the provider answered for the verification, never the browser.
    identity_verification_id = models.CharField(_("identity verification"), max_length=100, blank=True,
                                                db_default="")
    identity_verified_at = models.DateTimeField(_("identity verified at"), null=True, blank=True)
    verified_name = models.CharField(_("verified name"), max_length=100, blank=True, db_default="")
    # yyyy-MM-dd, what a bank's holder lookup of an individual needs.
    verified_birth_date = EncryptedTextField(_("verified birth date"), blank=True, db_default="")

    class Meta:
        verbose_name = _("partner business")
        verbose_name_plural = _("partner businesses")
        ordering = ["name"]
        permissions = [("decide_partner", _("Can approve, reject and suspend partners"))]
        constraints = [
            # A business may apply again after a rejection, but is never listed twice.
            models.UniqueConstraint(fields=["registration_number"],
                                    condition=~Q(status="rejected") & ~Q(registration_number=""),
                                    name="partners_partner_brn_unique_live"),
            # A business number, or an individual landlord whose identity the provider verified.
            models.CheckConstraint(
                condition=Q(registration_number__regex=r"^[0-9]{10}$") | (
                    Q(kind="landlord", registration_number="", identity_verified_at__isnull=False)
                    & ~Q(identity_verification_id="") & ~Q(verified_name="") & ~Q(verified_birth_date="")
                ),
                name="partners_partner_brn_or_verified_landlord",
            ),
            # One verification makes one partner, ever.
            models.UniqueConstraint(fields=["identity_verification_id"],
                                    condition=~Q(identity_verification_id=""),
                                    name="partners_partner_identity_verification_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def registration_number_display(self) -> str:
        return brn_format(self.registration_number)

    @property
    def is_individual(self) -> bool:
        """An individual landlord with no business number, identity verified through the provider."""
        return not self.registration_number

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


class SandboxIdentityVerification(models.Model):
    """The sandbox provider's record of an identity verification, written by its simulated window."""

    class Status(models.TextChoices):
        VERIFIED = "VERIFIED", _("Verified")
        FAILED = "FAILED", _("Failed")

    id = models.CharField(primary_key=True, max_length=100)
    status = models.CharField(max_length=10, choices=Status.choices)
    name = models.CharField(max_length=100, blank=True)
    birth_date = EncryptedTextField(blank=True)  # yyyy-MM-dd
    phone = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sandbox identity verification")
        verbose_name_plural = _("sandbox identity verifications")

    def __str__(self) -> str:
        return f"{self.pk} ({self.status})"
