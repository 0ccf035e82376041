"""Escrow demo data on top of the core demo people (trustplatform/demo.py). Safe to run again.

- the sandbox registry record of the demo rental flat;
- a rental deposit proposed by 성수 하우스 임대, waiting for 김민지 to accept and pay;
- a renovation by 바른손 인테리어, paid through the sandbox PSP, with the down payment released.
Everything goes through the services and a signed sandbox webhook, as in real use.
"""

from datetime import timedelta

from django.utils import timezone

from trustplatform.accounts.models import User
from trustplatform.partners.models import Partner
from trustplatform.payments.providers import SandboxProvider
from trustplatform.payments.services import provider_event_receive
from trustplatform.registries.models import SandboxRegistryRecord

from .models import Condition, EscrowAgreement, Milestone
from .services import agreements, payments, release
from .templates_catalog import default_conditions

RENTAL_ADDRESS = "서울특별시 성동구 성수이로 113, 302호"
RENTAL_TITLE = "성수 하우스 302호 전세 보증금"
RENOVATION_TITLE = "분당 아파트 욕실·주방 리모델링"


def _owner(email: str) -> tuple[User, Partner]:
    user = User.objects.get(email=email)
    partner = (
        Partner.objects.filter(memberships__user=user, status=Partner.Status.APPROVED).order_by("pk").first()
    )
    return user, partner


def _existing(*, payer, payee, title):
    return EscrowAgreement.objects.filter(payer=payer, payee=payee, title=title).first()


def _proposed_rental(consumer: User) -> None:
    landlord, partner = _owner("landlord@demo.ansim.kr")
    if _existing(payer=consumer, payee=partner, title=RENTAL_TITLE):
        return
    conditions = default_conditions(EscrowAgreement.Template.RENTAL_DEPOSIT)
    for condition in conditions:
        if condition["kind"] == Condition.Kind.DATE:
            condition["due_date"] = timezone.localdate() + timedelta(days=21)
    agreement = agreements.agreement_create(
        created_by=landlord,
        payer=consumer,
        payee=partner,
        template=EscrowAgreement.Template.RENTAL_DEPOSIT,
        title=RENTAL_TITLE,
        amount_krw=150_000_000,
        property_address=RENTAL_ADDRESS,
        conditions=conditions,
        notes="전세 2년, 입주일 열쇠 인도 후 전입신고·확정일자 확인 시 임대인에게 지급",
    )
    agreements.agreement_propose(agreement=agreement, actor=landlord)


def _funded_renovation(consumer: User) -> None:
    contractor, partner = _owner("contractor@demo.ansim.kr")
    if _existing(payer=consumer, payee=partner, title=RENOVATION_TITLE):
        return
    agreement = agreements.agreement_create(
        created_by=contractor,
        payer=consumer,
        payee=partner,
        template=EscrowAgreement.Template.RENOVATION,
        title=RENOVATION_TITLE,
        amount_krw=24_000_000,
        notes="욕실 2곳·주방 전면 교체, 공사 기간 4주, A/S 1년",
    )
    agreement = agreements.agreement_propose(agreement=agreement, actor=contractor)
    agreement = agreements.agreement_accept(
        agreement=agreement, actor=consumer, accepted_hash=agreement.terms_hash
    )
    payment = payments.payment_start(agreement=agreement, actor=consumer, method="virtual_account")
    # The sandbox PSP's signed "paid" webhook, parsed and applied exactly as the webhook view does.
    provider = SandboxProvider()
    body, headers = provider.pay(provider_payment_id=payment.provider_payment_id)
    provider_event_receive(
        provider=provider.name, event=provider.parse_webhook(body=body, headers=headers)
    )
    down = agreement.milestones.get(kind=Milestone.Kind.DOWN_PAYMENT)
    release.milestone_submit(milestone=down, actor=contractor)
    release.milestone_approve(milestone=down, actor=consumer)


def seed() -> list[tuple[str, str]]:
    """Create the escrow demo records once; returns no extra logins (the core's people are used)."""
    consumer = User.objects.get(email="consumer@demo.ansim.kr")
    # Back to the demo state: a lien staff added to try the registry check is lifted again.
    SandboxRegistryRecord.objects.update_or_create(
        address=RENTAL_ADDRESS, defaults={"owner_name": "정하은", "liens": []}
    )
    _proposed_rental(consumer)
    _funded_renovation(consumer)
    return []
