from django.db import models
from django.utils.translation import gettext_lazy as _

from trustplatform.fields import EncryptedTextField


class SandboxRegistryRecord(models.Model):
    """The sandbox registry: what the registry-check provider answers for an address.

    The table keeps the name it had under escrow, so its rows stayed in place when it moved here.
    """

    address = models.CharField(_("address"), max_length=200, unique=True)
    owner_name = models.CharField(_("owner"), max_length=100)
    liens = models.JSONField(_("liens"), default=list, blank=True)
    # The owner's contact as a registry service may give it: owner-link texts go here first.
    owner_phone = EncryptedTextField(_("owner's mobile number"), blank=True, db_default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "escrow_sandboxregistryrecord"
        verbose_name = _("sandbox registry record")
        verbose_name_plural = _("sandbox registry records")

    def __str__(self) -> str:
        return self.address
