"""Erasure: 24 h after a session ends its real numbers are gone for good, even for someone holding
the database and every encryption key."""

import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from cryptography.fernet import InvalidToken
from django.db import connection
from django.utils import timezone

from masking import services, tasks
from masking.models import Interaction, MaskedSession, Participant
from trustplatform import pii

from .conftest import mobile, numbers_of

CONSUMER, RIDER = mobile(41), mobile(42)
FERNET_TOKEN = re.compile(r"gAAAAA[A-Za-z0-9_\-=]+")


def _digit_forms(e164: str) -> list[str]:
    national = "0" + e164[3:]
    return [e164, e164[1:], national, f"{national[:3]}-{national[3:7]}-{national[7:]}"]


def _dump() -> str:
    """The whole test database as text: pg_dump when available, else every text column."""
    settings_dict = connection.settings_dict
    if shutil.which("pg_dump"):
        return subprocess.run(["pg_dump", "--data-only", "--no-owner", settings_dict["NAME"]],
                              check=True, capture_output=True, text=True, timeout=120).stdout
    raise pytest.skip("pg_dump is not installed")


def _secrets_in(dump: str) -> str:
    """The dump plus everything its Fernet tokens decrypt to with the live keys."""
    found = [dump]
    for token in FERNET_TOKEN.findall(dump):
        try:
            found.append(pii._fernet().decrypt(token.encode()).decode())
        except InvalidToken:
            continue
    return "\n".join(found)


def _ended_long_ago(session, settings):
    past = timezone.now() - timedelta(hours=settings.MASKING_SCRUB_HOURS, minutes=1)
    MaskedSession.objects.filter(pk=session.pk).update(ended_at=past, opens_at=past - timedelta(hours=3),
                                                       expires_at=past)


@pytest.mark.django_db(transaction=True)
def test_the_scrub_task_leaves_no_real_number_anywhere_in_the_database(pool, open_session, telco, settings,
                                                                       _sms_in_memory):
    pool(2)
    session = open_session(consumer=CONSUMER, business=RIDER)
    numbers = numbers_of(session)
    telco.call(caller=CONSUMER, proxy=numbers["consumer"])
    telco.text(caller=RIDER, proxy=numbers["business"], body="도착")
    services.status_text_send(session=session, body="배달 완료")
    services.block_add(session=session, owner_side="consumer")
    services.session_complete(session=session)

    before = _secrets_in(_dump())
    assert all(form not in _dump() for form in _digit_forms(CONSUMER))  # encrypted at rest
    assert CONSUMER in before and RIDER in before  # ...but readable with the keys, until the scrub

    services.sessions_scrub_due()
    assert MaskedSession.objects.get(pk=session.pk).status == "closed"  # not due yet
    _ended_long_ago(session, settings)
    tasks.sessions_scrub.delay()

    session.refresh_from_db()
    assert session.status == "scrubbed" and session.scrubbed_at is not None
    after = _secrets_in(_dump())
    for number in (CONSUMER, RIDER):
        for form in _digit_forms(number):
            assert form not in after, f"{form} is still in the database"
    # Only the block list keeps blind indexes (keyed hashes, no digits): the block must outlive the order.
    from masking.models import Block

    block = Block.objects.get()
    assert {block.owner_index, block.blocked_index} == {pii.blind_index(CONSUMER), pii.blind_index(RIDER)}
    assert after.count(pii.blind_index(CONSUMER)) == 1
    assert not Participant.objects.filter(session=session).exclude(phone="").exists()
    assert not Interaction.objects.filter(session=session).exclude(response="").exists()


@pytest.mark.django_db
def test_scrubbing_twice_changes_nothing(pool, open_session, settings):
    pool(1)
    session = open_session()
    services.session_complete(session=session)
    _ended_long_ago(session, settings)
    assert services.session_scrub(session_id=session.pk) is True
    assert services.session_scrub(session_id=session.pk) is False
    tasks.session_scrub.delay(session.pk)
    session.refresh_from_db()
    assert session.status == "scrubbed"


@pytest.mark.django_db
def test_an_open_session_is_never_scrubbed(pool, open_session):
    pool(1)
    session = open_session()
    assert services.session_scrub(session_id=session.pk) is False
    assert session.participants.get(side="consumer").phone == mobile(1)
