"""Deterministic test data shared by both engines: fixed names, fixed offsets from today and now.

Nothing here depends on primary keys or sequences, so the SQLite subprocess and the PostgreSQL test
database build the same world; answers name objects by these labels, never by id.
"""

import itertools
import math
from datetime import date, timedelta

from django.utils import timezone

from tests.bookings.factories import brn_make
from trustplatform.accounts.models import User
from trustplatform.partners.models import Partner

# Registration numbers only need to be valid and unique; they are never compared.
_registration_numbers = itertools.count(810_000_000)


def today() -> date:
    return timezone.localdate()


def day(offset: int) -> date:
    return today() + timedelta(days=offset)


def days_ago(days: float):
    return timezone.now() - timedelta(days=days)


def person(label: str, **fields) -> User:
    return User.objects.create_user(f"{label}@parity.example", password=None, full_name=label, **fields)


def partner(label: str, *, kind: str, status: str = Partner.Status.APPROVED,
            decided_days_ago: float | None = 400.5) -> Partner:
    """An approved partner (by default) decided `decided_days_ago` ago; None leaves it undecided."""
    number = next(_registration_numbers)
    return Partner.objects.create(
        name=label,
        kind=kind,
        registration_number=brn_make(number),
        representative="대표 김",
        contact_email=f"biz{number}@parity.example",
        address="서울특별시 마포구 양화로 45",
        applied_by=person(f"applicant{number}"),
        status=status,
        decided_at=None if decided_days_ago is None else days_ago(decided_days_ago),
    )


def offset_position(origin: tuple[float, float], *, north_m: float = 0, east_m: float = 0):
    """The point `north_m` north and `east_m` east of `origin` on the spherical Earth of the selectors."""
    radius = 6_371_000
    lat, lng = origin
    return (
        lat + math.degrees(north_m / radius),
        lng + math.degrees(east_m / (radius * math.cos(math.radians(lat)))),
    )
