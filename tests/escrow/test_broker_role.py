"""The broker of a deal (중개): confirms the conditions named for it and follows the agreement, but is
never paid — every release, milestone and dispute decision credits the payee only — and can accept,
pay, dispute or submit nothing."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from escrow.models import Condition, EscrowAgreement, Milestone
from escrow.services import agreements, disputes, payments, release
from escrow.services.common import holding_account
from tests.factories import MembershipFactory, PartnerFactory, SandboxRegistryRecordFactory, UserFactory
from trustplatform.errors import DomainError
from trustplatform.ledger.models import Transfer
from trustplatform.ledger.selectors import ledger_reconcile
from trustplatform.ledger.services import partner_payable

from .factories import ADDRESS, fund, staff_with

pytestmark = pytest.mark.django_db


def brokered_rental(*, amount_krw=10_000_000, accept=True):
    """A rental deposit a tenant started (as from a listing): the landlord paid, the brokerage broker."""
    tenant = UserFactory(full_name="김세입")
    landlord = MembershipFactory(partner=PartnerFactory(kind="landlord", name="성수 하우스"))
    brokerage = MembershipFactory(partner=PartnerFactory(kind="brokerage", name="성수 공인중개사"))
    SandboxRegistryRecordFactory(address=ADDRESS, owner_name="정하은", liens=[])
    agreement = agreements.rental_deposit_propose(
        payer=tenant, payee=landlord.partner, broker=brokerage.partner, title="성수 302호 보증금",
        amount_krw=amount_krw, property_address=ADDRESS, move_in_date=date(2020, 1, 1),
    )
    if accept:
        agreement = agreements.agreement_accept(
            agreement=agreement, actor=landlord.user, accepted_hash=agreement.terms_hash
        )
    return agreement, tenant, landlord.user, brokerage.user


def refused(call) -> DomainError:
    with pytest.raises(DomainError) as exc:
        call()
    return exc.value


def broker_untouched(agreement) -> None:
    """The brokerage's payable never moved and no transfer of the agreement credited it."""
    payable = partner_payable(agreement.broker)
    assert payable.balance_krw == 0
    assert not Transfer.objects.filter(credit_account=payable).exists()
    assert not Transfer.objects.filter(debit_account=payable).exists()


def meet_every_condition(agreement, tenant, broker):
    release.condition_confirm(condition=agreement.conditions.get(confirmer="payer"), actor=tenant)
    release.condition_confirm(condition=agreement.conditions.get(confirmer="broker"), actor=broker)
    document = agreement.conditions.get(kind=Condition.Kind.DOCUMENT)
    release.condition_review(condition=document, actor=staff_with("review_document"), accept=True)


# --- money ----------------------------------------------------------------------------------


def test_a_brokered_deposit_is_released_to_the_landlord_and_never_to_the_broker(settings):
    settings.ESCROW_FEE_BPS = 100
    agreement, tenant, _landlord, broker = brokered_rental()
    fund(agreement, tenant)
    release.condition_confirm(condition=agreement.conditions.get(confirmer="payer"), actor=tenant)
    document = agreement.conditions.get(kind=Condition.Kind.DOCUMENT)
    release.condition_review(condition=document, actor=staff_with("review_document"), accept=True)
    assert release.agreement_evaluate(agreement_id=agreement.pk) == "waiting"  # the broker's lease check
    release.condition_confirm(condition=agreement.conditions.get(confirmer="broker"), actor=broker)
    assert release.agreement_evaluate(agreement_id=agreement.pk) == "released"
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.RELEASED
    assert partner_payable(agreement.payee).balance_krw == 9_900_000
    broker_untouched(agreement)
    assert broker.notifications.filter(url=f"/portal/deposits/{agreement.pk}/").exists()
    assert ledger_reconcile() == []


def test_a_dispute_decision_pays_the_landlord_and_the_tenant_and_never_the_broker(settings, settled):
    settings.ESCROW_FEE_BPS = 0
    settings.ESCROW_FOUR_EYES_THRESHOLD_KRW = 100_000_000
    agreement, tenant, _landlord, broker = brokered_rental()
    fund(agreement, tenant)
    assert refused(
        lambda: disputes.dispute_open(agreement=agreement, actor=broker, reasons="중개사 이의")
    ).code == "broker_not_a_party"
    dispute = disputes.dispute_open(agreement=agreement, actor=tenant, reasons="누수")
    dispute = disputes.dispute_decide(
        dispute=dispute, actor=staff_with("decide_dispute", "approve_dispute"), outcome="split",
        payee_amount_krw=7_000_000, payer_amount_krw=3_000_000, note="수리비",
    )
    with settled():
        disputes.dispute_execute(dispute=dispute, actor=staff_with("decide_dispute", "approve_dispute"))
    assert partner_payable(agreement.payee).balance_krw == 7_000_000
    assert holding_account(agreement).balance_krw == 0
    broker_untouched(agreement)


