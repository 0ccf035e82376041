"""A stay that finishes by itself, in a real browser: a paid stay nobody marks; the beat's sweep runs at a
clock moved past check-out + BOOKINGS_AUTO_COMPLETE_HOURS; the owner's portal shows the stay completed
and its money ready to pay out (the ledger agrees); the guest reviews the stay, confirming it first, and
the property answers once in its portal; the property's public page shows the review and its rating."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from bookings.models import Booking, Review
from bookings.services.common import stay_end
from bookings.services.stay_marks import stays_complete_due
from tests.bookings.factories import (
    GuestFactory,
    LodgingPartnerFactory,
    PropertyFactory,
    RoomTypeFactory,
    confirmed_booking,
)
from trustplatform.ledger.selectors import ledger_reconcile
from trustplatform.ledger.services import partner_payable

from ..factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SUBMIT = "#main form button[type=submit]"


def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.locator(SUBMIT).click()
    expect(page).to_have_url(f"{base}/")


def test_an_unmarked_stay_completes_by_itself_pays_the_property_and_is_reviewed_and_answered(
    live_server, browsers, tmp_path, settings
):
    settings.SITE_URL = live_server.url
    settings.BOOKINGS_AUTO_COMPLETE_HOURS = 24
    base = live_server.url
    partner = LodgingPartnerFactory()
    hotel = PropertyFactory(partner=partner, name="송정 바다 호텔", rating=0, review_count=0)
    room = RoomTypeFactory(property=hotel, price_krw=80_000, name="오션 더블")
    guest = GuestFactory(email="stay@example.kr", full_name="김여행")
    booking = confirmed_booking(room, user=guest, days_ahead=0, nights=1)

    # --- Before: the owner sees the stay's money held in trust, nothing to pay out ------------------
    owner = browsers.new_page()
    log_in(owner, base, partner.owner.email)
    owner.goto(f"{base}/portal/stays/bookings/{booking.code}/")
    expect(owner.locator("#booking-status")).to_have_attribute("data-status", "confirmed")
    expect(owner.locator("#stay-end")).to_have_attribute("data-settled", "no")
    owner.goto(f"{base}/portal/payouts/")
    expect(owner.locator("#payable")).to_have_text("0원")

    # --- Nobody records the departure: the beat's sweep runs a day after check-out -----------------
    moved_clock = stay_end(booking) + timedelta(hours=24, minutes=5)
    assert stays_complete_due(now=moved_clock) == 1
    booking.refresh_from_db()
    assert booking.status == Booking.Status.COMPLETED and booking.completed_automatically
    assert partner_payable(partner).balance_krw == 80_000 and ledger_reconcile() == []

    owner.goto(f"{base}/portal/stays/bookings/{booking.code}/")
    expect(owner.locator("#booking-status")).to_have_attribute("data-status", "completed")
    expect(owner.locator("#stay-end")).to_have_attribute("data-settled", "yes")
    expect(owner.locator("#mark-check-out")).to_have_count(0)
    owner.screenshot(path=str(tmp_path / "01-owner-completed.png"), full_page=True)
    owner.goto(f"{base}/portal/payouts/")
    expect(owner.locator("#payable")).to_have_text("80,000원")

    # --- The guest reviews the stay, seeing it back before it is posted ----------------------------
    page = browsers.new_page()
    log_in(page, base, guest.email)
    page.goto(f"{base}/stays/bookings/{booking.code}/")
    page.locator("#write-review").click()
    page.locator("input[name=rating][value='4']").check()
    page.fill("#id_text", "바다가 한눈에 보이고 조용했어요.")
    page.locator("#review-submit").click()
    expect(page.locator("#review-confirm")).to_contain_text("바다가 한눈에 보이고 조용했어요.")
    assert not Review.objects.exists()
    page.screenshot(path=str(tmp_path / "02-review-confirm.png"), full_page=True)
    page.locator("#review-confirm-submit").click()
    expect(page.locator("#my-review-text")).to_have_text("바다가 한눈에 보이고 조용했어요.")
    expect(page.locator("#write-review")).to_have_count(0)
    review = Review.objects.get(booking=booking)

    # --- The property answers once, in its portal ---------------------------------------------------
    owner.goto(f"{base}/portal/stays/reviews/")
    card = owner.locator(f'li[data-review="{review.pk}"]')
    expect(card).to_contain_text("바다가 한눈에 보이고 조용했어요.")
    card.locator("a.button").click()
    owner.fill("#id_answer", "다시 찾아 주세요. 감사합니다!")
    owner.locator("#answer-submit").click()
    expect(owner.locator("#answer-confirm")).to_contain_text("다시 찾아 주세요")
    owner.locator("#answer-confirm-submit").click()
    expect(owner.locator(f'li[data-review="{review.pk}"] .review-answer')).to_contain_text("다시 찾아 주세요")
    expect(owner.locator(f'li[data-review="{review.pk}"] a.button')).to_have_count(0)
    owner.screenshot(path=str(tmp_path / "03-owner-answered.png"), full_page=True)

    # --- The guest sees the answer; the public page shows the review and the rating it made -------
    page.goto(f"{base}/stays/bookings/{booking.code}/")
    expect(page.locator("#review-answer")).to_contain_text("다시 찾아 주세요")
    page.goto(f"{base}/stays/p/{hotel.pk}/")
    expect(page.locator("#reviews")).to_have_attribute("data-review-count", "1")
    expect(page.locator("#rating-summary")).to_contain_text("4.0")
    expect(page.locator(f'li[data-review="{review.pk}"]')).to_contain_text("김*행")
    page.screenshot(path=str(tmp_path / "04-property-reviews.png"), full_page=True)
    assert browsers.problems == []
