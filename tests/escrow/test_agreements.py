import pytest
from django.urls import reverse

from escrow.models import Condition, EscrowAgreement
from escrow.services import release
from escrow.services.common import holding_account
from trustplatform.errors import DomainError
from trustplatform.ledger.models import Transfer
from trustplatform.ledger.selectors import ledger_reconcile
from trustplatform.ledger.services import partner_payable
from trustplatform.payments import services as platform_payments
from trustplatform.payments.models import Payment, ProviderEvent
from trustplatform.registries.models import SandboxRegistryRecord

from .factories import ADDRESS, agreed_rental, fund, paid_event, staff_with

pytestmark = pytest.mark.django_db


def _satisfy_manual_conditions(agreement, tenant):
    keys = agreement.conditions.get(kind=Condition.Kind.COUNTERPARTY)
    release.condition_confirm(condition=keys, actor=tenant)
    document = agreement.conditions.get(kind=Condition.Kind.DOCUMENT)
    release.condition_review(condition=document, actor=staff_with("review_document"), accept=True)


def test_both_sides_must_accept_the_exact_terms():
    agreement, tenant, landlord = agreed_rental()
    assert agreement.status == EscrowAgreement.Status.AGREED
    assert agreement.payer_accepted_hash == agreement.payee_accepted_hash == agreement.terms_hash


def test_accepting_stale_terms_is_refused(settings):
    from escrow.services import agreements
    from tests.factories import MembershipFactory, PartnerFactory, UserFactory

    tenant = UserFactory()
    landlord = MembershipFactory(partner=PartnerFactory(kind="landlord"))
    agreement = agreements.agreement_create(
        created_by=landlord.user,
        payer=tenant,
        payee=landlord.partner,
        template="rental_deposit",
        title="t",
        amount_krw=1_000_000,
    )
    agreement = agreements.agreement_propose(agreement=agreement, actor=landlord.user)
    with pytest.raises(DomainError) as exc:
        agreements.agreement_accept(agreement=agreement, actor=tenant, accepted_hash="0" * 64)
    assert exc.value.code == "terms_changed"
    # Terms changed behind the tenant's back (the amount): the old fingerprint no longer matches.
    EscrowAgreement.objects.filter(pk=agreement.pk).update(amount_krw=9_000_000)
    with pytest.raises(DomainError) as exc:
        agreements.agreement_accept(agreement=agreement, actor=tenant, accepted_hash=agreement.terms_hash)
    assert exc.value.code == "terms_changed"


def test_a_stranger_cannot_touch_an_agreement():
    from escrow.services import payments
    from tests.factories import UserFactory

    agreement, _tenant, _landlord = agreed_rental()
    with pytest.raises(DomainError) as exc:
        payments.payment_start(agreement=agreement, actor=UserFactory(), method="card")
    assert exc.value.status == 404


def test_rental_deposit_funds_then_releases_when_every_condition_holds(settings):
    settings.ESCROW_FEE_BPS = 100  # 1 %
    agreement, tenant, landlord = agreed_rental(amount_krw=10_000_000)
    fund(agreement, tenant)
    assert agreement.status == EscrowAgreement.Status.FUNDED
    assert holding_account(agreement).balance_krw == 10_000_000
    assert release.agreement_evaluate(agreement_id=agreement.pk) == "waiting"
    _satisfy_manual_conditions(agreement, tenant)
    assert release.agreement_evaluate(agreement_id=agreement.pk) == "released"
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.RELEASED
    assert partner_payable(agreement.payee).balance_krw == 9_900_000
    assert holding_account(agreement).balance_krw == 0
    # Evaluating again moves nothing.
    assert release.agreement_evaluate(agreement_id=agreement.pk) == "not_live"
    assert Transfer.objects.filter(subject_id=str(agreement.pk)).count() == 3  # funding, payee, fee
    assert ledger_reconcile() == []


def test_a_lien_registered_on_move_in_day_stops_the_release():
    agreement, tenant, landlord = agreed_rental()
    fund(agreement, tenant)
    _satisfy_manual_conditions(agreement, tenant)
    release.conditions_check_automatic(agreement=agreement)
    assert not agreement.conditions.exclude(status="satisfied").exists()
    SandboxRegistryRecord.objects.filter(address=ADDRESS).update(liens=["근저당권 설정 2026-11-23 1억원"])
    assert release.agreement_evaluate(agreement_id=agreement.pk) == "registry_changed"
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.FUNDED
    assert holding_account(agreement).balance_krw == agreement.amount_krw
    registry = agreement.conditions.get(kind=Condition.Kind.REGISTRY)
    assert registry.status == Condition.Status.FAILED and "근저당권" in registry.note


def test_webhook_endpoint_funds_once_and_refuses_bad_signatures(client, settings):
    agreement, tenant, landlord = agreed_rental()
    from escrow.services import payments

    payment = payments.payment_start(agreement=agreement, actor=tenant, method="virtual_account")
    assert payment.virtual_account
    url = reverse("payments:webhook", args=["sandbox"])
    body, headers = paid_event(payment)
    signature = headers["Ansim-Signature"]

    def post(raw_body, signature_header):
        return client.post(
            url, data=raw_body, content_type="application/json", HTTP_ANSIM_SIGNATURE=signature_header
        )

    # Tampered body, missing signature, a signature from another secret: 403, nothing stored.
    assert post(body.replace(b'"amount_krw":', b'"amount_krw":1'), signature).status_code == 403
    assert post(body, "").status_code == 403
    from trustplatform.payments.providers import sign

    assert post(body, sign(secret="wrong", body=body, timestamp=int(signature[2:12]))).status_code == 403
    assert not ProviderEvent.objects.exists()
    # The real event funds; its replay changes nothing.
    first = post(body, signature)
    again = post(body, signature)
    assert first.status_code == again.status_code == 200
    assert first.json()["outcome"] == again.json()["outcome"] == "funded"
    assert ProviderEvent.objects.count() == 1
    assert Transfer.objects.filter(idempotency_key=f"payment:{payment.pk}:funding").count() == 1
    assert holding_account(agreement).balance_krw == agreement.amount_krw