def test_milestones_of_a_brokered_deal_pay_the_payee_only(settings):
    settings.ESCROW_FEE_BPS = 0
    customer = UserFactory()
    contractor = MembershipFactory(partner=PartnerFactory(kind="contractor"))
    brokerage = MembershipFactory(partner=PartnerFactory(kind="brokerage"))
    agreement = agreements.agreement_create(
        created_by=contractor.user, payer=customer, payee=contractor.partner, broker=brokerage.partner,
        template="renovation", title="욕실", amount_krw=10_000_000,
    )
    agreement = agreements.agreement_propose(agreement=agreement, actor=contractor.user)
    agreement = agreements.agreement_accept(
        agreement=agreement, actor=customer, accepted_hash=agreement.terms_hash
    )
    fund(agreement, customer)
    down = agreement.milestones.get(kind=Milestone.Kind.DOWN_PAYMENT)
    assert refused(lambda: release.milestone_submit(milestone=down, actor=brokerage.user)).status == 403
    release.milestone_submit(milestone=down, actor=contractor.user)
    assert refused(lambda: release.milestone_approve(milestone=down, actor=brokerage.user)).status == 403
    release.milestone_approve(milestone=down, actor=customer)
    assert partner_payable(agreement.payee).balance_krw == 3_000_000
    broker_untouched(agreement)


# --- what the broker may and may not do ------------------------------------------------------


def test_the_broker_confirms_only_the_condition_named_for_the_broker():
    agreement, tenant, landlord, broker = brokered_rental()
    fund(agreement, tenant)
    keys = agreement.conditions.get(confirmer="payer")
    lease = agreement.conditions.get(confirmer="broker")
    for condition, someone in ((keys, broker), (lease, landlord), (lease, tenant)):
        error = refused(lambda c=condition, s=someone: release.condition_confirm(condition=c, actor=s))
        assert error.code == "not_your_condition"
    release.condition_confirm(condition=lease, actor=broker)
    lease.refresh_from_db()
    assert lease.status == Condition.Status.SATISFIED and lease.decided_by == broker


def test_the_broker_cannot_accept_pay_or_add_evidence():
    agreement, tenant, landlord, broker = brokered_rental(accept=False)
    fingerprint = agreement.terms_hash
    error = refused(
        lambda: agreements.agreement_accept(agreement=agreement, actor=broker, accepted_hash=fingerprint)
    )
    assert error.code == "broker_not_a_party" and error.status == 403
    agreements.agreement_accept(agreement=agreement, actor=landlord, accepted_hash=agreement.terms_hash)
    agreement.refresh_from_db()
    error = refused(lambda: payments.payment_start(agreement=agreement, actor=broker, method="card"))
    assert error.status == 403
    upload = SimpleUploadedFile("lease.pdf", b"%PDF-1.4 lease", content_type="application/pdf")
    condition = agreement.conditions.get(kind=Condition.Kind.DOCUMENT)
    error = refused(lambda: release.evidence_add(actor=broker, upload=upload, condition=condition))
    assert error.status == 403


def test_a_stranger_still_finds_no_agreement():
    agreement, _tenant, _landlord, _broker = brokered_rental()
    other_broker = MembershipFactory(partner=PartnerFactory(kind="brokerage")).user
    lease = agreement.conditions.get(confirmer="broker")
    assert refused(lambda: release.condition_confirm(condition=lease, actor=other_broker)).status == 404


@pytest.mark.parametrize("case", ["same_partner", "shared_member", "not_a_brokerage", "payer_is_broker"])
def test_a_broker_who_could_be_paid_is_refused(case):
    tenant = UserFactory()
    landlord = MembershipFactory(partner=PartnerFactory(kind="landlord"))
    brokerage = MembershipFactory(partner=PartnerFactory(kind="brokerage"))
    payee, broker_partner = landlord.partner, brokerage.partner
    if case == "same_partner":
        payee = brokerage.partner  # a custom deal paid to a brokerage, naming itself its broker
    elif case == "shared_member":
        MembershipFactory(user=brokerage.user, partner=landlord.partner, role="staff")
    elif case == "not_a_brokerage":
        broker_partner = PartnerFactory(kind="lodging")
    else:
        MembershipFactory(user=tenant, partner=brokerage.partner, role="staff")
    error = refused(lambda: agreements.agreement_create(
        created_by=tenant, payer=tenant, payee=payee, broker=broker_partner, title="t", amount_krw=1_000_000,
        template="custom" if case == "same_partner" else "rental_deposit",
    ))
    expected = {"same_partner": "broker_is_payee", "shared_member": "broker_is_payee",
                "not_a_brokerage": "invalid_broker", "payer_is_broker": "payer_is_broker"}[case]
    assert error.code == expected
    assert not EscrowAgreement.objects.exists()


