"""What a consumer's question may be about: their own objects in the apps above the core.

The core imports no app, so each app registers its kind in its AppConfig.ready():

    subject_register(InquirySubject(kind="booking", label=_("Stay"), category="stay", mine=guest_bookings))

`mine(user=...)` returns that person's own objects of the kind, newest first. A question names one as
"kind:id", and it is looked up only among `mine`: another person's booking is simply not found.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext as _

from .errors import SupportNotFound

# How many of each kind the form offers; one named in the link (?about=) is offered as well.
CHOICES_PER_KIND = 20


@dataclass(frozen=True)
class InquirySubject:
    kind: str
    label: object  # a lazy message: the group's name in the form
    category: str  # the Inquiry.Category a question about it starts with
    mine: Callable[..., models.QuerySet]


_subjects: dict[str, InquirySubject] = {}


def subject_register(subject: InquirySubject) -> None:
    if subject.kind in _subjects and _subjects[subject.kind] != subject:
        raise ImproperlyConfigured(f"two question subjects named {subject.kind}")
    _subjects[subject.kind] = subject


def subjects() -> list[InquirySubject]:
    return list(_subjects.values())


def subject_value(obj, kind: str) -> str:
    return f"{kind}:{obj.pk}"


def subject_find(*, user, about: str) -> tuple[InquirySubject, models.Model] | None:
    """The object `about` ("kind:id") names, among the user's own; None for an empty `about`."""
    if not about:
        return None
    kind, _sep, raw_id = about.partition(":")
    subject = _subjects.get(kind)
    found = None
    if subject is not None and raw_id.isdigit() and len(raw_id) <= 18:
        found = subject.mine(user=user).filter(pk=int(raw_id)).first()
    if found is None:
        raise SupportNotFound(
            _("Choose one of your own bookings, deposits or listings."),
            code="unknown_subject",
            fields={"about": [_("Not one of yours.")]},
        )
    return subject, found


def subject_choices(*, user, include: str = "") -> list[tuple[object, list[tuple[str, str]]]]:
    """The form's grouped choices: the user's recent objects of each kind (and `include`, if theirs)."""
    groups = []
    for subject in subjects():
        objects = list(subject.mine(user=user)[:CHOICES_PER_KIND])
        options = [(subject_value(obj, subject.kind), str(obj)[:200]) for obj in objects]
        if include.startswith(f"{subject.kind}:") and include not in dict(options):
            try:
                _subject, extra = subject_find(user=user, about=include)
            except SupportNotFound:
                extra = None
            if extra is not None:
                options.insert(0, (include, str(extra)[:200]))
        if options:
            groups.append((subject.label, options))
    return groups
