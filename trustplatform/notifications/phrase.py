"""Words written for someone else: kept as a message and its values until we know who reads them,
then rendered in the reader's language, not in the language of whoever caused the notice (a guest
browsing in English cancels; the property's owner reads Korean; a nightly task has no language)."""

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise


class Phrase:
    """A message marked with gettext_lazy and the values of its %(name)s placeholders.

        Phrase(gettext_lazy("Booking %(code)s was cancelled by the guest."), {"code": booking.code})

    Values may be lazy too (a choice's label) or Phrases; str() renders it in the active language.
    """

    __slots__ = ("message", "values")

    def __init__(self, message, values: dict | None = None) -> None:
        self.message = message
        self.values = dict(values or {})

    def __str__(self) -> str:
        text = str(self.message)
        if not self.values:
            return text
        return text % {name: _rendered(value) for name, value in self.values.items()}

    def __repr__(self) -> str:
        return f"Phrase({str(self.message)!r}, {self.values!r})"


def _rendered(value):
    return str(value) if isinstance(value, Promise | Phrase) else value


def language_of(user) -> str:
    """The language we write to this person in: the one they chose, else the platform's."""
    language = getattr(user, "language", "") or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def render_for(user, words) -> str:
    """Plain text, a lazy message or a Phrase, as `user` reads it."""
    if not isinstance(words, Promise | Phrase):
        return words
    with translation.override(language_of(user)):
        return str(words)


def label_of(instance, field: str):
    """The label of a choice field's value, still lazy: `get_FOO_display()` would fix it in the
    sender's language before the Phrase knows who reads it."""
    value = getattr(instance, field)
    return dict(instance._meta.get_field(field).flatchoices).get(value, value)
