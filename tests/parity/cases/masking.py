"""Masking: choosing proxy numbers (sessions._situation, read in one statement on PostgreSQL under
advisory locks, with ORM queries elsewhere) and storing an inbound event once (relay._event_store,
INSERT ... ON CONFLICT on PostgreSQL, a savepoint and the unique index elsewhere).

People and numbers are named by labels; proxy numbers by their pool rank ("#1" is the lowest)."""

import re
from datetime import timedelta

from django.utils import timezone

from masking.models import Interaction, MaskedSession, Participant, ProxyNumber
from masking.services import relay, session_complete, session_open
from masking.services.sessions import Party

from . import attempt, case

PEOPLE = {"A": 1, "B": 2, "C": 3, "D": 4, "stranger": 9}


def phone(person: str) -> str:
    return f"+8210{20_000_000 + PEOPLE[person]:08d}"


def proxy(rank: int) -> str:
    return f"+82505100{rank:04d}"


def pool(active: int, *, retired_first: bool = True) -> None:
    """`active` numbers ranked #1.. and, ranked before them all, one retired number (#0)."""
    if retired_first:
        ProxyNumber.objects.create(e164=proxy(0))
        ProxyNumber.objects.filter(e164=proxy(0)).update(status=ProxyNumber.Status.RETIRED)
    for rank in range(1, active + 1):
        ProxyNumber.objects.create(e164=proxy(rank))


def rank(e164: str) -> str:
    return f"#{int(e164[-4:])}"


def numbers(session: MaskedSession) -> dict[str, str]:
    """Who dials which proxy number in the session, as stored."""
    return {
        participant.label: rank(participant.proxy_number.e164)
        for participant in session.participants.select_related("proxy_number").order_by("side")
    }


def open_between(consumer: str, business: str, *, opens_in_h: float = 0, hours: float = 3):
    """{"ok": (the session, who dials which number)} or the refusal."""
    now = timezone.now()
    opens_at = now + timedelta(hours=opens_in_h) if opens_in_h else None

    def call():
        session = session_open(
            consumer=Party(phone=phone(consumer), label=consumer),
            business=Party(phone=phone(business), label=business),
            opens_at=opens_at, expires_at=now + timedelta(hours=opens_in_h + hours),
            reference=f"{consumer}-{business}",
        )
        return session, numbers(session)

    outcome = attempt(call)
    if "ok" in outcome:
        return outcome["ok"][0], {"ok": outcome["ok"][1]}
    return None, outcome


def holdings() -> list[list]:
    """Every participation written: the session's reference, who, which number."""
    return sorted(
        [participant.session.subject_id, participant.label, rank(participant.proxy_number.e164)]
        for session in MaskedSession.objects.prefetch_related("participants__proxy_number")
        for participant in session.participants.all()
    )


# --- sessions: which number each side gets -----------------------------------------------------


@case("masking.sessions", expect=lambda a: a["B-D"] == {"ok": {"B": "#1", "D": "#1"}}
      and a["A-B"] == {"ok": {"A": "#1", "B": "#2"}} and a["A-C"] == {"ok": {"A": "#2", "C": "#1"}}
      and a["A-D later"] == {"ok": {"A": "#1", "D": "#2"}})
def each_side_gets_the_lowest_number_it_does_not_hold():
    pool(4)
    answer = {}
    for consumer, business, hours in (("B", "D", 6), ("A", "B", 3), ("A", "C", 3)):
        _session, answer[f"{consumer}-{business}"] = open_between(consumer, business, hours=hours)
    # Once A's holds have cooled off (3 h + 60 min), A's lowest number is free again; D's is not yet.
    _session, answer["A-D later"] = open_between("A", "D", opens_in_h=4.5, hours=2)
    answer["held"] = holdings()
    return answer


@case("masking.sessions", expect=lambda a: a["A-B again"] == {"ok": {"A": "#1", "B": "#2"}}
      and a["B-C again"] == {"ok": {"B": "#1", "C": "#1"}})
def a_later_session_keeps_the_number_used_with_the_same_counterpart():
    pool(4)
    first, _numbers = open_between("B", "C")
    second, _numbers = open_between("A", "B")
    for session in (first, second):
        session_complete(session=session)
    # Both cooled off by then: B's lowest number is free, yet B keeps the one A knows.
    answer = {
        "A-B again": open_between("A", "B", opens_in_h=2)[1],
        "B-C again": open_between("B", "C", opens_in_h=2)[1],
    }
    answer["held"] = holdings()
    return answer


