from django.contrib.contenttypes.models import ContentType

from .context import current_actor
from .models import AuditEntry
from .words import SYSTEM_ACTOR


def audit_record(*, obj, action: str, actor=None, reason: str = "", field: str = "",
                 source: str = "", target: str = "", extra: dict | None = None) -> AuditEntry:
    """Append one audit row about `obj`; the actor defaults to the user of the current request."""
    actor = actor if actor is not None else current_actor()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry.objects.create(
        actor=actor,
        actor_repr=str(actor)[:200] if actor else SYSTEM_ACTOR,
        content_type=ContentType.objects.get_for_model(type(obj), for_concrete_model=False),
        object_id=str(obj.pk) if obj.pk is not None else "",
        object_repr=str(obj)[:200],
        action=action,
        field=field,
        source=str(source or ""),
        target=str(target or ""),
        reason=reason or "",
        extra=extra or {},
    )
