"""Webhooks as the telephone network sends them: signed by the official `twilio` package, answered
in TwiML parsed as XML."""

from datetime import timedelta

import pytest
from django.utils import timezone

from masking import services
from masking.models import Interaction, MaskedSession
from masking.services import Party

from .conftest import dialled, mobile, numbers_of, twiml

pytestmark = pytest.mark.django_db

CONSUMER, RIDER, STRANGER = mobile(1), mobile(2), mobile(3)


@pytest.fixture
def session(pool, open_session):
    pool(3)
    return open_session(consumer=CONSUMER, business=RIDER)


def test_a_call_reaches_exactly_the_stored_counterpart_showing_their_proxy_number(session, telco):
    numbers = numbers_of(session)
    root = twiml(telco.call(caller=CONSUMER, proxy=numbers["consumer"]))
    assert dialled(root) == [(numbers["business"], RIDER)]
    root = twiml(telco.call(caller=RIDER, proxy=numbers["business"]))
    assert dialled(root) == [(numbers["consumer"], CONSUMER)]
    assert Interaction.objects.filter(session=session, outcome="connected").count() == 2


def test_an_expired_session_is_never_connected_even_before_the_sweep(session, telco):
    MaskedSession.objects.filter(pk=session.pk).update(expires_at=timezone.now() - timedelta(seconds=1),
                                                       opens_at=timezone.now() - timedelta(hours=1))
    root = twiml(telco.call(caller=CONSUMER, proxy=numbers_of(session)["consumer"]))
    assert dialled(root) == [] and root.find("Say") is not None and root.find("Hangup") is not None
    assert Interaction.objects.get().outcome == "not_in_use"


def test_a_closed_session_in_its_cool_off_is_not_connected(session, telco):
    services.session_complete(session=session)
    root = twiml(telco.call(caller=RIDER, proxy=numbers_of(session)["business"]))
    assert dialled(root) == []


def test_an_unknown_caller_is_never_connected(session, telco):
    root = twiml(telco.call(caller=STRANGER, proxy=numbers_of(session)["consumer"]))
    assert dialled(root) == []
    interaction = Interaction.objects.get()
    assert (interaction.outcome, interaction.session, interaction.caller_hint) == (
        "not_in_use", None, "010-****-0003")


def test_a_withheld_caller_id_is_never_connected(session, telco):
    root = twiml(telco.call(caller="anonymous", proxy=numbers_of(session)["consumer"]))
    assert dialled(root) == []


def test_a_duplicate_call_sid_gets_the_first_answer_and_one_interaction(session, telco):
    proxy = numbers_of(session)["consumer"]
    first = telco.call(caller=CONSUMER, proxy=proxy, sid="CA" + "a" * 32)
    services.session_complete(session=session)  # even if the session changed since
    again = telco.call(caller=CONSUMER, proxy=proxy, sid="CA" + "a" * 32)
    assert again.content == first.content
    assert dialled(twiml(again)) == [(numbers_of(session)["business"], RIDER)]
    assert Interaction.objects.count() == 1


def test_the_same_sid_with_other_content_is_refused(session, telco):
    proxy = numbers_of(session)["consumer"]
    telco.call(caller=CONSUMER, proxy=proxy, sid="CA" + "b" * 32)
    response = telco.call(caller=STRANGER, proxy=proxy, sid="CA" + "b" * 32)
    assert response.status_code == 403 and Interaction.objects.count() == 1


def test_a_replay_after_the_retry_window_is_refused(session, telco, settings):
    proxy = numbers_of(session)["consumer"]
    telco.call(caller=CONSUMER, proxy=proxy, sid="CA" + "c" * 32)
    Interaction.objects.update(created_at=timezone.now() - timedelta(
        seconds=settings.MASKING_WEBHOOK_REPLAY_SECONDS + 1))
    assert telco.call(caller=CONSUMER, proxy=proxy, sid="CA" + "c" * 32).status_code == 403


@pytest.mark.parametrize("how", ["unsigned", "bad", "tampered", "wrong_token"])
def test_unsigned_or_tampered_requests_get_403_and_change_nothing(session, telco, how):
    proxy = numbers_of(session)["consumer"]
    kwargs = {"unsigned": {"signature": ""}, "bad": {"signature": "c2lnbmF0dXJl"},
              "tampered": {"tamper": {"From": CONSUMER}}, "wrong_token": {}}[how]
    if how == "wrong_token":
        from twilio.request_validator import RequestValidator

        telco.validator = RequestValidator("not-the-token")
    caller = STRANGER if how == "tampered" else CONSUMER
    response = telco.call(caller=caller, proxy=proxy, **kwargs)
    assert response.status_code == 403
    assert not Interaction.objects.exists()


def test_signatures_are_checked_against_the_public_url_behind_a_proxy(session, telco, settings):
    settings.SITE_URL = "https://ansim.example.kr"
    root = twiml(telco.call(caller=CONSUMER, proxy=numbers_of(session)["consumer"]))
    assert len(dialled(root)) == 1