def test_a_stale_webhook_is_refused(client):
    import time

    from escrow.services import payments
    from trustplatform.payments.providers import SandboxProvider

    agreement, tenant, landlord = agreed_rental()
    payment = payments.payment_start(agreement=agreement, actor=tenant, method="card")
    body, headers = SandboxProvider().event(
        event_type="payment.paid",
        timestamp=int(time.time()) - 301,
        data={"payment_id": payment.provider_payment_id, "amount_krw": payment.amount_krw},
    )
    response = client.post(
        reverse("payments:webhook", args=["sandbox"]),
        data=body,
        content_type="application/json",
        HTTP_ANSIM_SIGNATURE=headers["Ansim-Signature"],
    )
    assert response.status_code == 403
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


def test_a_second_payment_for_a_funded_agreement_is_not_kept():
    from escrow.services import payments
    from trustplatform.payments.providers import SandboxProvider

    agreement, tenant, landlord = agreed_rental()
    card = payments.payment_start(agreement=agreement, actor=tenant, method="card")
    bank = payments.payment_start(agreement=agreement, actor=tenant, method="virtual_account")
    for payment in (card, bank):
        body, headers = paid_event(payment)
        platform_payments.provider_event_receive(
            provider="sandbox", event=SandboxProvider().parse_webhook(body=body, headers=headers)
        )
    card.refresh_from_db()
    bank.refresh_from_db()
    assert (card.status, bank.status) == (Payment.Status.PAID, Payment.Status.CANCELLED)
    assert holding_account(agreement).balance_krw == agreement.amount_krw


def test_refund_by_staff_returns_the_money_once(settled):
    agreement, tenant, landlord = agreed_rental()
    payment = fund(agreement, tenant)
    staff = staff_with("change_escrowagreement")
    with settled():
        release.agreement_refund(agreement=agreement, actor=staff, reason="계약 파기")
    with settled():
        release.agreement_refund(agreement=agreement, actor=staff, reason="계약 파기")
    payment.refresh_from_db()
    assert (payment.status, payment.refunds.count()) == ("refunded", 1)
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.REFUNDED
    assert holding_account(agreement).balance_krw == 0
    assert Transfer.objects.filter(idempotency_key__endswith=":refund:post").count() == 1
    assert ledger_reconcile() == []


def test_unfunded_agreements_expire_after_the_deadline():
    from datetime import timedelta

    from django.utils import timezone

    from escrow.services import agreements

    agreement, tenant, landlord = agreed_rental()
    assert agreements.agreement_expire(agreement_id=agreement.pk) is False
    EscrowAgreement.objects.filter(pk=agreement.pk).update(fund_by=timezone.now() - timedelta(minutes=1))
    assert agreement.pk in agreements.agreements_expire_due()
    assert agreements.agreement_expire(agreement_id=agreement.pk) is True
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.EXPIRED


def test_evidence_must_be_a_document_or_photo_and_refused_documents_reopen_on_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.files import pdf_upload

    agreement, tenant, landlord = agreed_rental()
    fund(agreement, tenant)
    document = agreement.conditions.get(kind=Condition.Kind.DOCUMENT)
    with pytest.raises(DomainError) as exc:
        release.evidence_add(
            actor=tenant, condition=document, upload=SimpleUploadedFile("x.exe", b"MZ\x90\x00")
        )
    assert exc.value.code == "file_type"
    release.condition_review(
        condition=document,
        actor=staff_with("review_document"),
        accept=False,
        reason="확정일자 도장이 없습니다",
    )
    document.refresh_from_db()
    assert document.status == Condition.Status.FAILED
    evidence = release.evidence_add(
        actor=tenant, condition=document, upload=pdf_upload("확정일자.pdf", "stamped")
    )
    document.refresh_from_db()
    assert document.status == Condition.Status.PENDING and len(evidence.sha256) == 64


def test_agreements_need_a_condition_and_an_outside_payer():
    from escrow.services import agreements

    _agreement, tenant, landlord = agreed_rental()
    partner = landlord.memberships.get().partner
    with pytest.raises(DomainError) as exc:
        agreements.agreement_create(
            created_by=landlord,
            payer=tenant,
            payee=partner,
            template="custom",
            title="t",
            amount_krw=1_000,
            conditions=[],
        )
    assert exc.value.code == "no_conditions"
    with pytest.raises(DomainError) as exc:
        agreements.agreement_create(
            created_by=landlord,
            payer=landlord,
            payee=partner,
            template="rental_deposit",
            title="t",
            amount_krw=1_000,
        )
    assert exc.value.code == "payer_is_payee"


def test_a_signed_event_with_a_malformed_amount_funds_nothing(client):
    from escrow.services import payments

    agreement, tenant, landlord = agreed_rental()
    payment = payments.payment_start(agreement=agreement, actor=tenant, method="card")
    body, headers = paid_event(payment, amount_krw="ten million")
    response = client.post(
        reverse("payments:webhook", args=["sandbox"]),
        data=body,
        content_type="application/json",
        HTTP_ANSIM_SIGNATURE=headers["Ansim-Signature"],
    )
    assert response.status_code == 200 and response.json()["outcome"] == "amount_mismatch"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED
    assert holding_account(agreement).balance_krw == 0
