"""Ledger reasons are stored as the services wrote them and shown through their registered templates."""

from django.utils import translation

from trustplatform.ledger import reasons


def test_a_reason_is_matched_and_refilled_with_its_values(monkeypatch):
    monkeypatch.setattr(reasons, "_TEMPLATES", [])
    reasons.reasons_register("booking %(code)s paid", "refund of payment %(payment)s: %(reason)s")
    shown = {
        "booking %(code)s paid": "예약 %(code)s 결제 완료",
        "refund of payment %(payment)s: %(reason)s": "결제 %(payment)s 환불: %(reason)s",
    }
    monkeypatch.setattr(reasons, "gettext", lambda template: shown[template])
    assert reasons.reason_shown("booking K7M2QX9A paid") == "예약 K7M2QX9A 결제 완료"
    # A refund's own reason is a reason too.
    assert reasons.reason_shown("refund of payment sbx_1: booking K7M2QX9A paid") == (
        "결제 sbx_1 환불: 예약 K7M2QX9A 결제 완료"
    )


def test_a_reason_no_template_wrote_is_shown_as_stored():
    with translation.override("ko"):
        assert reasons.reason_shown("설립 자본금 납입") == "설립 자본금 납입"
        assert reasons.reason_shown("booking paid late") == "booking paid late"