def test_a_text_is_relayed_with_a_prefix_from_the_counterparts_proxy_number(session, telco):
    numbers = numbers_of(session)
    root = twiml(telco.text(caller=RIDER, proxy=numbers["business"], body="문 앞에 두었습니다"))
    message = root.find("Message")
    assert (message.get("to"), message.get("from")) == (CONSUMER, numbers["consumer"])
    assert message.text.startswith("[") and message.text.endswith("배달 기사] 문 앞에 두었습니다")


def test_an_unknown_texter_gets_a_short_reply_and_nothing_is_relayed(session, telco):
    root = twiml(telco.text(caller=STRANGER, proxy=numbers_of(session)["consumer"], body="hi"))
    message = root.find("Message")
    assert message is not None and message.get("to") is None


def test_a_blocked_caller_is_refused_politely(session, telco):
    services.block_add(session=session, owner_side="consumer")
    root = twiml(telco.call(caller=RIDER, proxy=numbers_of(session)["business"]))
    assert dialled(root) == [] and root.find("Say") is not None
    # The consumer can still call out.
    assert len(dialled(twiml(telco.call(caller=CONSUMER, proxy=numbers_of(session)["consumer"])))) == 1


def test_per_session_limit_ends_calls_politely_never_429(session, telco, settings):
    settings.MASKING_CALLS_PER_SESSION_HOUR = 2
    proxy = numbers_of(session)["consumer"]
    answers = [twiml(telco.call(caller=CONSUMER, proxy=proxy)) for _ in range(3)]
    assert [len(dialled(a)) for a in answers] == [1, 1, 0]
    assert answers[2].find("Say") is not None
    assert Interaction.objects.filter(outcome="limited").count() == 1


def test_per_caller_limit_silences_a_texting_stranger(session, telco, settings):
    settings.MASKING_TEXTS_PER_CALLER_HOUR = 1
    proxy = numbers_of(session)["consumer"]
    first = twiml(telco.text(caller=STRANGER, proxy=proxy, body="1"))
    second = twiml(telco.text(caller=STRANGER, proxy=proxy, body="2"))
    assert first.find("Message") is not None and second.find("Message") is None


def test_a_text_only_session_refuses_calls(pool, open_session, telco):
    pool(1)
    session = open_session(mode="sms")
    root = twiml(telco.call(caller=mobile(1), proxy=numbers_of(session)["consumer"]))
    assert dialled(root) == [] and Interaction.objects.get().outcome == "wrong_mode"


def test_click_to_call_rings_the_business_then_bridges_to_the_consumer(session, telco,
                                                                        django_capture_on_commit_callbacks):
    numbers = numbers_of(session)
    with django_capture_on_commit_callbacks(execute=True):
        call = services.click_to_call_start(session=session)
    call.refresh_from_db()
    assert call.outcome == "ringing" and call.sid.startswith("CA")
    params = {"CallSid": call.sid, "AccountSid": "AC" + "0" * 32, "CallStatus": "in-progress",
              "Direction": "outbound-api"}
    path = f"/hooks/telephony/bridge/{call.public_id}/"
    first = telco.post(path, params)
    assert dialled(twiml(first)) == [(numbers["consumer"], CONSUMER)]
    assert telco.post(path, params).content == first.content  # a retry: same answer
    assert telco.post(path, {**params, "CallSid": "CA" + "f" * 32}).status_code == 403
    call.refresh_from_db()
    assert call.outcome == "bridged"


def test_status_text_goes_to_the_real_number_from_the_platform_sender(session, settings,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        text = services.status_text_send(session=session, body="배달 완료")
    text.refresh_from_db()
    assert text.outcome == "sent" and text.sid.startswith("SM") and text.callee.phone == CONSUMER
    assert services.status_text_deliver(interaction_id=text.pk) is False  # a second run does nothing


def test_provider_sms_backend_sends_platform_texts_through_the_carrier(settings):
    from masking.providers import ProviderSmsBackend

    assert ProviderSmsBackend().send(to=CONSUMER, body="코드 123456", sender="+8215880000").startswith("SM")


def test_a_session_open_for_a_later_time_does_not_connect_yet(pool, telco):
    pool(1)
    later = timezone.now() + timedelta(hours=1)
    session = services.session_open(consumer=Party(phone=CONSUMER, label="고객"),
                                    business=Party(phone=RIDER, label="라이더"),
                                    opens_at=later, expires_at=later + timedelta(hours=2))
    assert dialled(twiml(telco.call(caller=CONSUMER, proxy=numbers_of(session)["consumer"]))) == []


def test_a_webhook_is_answered_in_korean_whatever_language_its_thread_last_served(session, telco):
    """Webhooks skip the language negotiation (trustplatform/api/fastpath.py): a page or API call in
    English served before on the same thread must not make a caller hear English."""
    from django.utils import translation

    from masking import twiml as messages

    translation.activate("en")
    try:
        answer = telco.call(caller=STRANGER, proxy=numbers_of(session)["consumer"])
    finally:
        translation.deactivate()
    said = twiml(answer).find("Say")
    assert said.get("language") == "ko-KR" and answer["Content-Language"] == "ko"
    with translation.override("ko"):
        assert said.text == messages.not_in_use()
    with translation.override("en"):
        assert said.text != messages.not_in_use()  # the Korean catalog answered, not the English one
