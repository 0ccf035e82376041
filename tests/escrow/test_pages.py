"""The escrow's consumer and portal pages: scoping, the propose → accept → pay → timeline flow,
evidence, and bad input answered with a message instead of an error page."""

import hashlib
import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from escrow.models import Condition, Dispute, EscrowAgreement, Evidence, GuaranteeClaim, Milestone
from escrow.services import agreements, release
from tests.factories import MembershipFactory, PartnerFactory, PayoutAccountFactory, UserFactory
from tests.files import image_bytes
from trustplatform.ledger.services import partner_payable
from trustplatform.payments.models import Payment, Payout
from trustplatform.payments.providers import SandboxProvider
from trustplatform.ui.korean import won

from .factories import ADDRESS, agreed_rental, fund, staff_with

pytestmark = pytest.mark.django_db

PNG = image_bytes("PNG")  # a real picture: evidence is checked on the whole file


@pytest.fixture(autouse=True)
def _media_and_english(settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The page texts below are the English source strings.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def captured_webhooks(monkeypatch):
    """What the sandbox checkout hands to the worker; unit tests have no worker, so we deliver it."""
    sent = []
    from trustplatform.payments.tasks import sandbox_webhook_deliver

    monkeypatch.setattr(
        sandbox_webhook_deliver, "delay_on_commit", lambda body, headers: sent.append((body, headers))
    )
    return sent


def deliver(sent) -> list[str]:
    """Apply each captured webhook the way the webhook view does: verify the signature, then receive."""
    from trustplatform.payments.services import provider_event_receive

    provider = SandboxProvider()
    outcomes = [
        provider_event_receive(
            provider="sandbox", event=provider.parse_webhook(body=body.encode(), headers=headers)
        )
        for body, headers in sent
    ]
    sent.clear()
    return outcomes


def landlord_membership():
    return MembershipFactory(partner=PartnerFactory(kind="landlord", name="성수 하우스"))


def text(response) -> str:
    return response.content.decode()


def section(response, element_id: str) -> str:
    """The HTML of the <section id=...> on the page (sections do not nest on these pages)."""
    html = text(response)
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</section>", start)]


def propose_form(**overrides) -> dict:
    return {
        "template": "rental_deposit",
        "payer_email": "tenant@example.kr",
        "title": "성수 302호 보증금",
        "amount_krw": "₩10,000,000",
        "property_address": ADDRESS,
        "move_in_date": timezone.localdate().isoformat(),
        "notes": "",
        **overrides,
    }


# --- scoping ------------------------------------------------------------------------------------


def test_my_deposits_lists_only_my_own_agreements(client):
    agreement, tenant, _landlord = agreed_rental()
    other, _other_tenant, _other_landlord = agreed_rental()
    client.force_login(tenant)
    response = client.get(reverse("escrow:list"))
    assert response.status_code == 200
    assert f'data-agreement="{agreement.pk}"' in text(response)
    assert f'data-agreement="{other.pk}"' not in text(response)


def test_another_consumer_gets_404_on_every_page_of_an_agreement(client):
    agreement, tenant, _landlord = agreed_rental()
    payment = fund(agreement, tenant)
    condition = agreement.conditions.get(kind=Condition.Kind.COUNTERPARTY)
    client.force_login(UserFactory())
    pk = agreement.pk
    assert client.get(reverse("escrow:detail", args=[pk])).status_code == 404
    assert client.get(reverse("escrow:checkout", args=[pk, payment.pk])).status_code == 404
    for name, args in [
        ("accept", [pk]),
        ("pay", [pk]),
        ("dispute_open", [pk]),
        ("claim_file", [pk]),
        ("condition_confirm", [pk, condition.pk]),
        ("condition_evidence", [pk, condition.pk]),
    ]:
        assert client.post(reverse(f"escrow:{name}", args=args), {"reasons": "x"}).status_code == 404, name
    condition.refresh_from_db()
    assert condition.status == Condition.Status.PENDING
    assert not Dispute.objects.exists()


def test_a_draft_is_not_shown_to_the_payer_until_it_is_proposed(client):
    tenant = UserFactory()
    landlord = landlord_membership()
    draft = agreements.agreement_create(
        created_by=landlord.user,
        payer=tenant,
        payee=landlord.partner,
        template="custom",
        title="t",
        amount_krw=1_000_000,
    )
    client.force_login(tenant)
    assert f'data-agreement="{draft.pk}"' not in text(client.get(reverse("escrow:list")))
    assert client.get(reverse("escrow:detail", args=[draft.pk])).status_code == 404
    agreements.agreement_propose(agreement=draft, actor=landlord.user)
    assert f'data-agreement="{draft.pk}"' in text(client.get(reverse("escrow:list")))
    assert client.get(reverse("escrow:detail", args=[draft.pk])).status_code == 200


def test_pages_need_a_login(client):
    agreement, _tenant, _landlord = agreed_rental()
    response = client.get(reverse("escrow:detail", args=[agreement.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_partner_member_following_a_notification_lands_in_the_portal(client):
    agreement, _tenant, landlord = agreed_rental()
    client.force_login(landlord)
    response = client.get(reverse("escrow:detail", args=[agreement.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("escrow_portal:detail", args=[agreement.pk])


def test_another_partner_gets_404_in_the_portal(client):
    agreement, _tenant, _landlord = agreed_rental()
    condition = agreement.conditions.first()
    client.force_login(landlord_membership().user)
    assert client.get(reverse("escrow_portal:list")).status_code == 200
    assert f'data-agreement="{agreement.pk}"' not in text(client.get(reverse("escrow_portal:list")))
    assert client.get(reverse("escrow_portal:detail", args=[agreement.pk])).status_code == 404
    url = reverse("escrow_portal:condition_evidence", args=[agreement.pk, condition.pk])
    assert (
        client.post(url, {f"condition-{condition.pk}-file": SimpleUploadedFile("a.png", PNG)}).status_code
        == 404
    )
    assert not Evidence.objects.exists()


def test_the_portal_is_closed_to_consumers(client):
    client.force_login(UserFactory())
    assert client.get(reverse("escrow_portal:list")).status_code == 403


# --- the whole flow through the pages --------------------------------------------------------------


def test_propose_accept_pay_and_the_timeline_shows_what_the_money_waits_for(client, captured_webhooks):
    tenant = UserFactory(email="tenant@example.kr", full_name="김세입")
    landlord = landlord_membership()

    # The landlord proposes from the rental template in the portal.
    client.force_login(landlord.user)
    response = client.post(reverse("escrow_portal:propose"), propose_form())
    agreement = EscrowAgreement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("escrow_portal:detail", args=[agreement.pk])
    assert (agreement.status, agreement.payer, agreement.amount_krw) == ("proposed", tenant, 10_000_000)
    assert agreement.conditions.get(kind=Condition.Kind.DATE).due_date == timezone.localdate()
    assert agreement.payee_accepted_hash == agreement.terms_hash

    # The tenant reads the terms with their fingerprint and accepts exactly those.
    client.force_login(tenant)
    detail_url = reverse("escrow:detail", args=[agreement.pk])
    page = client.get(detail_url)
    assert agreement.terms_hash in section(page, "terms")
    assert "Accept these exact terms" in text(page)
    response = client.post(
        reverse("escrow:accept", args=[agreement.pk]),
        {"terms_hash": agreement.terms_hash, "confirmed": "yes"},
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.AGREED

    # Pay by card through the sandbox checkout.
    response = client.post(reverse("escrow:pay", args=[agreement.pk]), {"method": "card"})
    payment = Payment.objects.get(agreement=agreement)
    checkout_url = reverse("escrow:checkout", args=[agreement.pk, payment.pk])
    assert response["Location"] == checkout_url
    assert won(10_000_000) in text(client.get(checkout_url))
    response = client.post(checkout_url)
    assert response["Location"] == detail_url
    assert len(captured_webhooks) == 1
    page = client.get(detail_url)
    # The page watches the payment's status and reloads itself (a meta refresh without JavaScript).
    status_url = reverse("payments_pages:status", args=[payment.pk])
    assert "Payment processing" in text(page) and f'data-poll-url="{status_url}"' in text(page)
    assert client.get(status_url).json() == {"status": "pending"}
    assert 'id="psp-pay"' not in text(client.get(checkout_url))  # no paying twice while it is in flight

    # The PSP's signed webhook arrives (a worker would deliver it).
    assert deliver(captured_webhooks) == ["funded"]
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.FUNDED

    page = client.get(detail_url)
    assert "Payment processing" not in text(page) and "data-poll-url" not in text(page)
    timeline = section(page, "timeline")
    held = timeline[: timeline.index("Money movements")]
    assert won(10_000_000) in held
    assert "Keys handed over to the tenant" in held
    assert "Move-in report" in held
    assert "Released to 성수 하우스 as soon as every condition holds." in held
    assert 'data-kind="funding"' in timeline
    assert 'data-status="funded"' in text(page)


def test_virtual_account_checkout_shows_the_account_and_a_transfer_button(client, captured_webhooks):
    agreement, tenant, _landlord = agreed_rental()
    client.force_login(tenant)
    client.post(reverse("escrow:pay", args=[agreement.pk]), {"method": "virtual_account"})
    payment = Payment.objects.get(agreement=agreement)
    page = client.get(reverse("escrow:checkout", args=[agreement.pk, payment.pk]))
    assert payment.virtual_account and payment.virtual_account in text(page)
    assert "Simulate bank transfer" in text(page)
    client.post(reverse("escrow:checkout", args=[agreement.pk, payment.pk]))
    assert deliver(captured_webhooks) == ["funded"]
    # Posting the checkout of a paid payment sends nothing more.
    client.post(reverse("escrow:checkout", args=[agreement.pk, payment.pk]))
    assert captured_webhooks == []


def test_a_checkout_left_open_cannot_pay_a_funded_agreement_twice(client, captured_webhooks):
    agreement, tenant, _landlord = agreed_rental()
    client.force_login(tenant)
    response = client.post(reverse("escrow:pay", args=[agreement.pk]), {"method": "bitcoin"})
    assert response.status_code == 200 and "Select a valid choice" in text(response)
    client.post(reverse("escrow:pay", args=[agreement.pk]), {"method": "virtual_account"})
    bank = Payment.objects.get(agreement=agreement)
    fund(agreement, tenant)  # paid by card meanwhile, through another checkout
    url = reverse("escrow:checkout", args=[agreement.pk, bank.pk])
    page = text(client.get(url))
    assert "cannot be paid now" in page and 'id="psp-pay"' not in page
    client.post(url)
    assert captured_webhooks == []


def test_accepting_terms_that_changed_says_so_clearly(client):
    tenant = UserFactory()
    landlord = landlord_membership()
    agreement = agreements.agreement_create(
        created_by=landlord.user,
        payer=tenant,
        payee=landlord.partner,
        template="custom",
        title="t",
        amount_krw=1_000_000,
    )
    agreement = agreements.agreement_propose(agreement=agreement, actor=landlord.user)
    shown = agreement.terms_hash
    EscrowAgreement.objects.filter(pk=agreement.pk).update(amount_krw=9_000_000)  # changed behind the tenant
    client.force_login(tenant)
    response = client.post(
        reverse("escrow:accept", args=[agreement.pk]), {"terms_hash": shown, "confirmed": "yes"}
    )
    assert response.status_code == 200
    assert "The terms changed since you read them" in text(response)
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.PROPOSED and not agreement.payer_accepted_hash


def test_the_tenant_confirms_the_keys_and_staff_acceptance_releases(client, settings):
    settings.ESCROW_FEE_BPS = 100
    agreement, tenant, landlord = agreed_rental()
    fund(agreement, tenant)
    keys = agreement.conditions.get(kind=Condition.Kind.COUNTERPARTY)
    client.force_login(landlord)
    # The landlord sees no button for the tenant's condition, and a forged POST changes nothing.
    page = client.get(reverse("escrow_portal:detail", args=[agreement.pk]))
    assert f"conditions/{keys.pk}/confirm/" not in text(page)
    client.post(
        reverse("escrow_portal:condition_confirm", args=[agreement.pk, keys.pk]), {"confirmed": "yes"}
    )
    keys.refresh_from_db()
    assert keys.status == Condition.Status.PENDING

    client.force_login(tenant)
    assert f"conditions/{keys.pk}/confirm/" in text(client.get(reverse("escrow:detail", args=[agreement.pk])))
    response = client.post(
        reverse("escrow:condition_confirm", args=[agreement.pk, keys.pk]), {"confirmed": "yes"}
    )
    assert response.status_code == 302
    keys.refresh_from_db()
    assert keys.status == Condition.Status.SATISFIED

    document = agreement.conditions.get(kind=Condition.Kind.DOCUMENT)
    release.condition_review(condition=document, actor=staff_with("review_document"), accept=True)
    assert release.agreement_evaluate(agreement_id=agreement.pk) == "released"
    for url in (reverse("escrow:detail", args=[agreement.pk]),):
        timeline = section(client.get(url), "timeline")
        assert 'data-outcome="released"' in timeline and 'data-kind="release"' in timeline
    client.force_login(landlord)
    timeline = section(client.get(reverse("escrow_portal:detail", args=[agreement.pk])), "timeline")
    assert 'data-outcome="released"' in timeline
    assert "₩9,900,000" in timeline and 'data-kind="fee"' in timeline


# --- evidence ------------------------------------------------------------------------------------


def test_evidence_upload_stores_its_sha256_and_shows_the_prefix(client):
    agreement, tenant, landlord = agreed_rental()
    document = agreement.conditions.get(kind=Condition.Kind.DOCUMENT)
    client.force_login(landlord)
    field = f"condition-{document.pk}"
    response = client.post(
        reverse("escrow_portal:condition_evidence", args=[agreement.pk, document.pk]),
        {
            f"{field}-file": SimpleUploadedFile("전입신고.png", PNG, "image/png"),
            f"{field}-description": "확정일자 도장",
        },
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.condition == document and evidence.uploaded_by == landlord
    assert evidence.sha256 == hashlib.sha256(PNG).hexdigest()
    page = text(client.get(reverse("escrow_portal:detail", args=[agreement.pk])))
    assert evidence.sha256[:12] in page
    # The tenant sees it too, and can download it; a stranger cannot.
    client.force_login(tenant)
    assert evidence.sha256[:12] in text(client.get(reverse("escrow:detail", args=[agreement.pk])))
    download = client.get(reverse("escrow:evidence_file", args=[agreement.pk, evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    client.force_login(UserFactory())
    assert client.get(reverse("escrow:evidence_file", args=[agreement.pk, evidence.pk])).status_code == 404


@pytest.mark.parametrize(
    "name, content",
    [
        ("contract.pdf", b"MZ\x90\x00 this is a program"),  # the name says PDF, the bytes do not
        ("notes.txt", b"plain text"),
        ("empty.png", b""),
    ],
)
def test_a_wrong_file_is_refused_with_a_message(client, name, content):
    agreement, tenant, _landlord = agreed_rental()
    keys = agreement.conditions.get(kind=Condition.Kind.COUNTERPARTY)
    client.force_login(tenant)
    response = client.post(
        reverse("escrow:condition_evidence", args=[agreement.pk, keys.pk]),
        {f"condition-{keys.pk}-file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 200
    assert 'class="field has-error"' in text(response)
    assert not Evidence.objects.exists()


def test_a_file_above_the_limit_is_refused(client, settings):
    settings.ESCROW_EVIDENCE_MAX_BYTES = 1024
    agreement, tenant, _landlord = agreed_rental()
    keys = agreement.conditions.get(kind=Condition.Kind.COUNTERPARTY)
    client.force_login(tenant)
    response = client.post(
        reverse("escrow:condition_evidence", args=[agreement.pk, keys.pk]),
        {f"condition-{keys.pk}-file": SimpleUploadedFile("big.png", PNG + b"\x00" * 2048)},
    )
    assert response.status_code == 200 and "too large" in text(response)
    assert not Evidence.objects.exists()


# --- bad input in the portal ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"amount_krw": "ten million"}, "amount_krw", "Enter a whole number of won"),
        ({"amount_krw": "-5"}, "amount_krw", "Enter a whole number of won"),
        ({"amount_krw": "0"}, "amount_krw", "at least ₩1"),
        ({"amount_krw": "9" * 25}, "amount_krw", "too large"),
        ({"payer_email": "not-an-email"}, "payer_email", "valid email"),
        ({"move_in_date": ""}, "move_in_date", "needs the move-in date"),
        ({"move_in_date": "2020-01-01"}, "move_in_date", "already passed"),
        ({"move_in_date": "31/31/2031"}, "move_in_date", "valid date"),
        ({"property_address": ""}, "property_address", "needs the property"),
        ({"template": "timeshare"}, "template", "Select a valid choice"),
    ],
)
def test_a_bad_proposal_is_answered_with_a_message_not_an_error(client, overrides, field, message):
    UserFactory(email="tenant@example.kr")
    client.force_login(landlord_membership().user)
    response = client.post(reverse("escrow_portal:propose"), propose_form(**overrides))
    assert response.status_code == 200
    assert message in text(response)
    assert re.search(rf'class="field has-error">\s*<label for="id_{field}"', text(response))
    assert not EscrowAgreement.objects.exists()


def test_the_portal_proposes_to_an_address_with_no_account_as_to_one_with(client):
    UserFactory(email="tenant@example.kr", full_name="김세입")
    client.force_login(landlord_membership().user)
    for email in ("tenant@example.kr", "newcomer@example.kr"):
        response = client.post(reverse("escrow_portal:propose"), propose_form(payer_email=email))
        agreement = EscrowAgreement.objects.get(payer_email=email)
        assert response.status_code == 302
        assert response["Location"] == reverse("escrow_portal:detail", args=[agreement.pk])
        assert agreement.status == EscrowAgreement.Status.PROPOSED
        page = text(client.get(response["Location"]))
        # The business sees the address it typed, not whether (or whose) an account uses it.
        assert f"Proposed to {email}." in page
        assert re.search(rf"<dd data-payer>{re.escape(email)}</dd>", page), page
        assert "김세입" not in page
    listed = text(client.get(reverse("escrow_portal:list")))
    assert "tenant@example.kr" in listed and "newcomer@example.kr" in listed and "김세입" not in listed


def test_the_payer_cannot_be_a_member_of_the_proposing_business(client):
    landlord = landlord_membership()
    client.force_login(landlord.user)
    response = client.post(reverse("escrow_portal:propose"), propose_form(payer_email=landlord.user.email))
    assert response.status_code == 200 and "member of your own business" in text(response)


def test_a_custom_agreement_waits_for_the_payer_and_a_renovation_is_paid_in_stages(client):
    UserFactory(email="tenant@example.kr")
    client.force_login(landlord_membership().user)
    client.post(
        reverse("escrow_portal:propose"),
        propose_form(template="custom", property_address="", move_in_date=""),
    )
    custom = EscrowAgreement.objects.get(template="custom")
    assert list(custom.conditions.values_list("kind", "confirmer")) == [("counterparty", "payer")]
    client.post(
        reverse("escrow_portal:propose"), propose_form(template="renovation", amount_krw="30,000,000")
    )
    renovation = EscrowAgreement.objects.get(template="renovation")
    assert sum(renovation.milestones.values_list("amount_krw", flat=True)) == 30_000_000
    assert not renovation.conditions.exists()


def test_payouts_show_the_balance_and_refuse_more_than_it(
    client, captured_webhooks, settings, django_capture_on_commit_callbacks
):
    settings.ESCROW_FEE_BPS = 100
    agreement, tenant, landlord = agreed_rental()
    fund(agreement, tenant)
    release.condition_confirm(condition=agreement.conditions.get(kind="counterparty"), actor=tenant)
    release.condition_review(
        condition=agreement.conditions.get(kind="document"), actor=staff_with("review_document"), accept=True
    )
    release.agreement_evaluate(agreement_id=agreement.pk)
    client.force_login(landlord)
    account = PayoutAccountFactory(partner=agreement.payee)
    url = reverse("escrow_portal:payouts")
    assert re.search(r'id="payable">₩9,900,000<', text(client.get(url)))

    for amount, message in [("9,900,001", "at most ₩9,900,000"), ("abc", "Enter a whole number")]:
        response = client.post(url, {"action": "payout", "amount_krw": amount})
        assert response.status_code == 200 and message in text(response)
    assert not Payout.objects.exists()

    # The page names the amount and the account before anything leaves.
    response = client.post(url, {"action": "payout", "amount_krw": "4,000,000"})
    assert response.status_code == 200 and "₩4,000,000" in text(response)
    assert account.number_hint in text(response) and not Payout.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):  # sent to the bank once it is committed
        response = client.post(url, {"action": "payout", "amount_krw": "4000000", "confirmed": "on"})
    assert response.status_code == 302
    payout = Payout.objects.get()
    assert partner_payable(agreement.payee).available_krw == 5_900_000
    # The sandbox bank confirms through the signed webhook.
    assert deliver(captured_webhooks) == ["payout_paid"]
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID
    page = text(client.get(url))
    assert "₩5,900,000" in page and 'data-status="paid"' in page


# --- milestones, disputes, claims ----------------------------------------------------------------


def funded_renovation():
    customer = UserFactory()
    contractor = MembershipFactory(partner=PartnerFactory(kind="contractor", name="바른 인테리어"))
    agreement = agreements.agreement_create(
        created_by=contractor.user,
        payer=customer,
        payee=contractor.partner,
        template="renovation",
        title="욕실 공사",
        amount_krw=10_000_000,
    )
    agreement = agreements.agreement_propose(agreement=agreement, actor=contractor.user)
    agreements.agreement_accept(agreement=agreement, actor=customer, accepted_hash=agreement.terms_hash)
    fund(agreement, customer)
    return agreement, customer, contractor.user


def test_the_contractor_reports_a_stage_done_and_the_customer_sends_it_back_then_approves(client):
    agreement, customer, contractor = funded_renovation()
    down = agreement.milestones.get(sequence=1)
    client.force_login(contractor)
    client.post(reverse("escrow_portal:milestone_submit", args=[agreement.pk, down.pk]))
    down.refresh_from_db()
    assert down.status == Milestone.Status.SUBMITTED

    client.force_login(customer)
    page = text(client.get(reverse("escrow:detail", args=[agreement.pk])))
    assert "Your approval (automatic on" in page
    client.post(reverse("escrow:milestone_send_back", args=[agreement.pk, down.pk]))
    down.refresh_from_db()
    assert down.status == Milestone.Status.PENDING

    client.force_login(contractor)
    client.post(reverse("escrow_portal:milestone_submit", args=[agreement.pk, down.pk]))
    client.force_login(customer)
    client.post(reverse("escrow:milestone_approve", args=[agreement.pk, down.pk]), {"confirmed": "yes"})
    down.refresh_from_db()
    assert down.status == Milestone.Status.RELEASED
    timeline = section(client.get(reverse("escrow:detail", args=[agreement.pk])), "timeline")
    assert 'data-kind="release"' in timeline


def test_a_dispute_needs_reasons_and_then_freezes_the_money(client):
    agreement, tenant, _landlord = agreed_rental()
    fund(agreement, tenant)
    client.force_login(tenant)
    url = reverse("escrow:dispute_open", args=[agreement.pk])
    response = client.post(url, {"reasons": "   "})
    assert response.status_code == 200 and "Say what went wrong." in text(response)
    assert not Dispute.objects.exists()
    response = client.post(
        url,
        {
            "reasons": "열쇠를 받지 못했습니다.",
            "file": SimpleUploadedFile("photo.jpg", image_bytes("JPEG")),
        },
    )
    assert response.status_code == 302
    dispute = Dispute.objects.get()
    assert dispute.evidence.count() == 1
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.DISPUTED
    held = section(client.get(reverse("escrow:detail", args=[agreement.pk])), "timeline")
    assert "An agent&#x27;s decision on the dispute" in held or "An agent's decision on the dispute" in held


def test_a_guarantee_claim_is_filed_for_a_renovation_and_bad_amounts_are_refused(client):
    agreement, customer, _contractor = funded_renovation()
    client.force_login(customer)
    url = reverse("escrow:claim_file", args=[agreement.pk])
    form = {"accident": "vanished", "description": "연락 두절", "amount_krw": "3,000,000"}
    response = client.post(url, {**form, "amount_krw": "삼백만원"})
    assert response.status_code == 200 and "Enter a whole number of won" in text(response)
    assert client.post(url, form).status_code == 302
    claim = GuaranteeClaim.objects.get()
    assert (claim.accident, claim.amount_requested_krw, claim.filed_by) == ("vanished", 3_000_000, customer)


def test_a_rental_offers_no_guarantee_claim(client):
    agreement, tenant, _landlord = agreed_rental(move_in=date(2020, 1, 1))
    fund(agreement, tenant)
    client.force_login(tenant)
    assert 'id="claims"' not in text(client.get(reverse("escrow:detail", args=[agreement.pk])))
    response = client.post(
        reverse("escrow:claim_file", args=[agreement.pk]),
        {"accident": "vanished", "description": "x", "amount_krw": "1000"},
    )
    assert response.status_code == 200 and "The guarantee covers renovation agreements." in text(response)
    assert not GuaranteeClaim.objects.exists()
