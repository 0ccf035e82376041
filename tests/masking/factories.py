"""Masking test data: the pool of virtual (safe) numbers."""

import factory
from factory.django import DjangoModelFactory

from masking.models import ProxyNumber


def proxy_e164(n: int) -> str:
    return f"+82505100{n:04d}"


def without_proxy_numbers(text: str) -> str:
    """The text with every pool number taken out, so a check for digits of a real number cannot
    trip on a proxy number that happens to end in the same four digits."""
    for e164 in ProxyNumber.objects.values_list("e164", flat=True):
        text = text.replace(ProxyNumber(e164=e164).display, "").replace(e164, "")
    return text


class ProxyNumberFactory(DjangoModelFactory):
    """An active virtual number of the pool, +82505100NNNN (allocation takes the lowest first)."""

    class Meta:
        model = ProxyNumber

    e164 = factory.Sequence(lambda n: proxy_e164(n + 1))