@case("masking.sessions", expect=lambda a: "ok" in a["A-C"]
      and a["A-D"]["refused"]["code"] == "pool_exhausted" and len(a["held"]) == 4)
def an_opening_past_the_pool_is_refused():
    pool(2)
    answer = {}
    for consumer, business in (("A", "B"), ("A", "C"), ("A", "D")):
        _session, answer[f"{consumer}-{business}"] = open_between(consumer, business)
    answer["held"] = holdings()
    return answer


# --- relay: inbound events stored once -----------------------------------------------------------


def _plain_twiml(response: str) -> str:
    # The time limit counts down with the clock: minutes are stable, seconds are not.
    return re.sub(r'timeLimit="(\d+)"', lambda found: f'timeLimit="{round(int(found[1]) / 60)}min"', response)


def inbound(kind: str, *, caller: str, to: str, sid: str, digest: str, body: str = "") -> dict:
    event = relay.InboundEvent(provider="twilio", sid=sid, kind=kind, caller=caller, proxy=to, body=body,
                               digest=digest)
    return attempt(lambda: _plain_twiml(relay.inbound_answer(event=event)))


def events() -> list[list]:
    """Every stored event, by provider and id (events without an id first, by their answer)."""
    labels = dict(Participant.objects.values_list("pk", "label"))
    rows = [
        [event.provider, event.sid, event.kind, event.outcome,
         event.session.subject_id if event.session else None, labels.get(event.caller_id),
         labels.get(event.callee_id), event.caller_hint, event.request_digest, _plain_twiml(event.response)]
        for event in Interaction.objects.select_related("session")
    ]
    # Sorted here: the engines put NULL ids at opposite ends of an ORDER BY.
    return sorted(rows, key=lambda row: (row[0], row[1] or "", row[-1]))


def _connected(answer) -> bool:
    call = answer["call"]["ok"]
    return (f"<Number>{phone('B')}</Number>" in call and 'timeLimit="180min"' in call
            and answer["retry"] == answer["call"]
            and answer["other request"]["refused"]["code"] == "webhook_refused")


@case("masking.relay", expect=lambda a: _connected(a) and phone("A") in a["text"]["ok"]
      and [row[3] for row in a["stored"]] == ["connected", "not_in_use", "not_in_use", "relayed"])
def inbound_events_are_answered_and_stored_once():
    pool(2)
    open_between("A", "B", hours=3 + 1 / 120)
    dials = {"A": proxy(1), "B": proxy(1)}
    answer = {
        "call": inbound("call", caller=phone("A"), to=dials["A"], sid="CA01", digest="d-call"),
        "retry": inbound("call", caller=phone("A"), to=dials["A"], sid="CA01", digest="d-call"),
        "other request": inbound("call", caller=phone("A"), to=dials["A"], sid="CA01", digest="d-other"),
        "text": inbound("text", caller=phone("B"), to=dials["B"], sid="SM01", digest="d-text",
                        body="5분 뒤 도착합니다"),
        "stranger": inbound("call", caller=phone("stranger"), to=dials["A"], sid="CA02", digest="d-stranger"),
        "withheld": inbound("call", caller="anonymous", to=dials["A"], sid="CA03", digest="d-withheld"),
    }
    answer["stored"] = events()
    return answer


@case("masking.relay", expect=lambda a: a["stored"] == [True, False, True, True, True] and a["rows"] == [
    ["sandbox", "CA77", "another provider"], ["twilio", None, "no id 1"], ["twilio", None, "no id 2"],
    ["twilio", "CA77", "first answer"],
])
def an_event_id_is_stored_once_per_provider():
    """The store itself, as two deliveries racing past the lookup would reach it."""

    def store(provider: str, sid: str | None, response: str) -> bool:
        return relay._event_store(Interaction(
            provider=provider, sid=sid, kind=Interaction.Kind.CALL, inbound=True, outcome="not_in_use",
            request_digest=f"d-{response}", response=response,
        ))

    answer = {"stored": [
        store("twilio", "CA77", "first answer"),
        store("twilio", "CA77", "second answer"),
        store("sandbox", "CA77", "another provider"),
        # Events without an id (never from a provider) are never duplicates of each other.
        store("twilio", None, "no id 1"),
        store("twilio", None, "no id 2"),
    ]}
    answer["rows"] = [row[:2] + row[-1:] for row in events()]
    return answer
