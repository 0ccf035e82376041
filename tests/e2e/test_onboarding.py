"""Onboarding in a real browser: a consumer signs up and verifies their number; a business applies,
staff approve it in the admin, and its owner gets into the portal.

Each person has their own browser context. The browser asks for Korean, the site's default
language, so expected texts are looked up through the Korean catalogs rather than written out.
"""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from trustplatform.accounts.models import User
from trustplatform.audit.models import AuditEntry
from trustplatform.notifications.models import Notification, OutboundMessage
from trustplatform.partners.brn import validate_brn
from trustplatform.partners.models import Membership, Partner

from ..factories import PASSWORD, UserFactory
from ..second_factor import second_factor_enrol

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SUBMIT = "#main form button[type=submit]"


def ko(text) -> str:
    """What a Korean visitor reads for `text` (a msgid or a lazy translation)."""
    with translation.override("ko"):
        return str(gettext(text) if isinstance(text, str) else text)


def shot(page, tmp_path, name: str) -> None:
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)


def log_in(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.locator(SUBMIT).click()
    expect(page).to_have_url(f"{base}/")  # LOGIN_REDIRECT_URL
    expect(page.locator('header a[href="/accounts/me/"]')).to_be_visible()


def test_consumer_signs_up_verifies_their_number_and_logs_in_again(
    live_server, browsers, tmp_path, _sms_in_memory
):
    base = live_server.url
    page = browsers.new_page()

    response = page.goto(f"{base}/accounts/signup/")
    assert response.status == 200
    page.fill("#id_email", "Minji.Kim@Example.kr")
    page.locator(SUBMIT).click()
    # The rest of the form is behind the link mailed to the address (no text is sent before it).
    expect(page.locator("[data-signup=sent]")).to_be_visible()
    assert not OutboundMessage.objects.exists()
    link = re.search(r"https?://[^/\s]+(/accounts/signup/\S+/)", mail.outbox[-1].body).group(1)
    assert mail.outbox[-1].to == ["minji.kim@example.kr"]
    page.goto(f"{base}{link}")
    page.fill("#id_full_name", "김민지")
    page.fill("#id_phone", "010-2345-6789")
    page.fill("#id_password1", "a-long-pass-phrase-42")
    page.fill("#id_password2", "a-long-pass-phrase-42")
    shot(page, tmp_path, "01-consumer-signup")
    page.locator(SUBMIT).click()

    # Signed up and logged in, on the verification page, with the code "texted".
    expect(page).to_have_url(f"{base}/accounts/phone/")
    expect(page.locator("#main")).to_contain_text("010-****-6789")
    user = User.objects.get(email="minji.kim@example.kr")
    assert user.full_name == "김민지" and user.phone == "+821023456789" and not user.phone_verified
    message = OutboundMessage.objects.order_by("-pk").first()
    assert message.channel == "sms" and message.recipient == "+821023456789"
    # Not \b: in "인증번호는 549196입니다" the Hangul after the digits is a word character.
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", message.body).group(1)
    # The worker's job ran (eagerly): the text went out through the SMS backend.
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT
    assert [sms["body"] for sms in _sms_in_memory] == [message.body]
    shot(page, tmp_path, "02-consumer-phone-verify")

    page.fill("#id_code", code)
    page.locator("#main form").first.locator("button[type=submit]").click()

    expect(page).to_have_url(f"{base}/accounts/me/")
    expect(page.locator("ul.messages")).to_contain_text(ko("Your mobile number is verified."))
    expect(page.locator("#main .badge.ok")).to_have_text(ko("verified"))
    user.refresh_from_db()
    assert user.phone_verified
    shot(page, tmp_path, "03-consumer-verified")

    # Log out (a POST from the header) ...
    page.locator("header form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/")
    expect(page.locator('header a[href="/accounts/login/"]')).to_be_visible()
    assert page.goto(f"{base}/accounts/me/").url.startswith(f"{base}/accounts/login/")

    # ... and back in with the email and password, then to the account page.
    log_in(page, base, "minji.kim@example.kr", "a-long-pass-phrase-42")
    page.locator('header a[href="/accounts/me/"]').click()
    expect(page).to_have_url(f"{base}/accounts/me/")
    expect(page.locator("#main h1")).to_contain_text("김민지")
    expect(page.locator("#main")).to_contain_text("minji.kim@example.kr")
    expect(page.locator("#main .badge.ok")).to_be_visible()
    shot(page, tmp_path, "04-consumer-account")

    assert browsers.problems == []


def _agent(email: str) -> User:
    """A staff user in `agents` with just what deciding partners needs.

    Transactional tests flush the database, so the group from the data migration may be gone.
    """
    staff = UserFactory(email=email, full_name="상담원 한지민", is_staff=True)
    group, _created = Group.objects.get_or_create(name="agents")
    group.permissions.add(*[
        Permission.objects.get(content_type__app_label="partners", codename=codename)
        for codename in ("decide_partner", "view_partner", "change_partner")
    ])
    staff.groups.add(group)
    return staff


def test_partner_applies_staff_approve_in_admin_and_owner_enters_portal(
    live_server, browsers, tmp_path
):
    base = live_server.url
    owner = UserFactory(email="owner@stay.example.kr", full_name="박서준")
    staff = _agent("agent@ansim.example.kr")

    # --- The business owner applies -------------------------------------------------------
    applicant = browsers.new_page()
    log_in(applicant, base, owner.email, PASSWORD)
    response = applicant.goto(f"{base}/partners/apply/")
    assert response.status == 200
    applicant.fill("#id_name", "안심스테이 연남")
    applicant.select_option("#id_kind", "lodging")
    applicant.fill("#id_registration_number", "124-81-00999")  # the check digit is wrong
    applicant.fill("#id_representative", "박서준")
    applicant.fill("#id_contact_email", "stay@yeonnam.example.kr")
    applicant.fill("#id_address", "서울특별시 마포구 동교로 123")
    applicant.locator(SUBMIT).click()

    with pytest.raises(ValidationError) as invalid, translation.override("ko"):
        validate_brn("124-81-00999")
    assert invalid.value.code == "brn_checksum"
    brn_field = applicant.locator(".field.has-error", has=applicant.locator("#id_registration_number"))
    expect(brn_field.locator(".errors")).to_contain_text(invalid.value.messages[0])
    expect(applicant.locator(".field.has-error")).to_have_count(1)
    expect(applicant).to_have_url(f"{base}/partners/apply/")
    expect(applicant.locator("#id_name")).to_have_value("안심스테이 연남")  # the rest is kept
    assert not Partner.objects.exists() and not Membership.objects.exists()
    assert not Notification.objects.filter(user=staff).exists()
    shot(applicant, tmp_path, "05-partner-apply-invalid-brn")

    applicant.fill("#id_registration_number", "124-81-00998")
    applicant.locator(SUBMIT).click()

    expect(applicant).to_have_url(f"{base}/partners/status/")
    card = applicant.locator('article.partner[data-status="applied"]')
    expect(card).to_have_count(1)
    expect(card.locator("h2")).to_contain_text("안심스테이 연남")
    expect(card.locator(".badge")).to_have_text(ko(Partner.Status.APPLIED.label))
    expect(card).to_contain_text("124-81-00998")
    partner = Partner.objects.get()
    assert (partner.status, partner.kind, partner.registration_number) == ("applied", "lodging", "1248100998")
    assert partner.applied_by == owner
    assert Membership.objects.get(partner=partner).user == owner
    assert Membership.objects.get(partner=partner).role == Membership.Role.OWNER
    # Agents are told there is an application to review.
    assert Notification.objects.get(user=staff).url == f"/admin/partners/partner/{partner.pk}/change/"
    shot(applicant, tmp_path, "06-partner-status-pending")

    response = applicant.goto(f"{base}/portal/")
    assert response.status == 403
    expect(applicant.locator("#main h1")).to_have_text(ko("The owner portal is for approved partners"))
    expect(applicant.locator("#main")).to_contain_text("안심스테이 연남")
    shot(applicant, tmp_path, "07-portal-denied")

    # --- Staff approve it in the admin -----------------------------------------------------
    agent = browsers.new_page()
    agent.goto(f"{base}/admin/login/")
    agent.fill("#id_username", staff.email)
    agent.fill("#id_password", PASSWORD)
    agent.locator("#login-form [type=submit]").click()
    # Agents decide money: the admin first has them set up sign-in codes, then opens.
    expect(agent.locator("[data-second-factor=setup]")).to_be_visible()
    second_factor_enrol(agent)
    expect(agent).to_have_url(f"{base}/admin/")

    change_url = f"{base}/admin/partners/partner/{partner.pk}/change/"
    response = agent.goto(change_url)
    assert response.status == 200
    approve = agent.locator('button[name="_fsm_transition_to"][value="approve"]')
    expect(approve).to_have_text(ko("Approve"))
    shot(agent, tmp_path, "08-admin-partner-applied")
    approve.click()

    expect(agent.locator("ul.messagelist li.success")).to_be_visible()
    expect(agent.locator("ul.messagelist li.error")).to_have_count(0)
    expect(agent).to_have_url(change_url)
    expect(agent.locator('button[name="_fsm_transition_to"][value="approve"]')).to_have_count(0)
    expect(agent.locator('button[name="_fsm_transition_to"][value="suspend"]')).to_be_visible()
    shot(agent, tmp_path, "09-admin-partner-approved")

    partner.refresh_from_db()
    assert partner.status == Partner.Status.APPROVED and partner.decided_at is not None
    assert AuditEntry.objects.filter(action="approve").count() == 1
    entry = AuditEntry.objects.get(action="approve", source="applied", target="approved", actor=staff)
    assert entry.object_id == str(partner.pk) and entry.field == "status"
    assert Notification.objects.filter(user=owner, title__contains="안심스테이 연남").exists()

    # --- The owner logs in again and reaches the portal -----------------------------------
    returning = browsers.new_page()
    log_in(returning, base, owner.email, PASSWORD)
    response = returning.goto(f"{base}/portal/")
    assert response.status == 200
    expect(returning.locator("#main .day-head")).to_contain_text("안심스테이 연남")
    expect(returning.locator("#main")).to_contain_text("124-81-00998")
    shot(returning, tmp_path, "10-portal-dashboard")

    assert browsers.problems == []
