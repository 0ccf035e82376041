"""The consumer's safe-number choice at checkout-like steps (a booking, a deposit, a listing enquiry):
recorded per deal, so a deal keeps its answer, and remembered as the next default."""

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType

from ..models import CheckoutChoice, Preference


def preference_get(*, user) -> bool:
    """Whether to offer the safe number ticked: yes unless the consumer last said no."""
    if isinstance(user, AnonymousUser) or not user.is_authenticated:
        return True
    preference = Preference.objects.filter(user=user).only("use_safe_number").first()
    return True if preference is None else preference.use_safe_number


def preference_set(*, user, use_safe_number: bool) -> Preference:
    # One upsert statement: update_or_create costs a read, a savepoint and a write.
    [preference] = Preference.objects.bulk_create(
        [Preference(user=user, use_safe_number=use_safe_number)], update_conflicts=True,
        unique_fields=["user"], update_fields=["use_safe_number", "updated_at"])
    return preference


def choice_record(*, user, subject, use_safe_number: bool | None = None) -> bool:
    """Record the consumer's answer for this deal and return it: `None` (not asked, e.g. an API call
    without the field) takes their remembered preference; an answer given becomes the next default.

    Without a safe number the business is given the consumer's own number; with one, never."""
    if use_safe_number is None:
        use_safe_number = preference_get(user=user)
    else:
        preference_set(user=user, use_safe_number=use_safe_number)
    CheckoutChoice.objects.bulk_create(
        [CheckoutChoice(user=user, subject_type=ContentType.objects.get_for_model(subject),
                        subject_id=str(subject.pk), use_safe_number=use_safe_number)],
        update_conflicts=True, unique_fields=["subject_type", "subject_id", "user"],
        update_fields=["use_safe_number", "chosen_at"])
    return use_safe_number
