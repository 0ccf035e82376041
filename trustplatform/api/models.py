from django.conf import settings
from django.db import models


class IdempotentRequest(models.Model):
    """An API POST made with an Idempotency-Key: a repeat returns the stored first answer.

    The table keeps the name it had when only escrow's API used it, so its rows stayed in place.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "escrow_idempotentrequest"
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="escrow_idempotent_request_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
