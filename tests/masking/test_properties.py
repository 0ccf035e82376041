"""Property test: random sequences of open / close / time passing / calls never break the Twilio
rule, and every call reaches exactly the stored counterpart or is refused."""

import itertools
import xml.etree.ElementTree as ET
from datetime import timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masking import services
from masking.errors import MaskingError
from masking.models import MaskedSession, Participant
from masking.services import InboundEvent, Party
from tests.masking.factories import ProxyNumberFactory

from .conftest import mobile

pytestmark = pytest.mark.django_db

POOL = 3
PEOPLE = [mobile(n) for n in range(1, 6)]  # 0-2 consumers, 3-4 businesses
STRANGER = mobile(99)
_sids = itertools.count()

operations = st.lists(st.one_of(
    st.tuples(st.just("open"), st.integers(0, 2), st.integers(3, 4), st.integers(5, 240)),
    st.tuples(st.just("close"), st.integers(0, 20)),
    st.tuples(st.just("wait"), st.integers(1, 150)),
    st.tuples(st.just("call"), st.integers(0, 5), st.integers(0, POOL - 1)),
), min_size=1, max_size=25)


def _holds_are_disjoint(now):
    rows = list(Participant.objects.filter(phone_index__isnull=False).values_list(
        "phone_index", "proxy_number_id", "held_from", "holds_until"))
    by_key = {}
    for index, number, start, end in rows:
        by_key.setdefault((index, number), []).append((start, end))
    for spans in by_key.values():
        spans.sort()
        for (_s1, e1), (s2, _e2) in itertools.pairwise(spans):
            assert e1 <= s2, "one person holds one number twice while open or cooling"


def _expected_callee(caller, proxy_e164, now):
    """The stored counterpart, from the rows, independently of the routing query."""
    for participant in Participant.objects.select_related("session", "proxy_number"):
        session = participant.session
        if (participant.phone == caller and participant.proxy_number.e164 == proxy_e164
                and session.status == "open" and session.opens_at <= now < session.expires_at):
            return session.participants.exclude(pk=participant.pk).get().phone
    return None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_random_histories_keep_the_rule_and_route_only_to_the_counterpart(ops):
    clock = [timezone.now().replace(microsecond=0)]
    with mock.patch("django.utils.timezone.now", lambda: clock[0]), transaction.atomic():
        numbers = [ProxyNumberFactory(e164=f"+82505900{n:04d}").e164 for n in range(POOL)]
        sessions: list[MaskedSession] = []
        for op in ops:
            now = clock[0]
            if op[0] == "open":
                _kind, consumer, business, minutes = op
                try:
                    sessions.append(services.session_open(
                        consumer=Party(phone=PEOPLE[consumer], label="c"),
                        business=Party(phone=PEOPLE[business], label="b"),
                        expires_at=now + timedelta(minutes=minutes)))
                except MaskingError as exc:
                    assert exc.code == "pool_exhausted"
                    window_end = now + timedelta(minutes=minutes) + services.sessions.cooloff()
                    held = [len({p.proxy_number_id for p in Participant.objects.filter(
                        held_from__lt=window_end, holds_until__gt=now) if p.phone == person})
                        for person in (PEOPLE[consumer], PEOPLE[business])]
                    assert max(held) == POOL, "refused while a number was free"
            elif op[0] == "close" and sessions:
                services.session_complete(session=sessions[op[1] % len(sessions)])
            elif op[0] == "wait":
                clock[0] = now + timedelta(minutes=op[1])
                services.sessions_expire_due()
            elif op[0] == "call":
                caller = (PEOPLE + [STRANGER])[op[1]]
                proxy = numbers[op[2]]
                answer = services.inbound_answer(event=InboundEvent(
                    provider="sandbox", sid=f"CA{next(_sids):032x}", kind="call", caller=caller, proxy=proxy,
                    digest="d"))
                rung = [n.text for n in ET.fromstring(answer).iter("Number")]
                expected = _expected_callee(caller, proxy, clock[0])
                assert rung == ([expected] if expected else [])
            _holds_are_disjoint(clock[0])
        transaction.set_rollback(True)
