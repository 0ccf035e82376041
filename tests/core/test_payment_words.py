"""The providers' codes on the payments admin read in words; an unknown code as stored."""

from django.utils import translation

from trustplatform.payments.words import event_type_words, outcome_words, provider_words


def test_provider_event_codes_read_in_words():
    with translation.override("en"):
        assert provider_words("sandbox") == "Test payments"
        assert event_type_words("payment.paid") == "Payment paid"
        assert outcome_words("confirmed+funded") == "Booking confirmed, Escrow funded"
        assert outcome_words("") == "—"
        assert event_type_words("payment.someday") == "payment.someday"


def test_a_bank_code_in_a_provider_payload_reads_as_the_bank_name():
    from trustplatform.admin_base import stored_word
    from trustplatform.payments.words import DETAIL_WORDS

    with translation.override("ko"):
        assert stored_word("KAKAO", DETAIL_WORDS) == "카카오뱅크"
        assert stored_word("NOT_A_BANK", DETAIL_WORDS) == "NOT_A_BANK"


def test_the_text_provider_reads_by_its_name_in_the_admin(admin_client, db):
    from trustplatform.notifications.models import DeliveryReport

    DeliveryReport.objects.create(
        provider="solapi", event_id="evt-1", status_code="4000", outcome="delivered"
    )
    page = admin_client.get("/admin/notifications/deliveryreport/", HTTP_ACCEPT_LANGUAGE="ko")
    page = page.content.decode()
    assert "SOLAPI" in page and ">solapi<" not in page
