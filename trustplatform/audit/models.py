from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One append-only row per lifecycle transition or sensitive action, in every app.

    PostgreSQL refuses UPDATE and DELETE on this table (migration 0002); the admin is read-only.
    """

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    # Kept as text too, so the row still reads right if the actor's name changes.
    actor_repr = models.CharField(_("actor name"), max_length=200, blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=100)
    field = models.CharField(_("field"), max_length=100, blank=True)
    source = models.CharField(_("from"), max_length=100, blank=True)
    target = models.CharField(_("to"), max_length=100, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    extra = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]

    def __str__(self) -> str:
        from .words import action_words, state_words

        model = self.content_type.model_class()
        source, target = (state_words(model, self.field, code) for code in (self.source, self.target))
        arrow = f" {source} → {target}" if self.target else ""
        return f"{self.object_repr}: {action_words(model, self.action)}{arrow}"
