"""In a real browser: a consumer opts in to a safe number at checkout, the business sees only the
proxy number in the portal and click-to-calls, and the phone simulator shows the call bridged."""

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from masking.models import Interaction, MaskedSession
from trustplatform import pii

from ..factories import PASSWORD, MembershipFactory, UserFactory
from .conftest import mobile
from .factories import without_proxy_numbers

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CONSUMER, OWNER = mobile(81), mobile(82)


def ko(text: str) -> str:
    with translation.override("ko"):
        return gettext(text)


def _verified(user, phone):
    user.phone, user.phone_index, user.phone_hint = phone, pii.blind_index(phone), pii.mask_phone(phone)
    user.phone_verified_at = timezone.now()
    user.save()
    return user


def _log_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.locator("#main form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/")


def test_opt_in_portal_click_to_call_and_simulated_bridge(live_server, new_page, browsers, pool,
                                                           tmp_path):
    base = live_server.url
    pool(3)
    # With DEBUG off the demo checkout and the simulator are staff-only: both people here are testers.
    consumer = _verified(UserFactory(email="minji@example.kr", full_name="김민지", is_staff=True), CONSUMER)
    membership = MembershipFactory(partner__name="전주 한옥 비빔밥", partner__kind="restaurant",
                                   user__is_staff=True)
    _verified(membership.user, OWNER)

    # The consumer orders with "use a safe number" ticked (the default).
    shopper = new_page()
    _log_in(shopper, base, consumer.email)
    shopper.goto(f"{base}/safe-numbers/try/")
    shopper.select_option("#id_partner", str(membership.partner.pk))
    expect(shopper.locator("#id_use_safe_number")).to_be_checked()
    shopper.locator("#main form button[type=submit]").click()
    expect(shopper).to_have_url(f"{base}/safe-numbers/")
    session = MaskedSession.objects.get()
    sides = {p.side: p for p in session.participants.select_related("proxy_number")}
    expect(shopper.locator(".masking-session .safe-number")).to_have_text(
        sides["consumer"].proxy_number.display)
    shopper.screenshot(path=str(tmp_path / "01-my-safe-numbers.png"), full_page=True)

    # The business sees only the proxy number, and clicks to call.
    owner = new_page()
    _log_in(owner, base, membership.user.email)
    owner.goto(f"{base}/portal/safe-numbers/")
    row = owner.locator(f'tr[data-session="{session.pk}"]')
    expect(row.locator(".safe-number")).to_have_text(sides["business"].proxy_number.display)
    page_text = without_proxy_numbers(owner.locator("#main").inner_text())
    assert "2000-0081" not in page_text and "20000081" not in page_text and "0081" not in page_text
    row.locator("form[action$='/call/'] button").click()
    expect(owner.locator("ul.messages")).to_contain_text(
        ko("Calling you now: pick up and we connect you to the customer."))
    call = Interaction.objects.get(kind="click_to_call")
    assert call.outcome == "ringing"
    owner.screenshot(path=str(tmp_path / "02-portal.png"), full_page=True)

    # The business phone "rings" in the simulator; answering bridges to the consumer.
    owner.goto(f"{base}/safe-numbers/simulator/")
    owner.locator(".masking-ringing button[name=answer]").click()
    outcome = owner.locator(".masking-outcome.connected")
    expect(outcome).to_contain_text("010-****-****")
    assert CONSUMER[-4:] not in outcome.inner_text()
    expect(outcome).to_contain_text(sides["consumer"].proxy_number.display)
    owner.screenshot(path=str(tmp_path / "03-simulator-bridged.png"), full_page=True)
    call.refresh_from_db()
    assert call.outcome == "bridged"

    # The consumer calls their safe number from their phone: bridged to the business.
    shopper.goto(f"{base}/safe-numbers/simulator/")
    shopper.select_option("#id_kind", "call")
    shopper.fill("#id_caller", "010-2000-0081")
    shopper.fill("#id_proxy", sides["consumer"].proxy_number.display)
    shopper.locator("#main form button[type=submit]").first.click()
    expect(shopper.locator(".masking-outcome.connected")).to_contain_text("010-****-****")
    assert OWNER[-4:] not in shopper.locator(".masking-outcome.connected").inner_text()
    assert browsers.problems == []
