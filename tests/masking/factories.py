"""Masking test data: the pool of virtual (safe) numbers."""

import factory
from factory.django import DjangoModelFactory

from masking.models import ProxyNumber


def proxy_e164(n: int) -> str:
    return f"+82505100{n:04d}"


class ProxyNumberFactory(DjangoModelFactory):
    """An active virtual number of the pool, +82505100NNNN (allocation takes the lowest first)."""

    class Meta:
        model = ProxyNumber

    e164 = factory.Sequence(lambda n: proxy_e164(n + 1))
