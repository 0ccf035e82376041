from datetime import date

from django.contrib.auth.models import Permission

from escrow.models import Condition, EscrowAgreement
from escrow.services import agreements, payments
from tests.factories import MembershipFactory, PartnerFactory, SandboxRegistryRecordFactory, UserFactory
from trustplatform.payments import services as platform_payments
from trustplatform.payments.models import Payment
from trustplatform.payments.providers import SandboxProvider

ADDRESS = "서울특별시 성동구 성수이로 113, 302호"


def staff_with(*codenames):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="escrow", codename__in=codenames)
    )
    return type(user).objects.get(pk=user.pk)


def agreed_rental(*, amount_krw=10_000_000, move_in=None):
    """A rental deposit both sides accepted, with the registry record in place."""
    tenant = UserFactory(full_name="김세입")
    landlord = MembershipFactory(partner=PartnerFactory(kind="landlord", name="성수 하우스"))
    SandboxRegistryRecordFactory(address=ADDRESS, owner_name="정하은", liens=[])
    agreement = agreements.agreement_create(
        created_by=landlord.user,
        payer=tenant,
        payee=landlord.partner,
        template=EscrowAgreement.Template.RENTAL_DEPOSIT,
        title="성수 302호 보증금",
        amount_krw=amount_krw,
        property_address=ADDRESS,
    )
    agreement.conditions.filter(kind=Condition.Kind.DATE).update(due_date=move_in or date(2020, 1, 1))
    agreement = agreements.agreement_propose(agreement=agreement, actor=landlord.user)
    agreement = agreements.agreement_accept(
        agreement=agreement, actor=tenant, accepted_hash=agreement.terms_hash
    )
    return agreement, tenant, landlord.user


def paid_event(payment: Payment, **overrides):
    data = {"payment_id": payment.provider_payment_id, "amount_krw": payment.amount_krw, **overrides}
    return SandboxProvider().event(event_type="payment.paid", data=data)


def fund(agreement, tenant):
    payment = payments.payment_start(agreement=agreement, actor=tenant, method="card")
    body, headers = SandboxProvider().pay(provider_payment_id=payment.provider_payment_id)
    event = SandboxProvider().parse_webhook(body=body, headers=headers)
    platform_payments.provider_event_receive(provider="sandbox", event=event)
    agreement.refresh_from_db()
    return payment
