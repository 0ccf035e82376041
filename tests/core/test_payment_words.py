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
