"""Real parallel session openings against PostgreSQL: threads start together behind a barrier."""

from collections import Counter

import pytest
from django.db import DatabaseError, IntegrityError

from masking.errors import MaskingError
from masking.models import MaskedSession, Participant
from masking.services import sessions as session_services
from tests.race import race

from .conftest import mobile

pytestmark = pytest.mark.django_db(transaction=True)

OPENINGS = 50


def _race(work, count=OPENINGS):
    return race(work, count, expected=(MaskingError, IntegrityError), timeout=30)


def _no_person_holds_a_number_twice():
    pairs = Counter(Participant.objects.values_list("phone_index", "proxy_number_id"))
    assert pairs and max(pairs.values()) == 1


def test_fifty_openings_for_one_business_at_the_lower_bound_all_succeed(pool, open_session):
    pool(OPENINGS)  # the business needs 50 at once: the lower bound
    outcomes = _race(lambda i: open_session(consumer=mobile(100 + i), business=mobile(9)))
    failures = [o for o in outcomes if isinstance(o, Exception)]
    assert not failures and all(isinstance(o, MaskedSession) for o in outcomes), failures
    _no_person_holds_a_number_twice()
    assert Participant.objects.filter(side="business").values("proxy_number").distinct().count() == OPENINGS


def test_fifty_openings_in_a_crossing_pattern_all_succeed(pool, open_session):
    # 10 businesses x 5 consumers: everyone holds 5 or 10 numbers at once, so 10 is the bound.
    pool(10)
    outcomes = _race(lambda i: open_session(consumer=mobile(200 + i % 5), business=mobile(300 + i // 5)))
    assert all(isinstance(o, MaskedSession) for o in outcomes)
    _no_person_holds_a_number_twice()


def test_control_without_the_lock_the_race_is_real_and_the_constraint_catches_it(
        pool, open_session, monkeypatch):
    """With the per-person lock taken away, parallel openings pick the same number; only the
    exclusion constraint stops the collision — proof the lock is what makes them all succeed."""
    pool(OPENINGS)
    monkeypatch.setattr(session_services, "_identity_lock", lambda *indexes: None)
    # Without the lock PostgreSQL may also break a deadlock between two openings: another refusal.
    outcomes = race(lambda i: open_session(consumer=mobile(400 + i), business=mobile(9)), OPENINGS,
                    expected=(MaskingError, DatabaseError), timeout=30)
    _no_person_holds_a_number_twice()
    assert any(isinstance(o, MaskingError) and o.code == "allocation_conflict" for o in outcomes)
