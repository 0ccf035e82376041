"""Files that back a condition, a dispute or a claim."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from trustplatform import files

from .agreements import Condition


class Evidence(models.Model):
    """A file backing a condition, dispute or claim; its SHA-256 proves it was not swapped later.

    Kept in private storage under a random name; only the agreement's parties and staff who read
    evidence get it, through the scoped download views."""

    KINDS = (files.PDF, files.JPEG, files.PNG)

    condition = models.ForeignKey(
        Condition, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    dispute = models.ForeignKey(
        "Dispute", null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    claim = models.ForeignKey(
        "GuaranteeClaim", null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(
        _("file"), upload_to=files.RandomName("escrow/evidence"), storage=files.private_storage
    )
    original_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size_bytes = models.PositiveIntegerField()
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(condition__isnull=False, dispute__isnull=True, claim__isnull=True)
                    | Q(condition__isnull=True, dispute__isnull=False, claim__isnull=True)
                    | Q(condition__isnull=True, dispute__isnull=True, claim__isnull=False)
                ),
                name="escrow_evidence_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.sha256[:12]})"
