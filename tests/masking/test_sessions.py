from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from masking import services
from masking.errors import MaskingError
from masking.models import MaskedSession, Participant
from masking.services import Party
from trustplatform import pii
from trustplatform.audit.models import AuditEntry

from .conftest import mobile, numbers_of
from .factories import proxy_e164

pytestmark = pytest.mark.django_db


def test_each_side_gets_the_lowest_free_number_and_real_numbers_are_encrypted(pool, open_session):
    numbers = pool(3)
    session = open_session(consumer="010-2000-0001", business="010-2000-0002")
    assert numbers_of(session) == {"consumer": numbers[0].e164, "business": numbers[0].e164}
    consumer = session.participants.get(side="consumer")
    assert consumer.phone == mobile(1) and consumer.phone_hint == "010-****-0001"
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM masking_participant WHERE id = %s", [consumer.pk])
        assert mobile(1) not in cursor.fetchone()[0]


def test_a_person_in_two_sessions_gets_two_numbers_and_the_other_side_reuses_the_first(pool, open_session):
    numbers = pool(3)
    first = open_session(consumer=mobile(1), business=mobile(9))
    second = open_session(consumer=mobile(2), business=mobile(9))
    assert numbers_of(first)["business"] == numbers[0].e164
    assert numbers_of(second) == {"business": numbers[1].e164, "consumer": numbers[0].e164}


def test_the_same_pair_gets_its_old_numbers_back(pool, open_session):
    numbers = pool(4)
    busy = open_session(consumer=mobile(5), business=mobile(9))  # takes #0 for the business
    first = open_session(consumer=mobile(1), business=mobile(9))  # business #1
    assert numbers_of(first)["business"] == numbers[1].e164
    services.session_complete(session=first)
    services.session_complete(session=busy)
    Participant.objects.filter(session__in=[first, busy]).update(
        holds_until=timezone.now() - timedelta(seconds=1), held_from=timezone.now() - timedelta(hours=2))
    again = open_session(consumer=mobile(1), business=mobile(9))
    # #0 is free and lower, but the pair used #1 last time: sticky wins.
    assert numbers_of(again)["business"] == numbers[1].e164


def test_pool_exhausted_is_a_clear_409(pool, open_session):
    pool(1)
    open_session(consumer=mobile(1), business=mobile(9))
    with pytest.raises(MaskingError) as refused:
        open_session(consumer=mobile(2), business=mobile(9))
    assert refused.value.code == "pool_exhausted" and refused.value.status == 409


def test_a_closed_session_holds_its_number_through_the_cool_off(pool, open_session, settings):
    pool(2)
    first = open_session(consumer=mobile(1), business=mobile(9))
    services.session_complete(session=first)
    second = open_session(consumer=mobile(2), business=mobile(9))
    assert numbers_of(second)["business"] != numbers_of(first)["business"]
    holds = first.participants.get(side="business").holds_until
    first.refresh_from_db()
    assert holds == first.ended_at + timedelta(minutes=settings.MASKING_COOLOFF_MINUTES)


def test_the_database_refuses_one_person_holding_one_number_twice(pool, open_session):
    pool(2)
    session = open_session(consumer=mobile(1), business=mobile(9))
    holder = session.participants.get(side="business")
    other = open_session(consumer=mobile(2), business=mobile(8))
    clash = other.participants.get(side="business")
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.filter(pk=clash.pk).update(
            phone_index=holder.phone_index, proxy_number=holder.proxy_number)


def test_same_number_on_both_sides_and_bad_expiry_are_refused(pool, open_session):
    pool(1)
    with pytest.raises(MaskingError) as same:
        open_session(consumer=mobile(1), business=mobile(1))
    assert same.value.code == "same_number"
    with pytest.raises(MaskingError) as past:
        open_session(expires_at=timezone.now() - timedelta(minutes=1))
    assert past.value.code == "invalid_expiry"
    with pytest.raises(MaskingError) as bad_phone:
        services.session_open(consumer=Party(phone="12", label="x"),
                              business=Party(phone=mobile(2), label="y"),
                              expires_at=timezone.now() + timedelta(hours=1))
    assert bad_phone.value.code == "invalid_phone"


def test_closing_twice_changes_nothing_and_is_audited_once(pool, open_session):
    pool(1)
    session = open_session()
    services.session_complete(session=session, reason="delivered")
    services.session_complete(session=session)
    session.refresh_from_db()
    assert (session.status, session.close_reason) == ("closed", "completed")
    assert AuditEntry.objects.filter(action="complete", object_id=str(session.pk)).count() == 1


def test_the_sweep_expires_due_sessions_and_their_cool_off_starts_at_expiry(pool, open_session, settings):
    pool(2)
    due = open_session()
    later = open_session(consumer=mobile(3), business=mobile(4))
    past = timezone.now() - timedelta(minutes=5)
    MaskedSession.objects.filter(pk=due.pk).update(expires_at=past, opens_at=past - timedelta(hours=1))
    assert services.sessions_expire_due() == 1
    assert services.sessions_expire_due() == 0
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, due.close_reason, due.ended_at) == ("closed", "expired", past)
    assert later.status == "open"
    assert due.participants.first().holds_until == past + timedelta(minutes=settings.MASKING_COOLOFF_MINUTES)


def test_pii_rotate_re_encrypts_participants_and_relay_answers(pool, open_session, settings, telco):
    pool(1)
    old_key = settings.PII_ENCRYPTION_KEYS[-1]
    settings.PII_ENCRYPTION_KEYS = [old_key]
    pii.reset_keys()
    try:
        session = open_session()
        telco.call(caller=mobile(1), proxy=proxy_e164_of(session, "consumer"))
        new_key = Fernet.generate_key().decode()
        settings.PII_ENCRYPTION_KEYS = [new_key, old_key]
        call_command("pii_rotate")
        with connection.cursor() as cursor:
            cursor.execute("SELECT phone FROM masking_participant WHERE session_id = %s", [session.pk])
            tokens = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT response FROM masking_interaction WHERE session_id = %s", [session.pk])
            tokens += [row[0] for row in cursor.fetchall()]
        assert len(tokens) == 3
        for token in tokens:
            Fernet(new_key).decrypt(token.encode())  # raises if still under the old key
        settings.PII_ENCRYPTION_KEYS = [new_key]
        pii.reset_keys()
        assert session.participants.get(side="business").phone == mobile(2)
    finally:
        pii.reset_keys()


def proxy_e164_of(session, side):
    return numbers_of(session)[side]


def test_demo_seed_is_idempotent(db):
    from masking import demo
    from trustplatform import demo as core_demo

    core_demo.seed()
    demo.seed()
    demo.seed()
    assert MaskedSession.objects.filter(status="open").count() == 3
    assert proxy_e164(1).startswith("+82505")