def test_a_rental_deposit_is_never_paid_to_a_brokerage():
    brokerage = MembershipFactory(partner=PartnerFactory(kind="brokerage"))
    error = refused(lambda: agreements.agreement_create(
        created_by=brokerage.user, payer=UserFactory(), payee=brokerage.partner, template="rental_deposit",
        title="t", amount_krw=1_000_000,
    ))
    assert error.code == "payee_is_brokerage"


def test_the_database_refuses_the_broker_as_payee():
    agreement, *_people = brokered_rental()
    with pytest.raises(IntegrityError), transaction.atomic():
        EscrowAgreement.objects.filter(pk=agreement.pk).update(broker=agreement.payee)


def test_the_broker_is_part_of_the_terms_and_older_fingerprints_stay_the_same():
    agreement, *_people = brokered_rental(accept=False)
    assert agreements.terms_snapshot(agreement)["broker"] == agreement.broker_id
    plain = agreements.agreement_create(
        created_by=agreement.payer, payer=UserFactory(), payee=agreement.payee, template="custom",
        title="t", amount_krw=1_000,
    )
    assert "broker" not in agreements.terms_snapshot(plain)


def test_a_broker_condition_needs_a_broker():
    landlord = MembershipFactory(partner=PartnerFactory(kind="landlord"))
    error = refused(lambda: agreements.agreement_create(
        created_by=landlord.user, payer=UserFactory(), payee=landlord.partner, template="custom", title="t",
        amount_krw=1_000, conditions=[{"kind": "counterparty", "label": "x", "confirmer": "broker"}],
    ))
    assert error.code == "no_broker"


# --- pages and API --------------------------------------------------------------------------


def test_the_broker_follows_the_agreement_in_the_portal_as_중개(client):
    agreement, tenant, _landlord, broker = brokered_rental()
    fund(agreement, tenant)
    client.force_login(broker)
    listing = client.get("/portal/deposits/").content.decode()
    assert f'data-agreement="{agreement.pk}"' in listing and 'data-role="broker"' in listing
    page = client.get(f"/portal/deposits/{agreement.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-role="broker"' in html
    lease = agreement.conditions.get(confirmer="broker")
    keys = agreement.conditions.get(confirmer="payer")
    assert f"/conditions/{lease.pk}/confirm/" in html and f"/conditions/{keys.pk}/confirm/" not in html
    assert f"/portal/deposits/{agreement.pk}/dispute/" not in html and "/evidence/" not in html
    assert client.post(f"/portal/deposits/{agreement.pk}/conditions/{lease.pk}/confirm/",
                       {"confirmed": "yes"}).status_code == 302
    lease.refresh_from_db()
    assert lease.status == Condition.Status.SATISFIED
    client.post(f"/portal/deposits/{agreement.pk}/dispute/", {"reasons": "x"})
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.FUNDED
    # The consumer's link to the agreement takes the broker to the portal too.
    assert client.get(f"/deposits/{agreement.pk}/").url == f"/portal/deposits/{agreement.pk}/"


def test_the_landlord_accepts_a_tenants_deposit_in_the_portal_and_the_tenant_sees_the_broker(client):
    agreement, tenant, landlord, _broker = brokered_rental(accept=False)
    assert landlord.notifications.filter(url=f"/portal/deposits/{agreement.pk}/").count() == 1
    client.force_login(landlord)
    page = client.get(f"/portal/deposits/{agreement.pk}/").content.decode()
    assert 'id="accept-terms"' in page and "data-broker" in page
    answer = client.post(f"/portal/deposits/{agreement.pk}/accept/",
                         {"terms_hash": agreement.terms_hash, "confirmed": "yes"})
    assert answer.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.AGREED
    client.force_login(tenant)
    html = client.get(f"/deposits/{agreement.pk}/").content.decode()
    assert 'data-role="broker"' in html and "성수 공인중개사" in html


def test_the_api_shows_the_broker_its_side_and_refuses_it_acceptance():
    from rest_framework.test import APIClient

    agreement, _tenant, _landlord, broker = brokered_rental(accept=False)
    client = APIClient()
    client.force_authenticate(broker)
    client.credentials(HTTP_X_PARTNER_ID=str(agreement.broker_id))
    body = client.get(f"/api/v1/escrow/agreements/{agreement.pk}/").json()
    assert body["your_side"] == "broker" and body["broker"]["id"] == agreement.broker_id
    assert body["payee"]["id"] == agreement.payee_id
    answer = client.post(
        f"/api/v1/escrow/agreements/{agreement.pk}/accept/",
        {"terms_hash": agreement.terms_hash},
        format="json",
    )
    assert answer.status_code == 403 and answer.json()["code"] == "broker_not_a_party"
