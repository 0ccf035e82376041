from django.dispatch import receiver
from django_fsm.signals import post_transition

from .services import audit_record


@receiver(post_transition, dispatch_uid="audit_every_transition")
def record_transition(sender, instance, name, source, target, **kwargs):
    """The one receiver that audits every FSM transition of every app."""
    method_kwargs = kwargs.get("method_kwargs") or {}
    audit_record(
        obj=instance,
        action=name,
        actor=method_kwargs.get("by"),
        reason=method_kwargs.get("reason", ""),
        field=kwargs["field"].name,
        source=source,
        target=target,
        extra={"error": str(kwargs["exception"])} if kwargs.get("exception") else None,
    )
