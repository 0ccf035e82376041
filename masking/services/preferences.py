"""The consumer's safe-number choice at checkout-like steps, remembered as the next default."""

from django.contrib.auth.models import AnonymousUser

from ..models import Preference


def preference_get(*, user) -> bool:
    """Whether to offer the safe number ticked: yes unless the consumer last said no."""
    if isinstance(user, AnonymousUser) or not user.is_authenticated:
        return True
    preference = Preference.objects.filter(user=user).only("use_safe_number").first()
    return True if preference is None else preference.use_safe_number


def preference_set(*, user, use_safe_number: bool) -> Preference:
    preference, _created = Preference.objects.update_or_create(
        user=user, defaults={"use_safe_number": use_safe_number})
    return preference
