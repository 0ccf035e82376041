from .models import Notification


def notifications_for(*, user, limit: int = 20) -> list[Notification]:
    """A person's latest notices, each with the texts sent for it (their delivery is shown beside it)."""
    return list(Notification.objects.filter(user=user).prefetch_related("texts")[:limit])
