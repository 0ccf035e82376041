"""The detector behind the no-English-in-the-Korean-UI tests (tests/korean_text.py)."""

from tests.korean_text import catalogue_gaps, english_snippets, english_words


def test_it_finds_english_text_and_raw_codes():
    page = """<html lang="ko"><body><h1>예약하기</h1>
      <label>Room type</label><p>신고 사유: price_bait</p><p>상태: None</p>
      <p>[Errno -2] Name or service not known</p></body></html>"""
    assert english_words(page) == [
        "Room", "type", "price_bait", "None", "Errno", "Name", "or", "service", "not", "known",
    ]


def test_it_reads_the_attributes_a_person_reads():
    page = """<input placeholder="Search stays"><a title="Close" href="/x/">닫기</a>
      <button aria-label="Next month">&gt;</button><img alt="Front door" src="/a.png">
      <input type="submit" value="Save"><input type="hidden" name="next" value="hidden_value">
      <input type="text" name="q" value="user typed">
      <div class="card-body" data-state="sold_out">빈 방</div>"""
    assert english_words(page) == ["Search", "stays", "Close", "Next", "month", "Front", "door", "Save"]


def test_it_skips_machine_text_and_marked_foreign_text():
    page = """<html lang="ko"><head><title>안심</title><style>.card { color: red }</style></head><body>
      <script>var notShown = "English in a script";</script>
      <select><option value="ko" lang="ko">한국어</option>
        <option value="en" lang="en">English</option></select>
      <p class="other-language" lang="en">Your booking is <b>confirmed</b></p>
      <code translate="no">make run</code><p>계속</p></body></html>"""
    assert english_words(page) == []


def test_names_units_addresses_and_reference_numbers_are_allowed():
    page = """<p>PortOne으로 결제했어요. 체크인 15:00 KST, 84m² (25평)</p>
      <p>Airbnb와 Booking.com 달력(iCal) 연동</p>
      <p>문의: help@ansim.example, https://ansim.example/help/?q=English+words 또는 ansim.kr</p>
      <p>예약번호 BK-2026-0042, B동 1203호, 안심번호 050-5100-0001, 예약 코드 BFRRYFWT</p>"""
    assert english_words(page) == []


def test_a_masked_secret_is_skipped_but_words_beside_it_are_not():
    page = "<p>솔트: RzYNUX**************** 해시: AoxJsV****</p><p>salt RzYNUX****</p>"
    assert english_words(page) == ["salt"]


def test_a_lowercase_channel_code_is_not_the_channel_name():
    assert english_words("<p>airbnb 예약과 겹쳐요</p>") == ["airbnb"]


def test_capitals_that_are_no_booking_code_are_reported():
    page = "<p>상태: CONFIRMED, PENDING_PAYMENT, OK</p>"
    assert english_words(page) == ["CONFIRMED", "PENDING_PAYMENT", "OK"]


def test_the_failure_shows_each_offending_text_once():
    page = "<p>Check in</p><p>체크인</p><p>Check in</p>"
    assert english_snippets(page) == ["Check in"]


def test_the_catalogue_check_finds_missing_and_fuzzy_translations(tmp_path):
    po = tmp_path / "django.po"
    po.write_text('''msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

#: a.py:1
msgid "Saved."
msgstr "저장했어요."

#: a.py:2
msgid "Not yet"
msgstr ""

#, fuzzy
msgid "Guessed"
msgstr "추측"

msgctxt "room"
msgid "Open"
msgstr "판매 중"
msgid "%(n)s night"
msgid_plural "%(n)s nights"
msgstr[0] ""

msgid ""
"A long "
"sentence"
msgstr ""
"긴 문장"

#~ msgid "Gone"
#~ msgstr ""
''', encoding="utf-8")
    assert catalogue_gaps(po) == ["Not yet", "Guessed", "%(n)s night"]
