"""The main journeys on the embedded stack (`make run`: SQLite, file-system broker, real worker).

The rest of the suite runs on PostgreSQL, so a bug only SQLite or the file-system broker shows
would otherwise reach the first newcomer who types `make run`. Each journey is walked over HTTP by
the demo people, each with their own session, logging in through the login page; work the worker
does (the sandbox PSP's signed webhooks, confirmations, releases) is awaited with a deadline. Each
ends by reading the state a person would look for on the page. Any 5xx, from a page or from a
webhook the worker posted, fails the journey (see conftest.py).
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from bookings.models import Booking
from escrow.demo import RENTAL_ADDRESS
from escrow.models import EscrowAgreement
from listings.models import Report
from masking.numbers import number_normalize
from tests.files import image_bytes
from tests.second_factor import totp_code
from trustplatform.demo import CONSUMERS

from .web import Element, Page

pytestmark = pytest.mark.embedded

WORKER_TIMEOUT = 30  # seconds for the worker to take a task from the file-system broker and run it
RESTAURANT = "전주 한옥 비빔밥"  # the demo restaurant 김민지 has a safe number with (masking/demo.py)
SAFE_NUMBER = re.compile(r"0\d{2,3}-\d{3,4}-\d{4}")  # as the safe-number pages write one
SAFE_NUMBER_PREFIX = "+8250"  # every safe number is a 050 number
# A tiny but real PNG: evidence uploads are checked on the whole file, not only their name.
PNG = image_bytes("PNG")


def ko(text) -> str:
    """A message or label as the Korean pages show it (the site's default language)."""
    with translation.override("ko"):
        return str(gettext(text) if isinstance(text, str) else text)


def ko_pattern(message: str) -> re.Pattern:
    """The Korean form of a message with %(name)s placeholders, as a regex capturing each one."""
    escaped = re.escape(ko(message))
    return re.compile(re.sub(r"%\\\((\w+)\\\)s", r"(?P<\1>.+?)", escaped) + "$")


def phone_of(email: str) -> str:
    """A demo consumer's own mobile number, as they would type it."""
    e164 = next(phone for login, _name, phone in CONSUMERS if login == email)
    return "0" + e164.removeprefix("+82")


# --- a. safe numbers ----------------------------------------------------------------------------


def _simulate(person, **typed) -> Element:
    simulator = person.get("/safe-numbers/simulator/")
    answered = person.submit(simulator.form(field="proxy"), typed)
    return answered.find("section", css_class="masking-outcome")


def test_a_participant_reaches_the_business_by_calling_and_texting_their_safe_number(embedded_stack):
    email = embedded_stack.email("consumer")
    minji = embedded_stack.person("consumer")
    mine = minji.get("/safe-numbers/")
    rows = [row for row in mine.find_all("article", css_class="masking-session", data_status="open")
            if row.find("strong").text == RESTAURANT]
    assert rows, f"no open safe number with {RESTAURANT} on {mine.url}"
    safe_number = rows[0].find("span", css_class="safe-number").text
    assert SAFE_NUMBER.fullmatch(safe_number), safe_number

    call = _simulate(minji, kind="call", caller=phone_of(email), proxy=safe_number)
    assert "connected" in call.get("class").split(), call.text
    assert call.find("h2").text == ko("Connected")
    bridged = [ko_pattern("Call bridged: %(callee)s rings and sees %(proxy)s.").match(line.text)
               for line in call.find_all("p")]
    bridged = [match for match in bridged if match]
    assert len(bridged) == 1, call.text
    # The business's phone rings (its real number only ever shown masked) and shows a safe number.
    assert "*" in bridged[0]["callee"] and SAFE_NUMBER.fullmatch(bridged[0]["proxy"]), call.text

    body = "6시 30분에 도착해요. 문 앞에 두세요."
    text = _simulate(minji, kind="text", caller=phone_of(email), proxy=safe_number, body=body)
    assert "connected" in text.get("class").split(), text.text
    relayed = [ko_pattern("Text relayed to %(to)s from %(sender)s: %(body)s").match(line.text)
               for line in text.find_all("p")]
    relayed = [match for match in relayed if match]
    assert len(relayed) == 1, text.text
    assert relayed[0]["body"].endswith(body) and "*" in relayed[0]["to"], text.text

    # Routing is by the caller's hold on the number: a stranger dialling it reaches nobody.
    stranger = _simulate(minji, kind="call", caller="010-9999-0001", proxy=safe_number)
    assert "refused" in stranger.get("class").split(), stranger.text
    assert stranger.find("h2").text == ko("Not connected")


# --- b. guaranteed stays ------------------------------------------------------------------------


def _status_badge(page: Page) -> Element:
    return page.find(id="booking-status")


def test_a_guest_books_and_pays_a_stay_and_the_payment_webhook_confirms_it(embedded_stack):
    junho = embedded_stack.person("consumer", 1)
    check_in = timezone.localdate() + timedelta(days=3)
    stay = {"check_in": check_in.isoformat(), "check_out": (check_in + timedelta(days=2)).isoformat(),
            "guests": "2"}

    search = junho.get("/stays/")
    results = junho.submit(search.form(button_id="search-submit"), {"place": "haeundae", **stay})
    found = results.find_all("li", css_class="stay-result")
    assert found, f"no stay free around Haeundae for {stay} on {results.url}"
    prop = junho.get(found[0].find("a").get("href"))
    bookable = [row for row in prop.find_all("li", data_room_type=True)
                if row.find_all("a", css_class="button")]
    assert bookable, f"no room to book on {prop.url}"
    book = junho.get(bookable[0].find("a", css_class="button").get("href"))
    quoted = book.find(id="book-total").text

    checkout = junho.submit(book.form(button_id="book-submit"),
                            {"guest_phone": phone_of(embedded_stack.email("consumer", 1))})
    assert re.fullmatch(r"/stays/bookings/\w+/checkout/\d+/", checkout.path), checkout.url
    assert checkout.find("dd", css_class="psp-amount").text == quoted
    booking = junho.submit(checkout.form(button_id="psp-pay"))
    code = booking.path.split("/")[3]
    assert booking.path == f"/stays/bookings/{code}/", booking.url

    def confirmed_page():
        page = junho.get(f"/stays/bookings/{code}/")
        return page if _status_badge(page).get("data-status") == Booking.Status.CONFIRMED else None

    def page_with_safe_number():
        page = junho.get(f"/stays/bookings/{code}/")
        return page if page.find_all(id="safe-number") else None

    # The worker posts the sandbox PSP's signed webhook to the site, which confirms the booking.
    page = embedded_stack.wait_until(confirmed_page, timeout=WORKER_TIMEOUT, what=f"booking {code} confirmed")
    assert _status_badge(page).text == ko(Booking.Status.CONFIRMED.label)
    # Then the worker opens the guest's safe number to the property.
    page = embedded_stack.wait_until(page_with_safe_number, timeout=WORKER_TIMEOUT,
                                     what=f"the safe number of booking {code}")
    shown = page.find(id="safe-number").text
    assert number_normalize(shown).startswith(SAFE_NUMBER_PREFIX), f"{shown} is not a safe number"
    stays = junho.get("/stays/bookings/")
    assert any(link.get("href") == f"/stays/bookings/{code}/" for link in stays.find_all("a"))


# --- c. escrowed deposits -----------------------------------------------------------------------


AMOUNT_KRW = 10_000_000
PAID_OUT_KRW = 9_900_000  # after the default 1 % fee (ESCROW_FEE_PERCENT), which make run keeps


def _agreement_status(page: Page) -> str:
    return page.find("span", css_class="deal-status").get("data-status")


def _condition(page: Page, kind: str) -> tuple[Element, str]:
    """The card of the agreement's condition of this kind, and the condition's id."""
    card = page.find("article", css_class="condition", data_kind=kind)
    return card, card.get("id").removeprefix("condition-")


def test_a_rental_deposit_is_funded_through_checkout_and_released_once_its_conditions_hold(embedded_stack):
    landlord = embedded_stack.person("partner owner (landlord)")
    tenant = embedded_stack.person("consumer")
    agent = embedded_stack.person("staff (agents)")

    # The landlord proposes a deposit from the rental template, moving in today.
    propose = landlord.get("/portal/deposits/new/")
    proposed = landlord.submit(propose.form(field="payer_email"), {
        "template": EscrowAgreement.Template.RENTAL_DEPOSIT, "payer_email": embedded_stack.email("consumer"),
        "title": "성수 하우스 302호 보증금 (스모크)", "amount_krw": f"{AMOUNT_KRW:,}",
        "property_address": RENTAL_ADDRESS, "move_in_date": timezone.localdate().isoformat()})
    match = re.fullmatch(r"/portal/deposits/(\d+)/", proposed.path)
    assert match, f"the proposal did not go through: {proposed.find_all(css_class='errors') or proposed.url}"
    detail_url = f"/deposits/{match[1]}/"
    assert _agreement_status(proposed) == EscrowAgreement.Status.PROPOSED

    # The tenant finds it, accepts the exact terms and pays by card in the sandbox checkout.
    deposits = tenant.get("/deposits/")
    assert deposits.find("tr", data_agreement=match[1]), f"agreement {match[1]} not among {deposits.url}"
    detail = tenant.get(detail_url)
    # Ticking "I understand", as someone without JavaScript does (the dialog's button sends the same).
    agreed = tenant.submit(detail.form(button_id="accept-terms"), {"confirmed": "yes"})
    assert _agreement_status(agreed) == EscrowAgreement.Status.AGREED, agreed.messages()
    checkout = tenant.submit(agreed.form(button_id="pay-button"), {"method": "card"})
    assert f"{AMOUNT_KRW:,}" in checkout.find("dd", css_class="psp-amount").text
    tenant.submit(checkout.form(button_id="psp-pay"))

    def detail_when(status: str):
        page = tenant.get(detail_url)
        return page if _agreement_status(page) == status else None

    funded = embedded_stack.wait_until(lambda: detail_when("funded"), timeout=WORKER_TIMEOUT,
                                       what=f"agreement {match[1]} funded by the PSP's webhook")
    assert f"{AMOUNT_KRW:,}" in funded.find("article", css_class="held").text

    # The tenant confirms the keys and uploads the move-in report.
    _card, keys_id = _condition(funded, "counterparty")
    confirmed = tenant.submit(funded.form(action=f"{detail_url}conditions/{keys_id}/confirm/"),
                              {"confirmed": "yes"})
    assert _condition(confirmed, "counterparty")[0].get("data-status") == "satisfied", confirmed.messages()
    _card, document_id = _condition(confirmed, "document")
    upload = confirmed.form(action=f"{detail_url}conditions/{document_id}/evidence/")
    uploaded = tenant.submit(upload, files={
        f"condition-{document_id}-file": ("전입신고-확정일자.png", PNG, "image/png")})
    assert _condition(uploaded, "document")[0].find_all("a"), "the uploaded move-in report is not listed"

    # An agent accepts the document from the admin's evidence review queue; agents decide money, so
    # the admin first has them set up sign-in codes (the key under the QR code, then a code).
    setup = agent.get("/admin/escrow/condition/")
    secret = setup.find(data_totp_secret=True).get("data-totp-secret")
    queue = agent.submit(setup.form(form_id="second-factor-form"), {"code": totp_code(secret)})
    changelist = queue.form(form_id="changelist-form")
    reviewed = agent.submit(changelist, {"action": "accept_documents", "_selected_action": document_id},
                            button=changelist.button(name="index"))
    assert ko("%(count)s document(s) reviewed.") % {"count": 1} in reviewed.messages()

    # With every condition held, the worker releases the money to the landlord.
    released = embedded_stack.wait_until(lambda: detail_when("released"), timeout=WORKER_TIMEOUT,
                                         what=f"agreement {match[1]} released")
    assert released.find(css_class="outcome", data_outcome="released")
    assert not released.find_all("article", css_class="held")
    landlord_view = landlord.get(f"/portal/deposits/{match[1]}/")
    assert _agreement_status(landlord_view) == "released"
    assert f"{PAID_OUT_KRW:,}" in landlord_view.find("li", data_kind="release").text


# --- d. verified listings -----------------------------------------------------------------------


def test_a_consumer_reports_a_listing_and_sees_it_among_their_reports(embedded_stack):
    minji = embedded_stack.person("consumer")
    search = minji.get("/homes/")
    listings = search.find_all("li", css_class="ls-item")
    assert listings, f"no listing on {search.url}"
    listing_id = listings[0].get("data-listing")
    title = listings[0].find("strong").text
    detail = minji.get(f"/homes/{listing_id}/")
    assert detail.find("h1").text == title
    report_form = minji.get(detail.find("a", data_report_link=True).get("href"))

    reports = minji.submit(report_form.form(field="reason"), {
        "reason": Report.Reason.PRICE, "details": "보증금이 광고보다 두 배 높다고 합니다."})
    assert reports.path == "/homes/my-reports/", reports.url
    assert ko("Thank you. The broker answers first; then we check it ourselves.") in reports.messages()
    rows = [row for row in reports.find_all("tr", data_report=True)
            if row.find("a").get("href") == f"/homes/{listing_id}/"]
    assert len(rows) == 1, reports.url
    assert rows[0].find("a").text == title
    assert ko(Report.Reason.PRICE.label) in rows[0].text
    assert rows[0].find("span", css_class="badge").text == ko(Report.Status.AWAITING_BROKER.label)
