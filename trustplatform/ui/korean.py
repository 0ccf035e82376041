"""Money, dates and phone numbers as Korean users read them.

Real estate prices are in 억 and 만 (전세 "2억 5,000", 매매 "11억 5,000만", 월세 "100/30" in 만원,
관리비 "7.5만"),
every other amount in won ("190,000원"), dates as "12월 10일 (목)" in Korea's time, phone numbers in
national form ("050-5100-0001") with an E.164 `tel:` target. English pages get the same facts in English
forms ("₩190,000", "Thu, Dec 10")."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import phonenumbers
from django.utils import timezone, translation
from django.utils.functional import lazy

KST = ZoneInfo("Asia/Seoul")
EOK = 100_000_000
MAN = 10_000
WEEKDAYS_KO = "월화수목금토일"


def _korean() -> bool:
    return (translation.get_language() or "ko").startswith("ko")


def _whole(value) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def won(value) -> str:
    """190000 → "190,000원" (English: "₩190,000"); negative amounts keep their sign."""
    amount = _whole(value)
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    if _korean():
        return f"{sign}{abs(amount):,}원"
    return f"{sign}₩{abs(amount):,}"


def eok_man(value, man_suffix: bool = False) -> str:
    """Won in 억 and 만: 250,000,000 → "2억 5,000"; with `man_suffix` 1,150,000,000 → "11억 5,000만";
    under one 억 always "8,000만". Amounts below 만 are dropped (real estate prices are whole 만)."""
    amount = _whole(value)
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    eok, rest = divmod(amount, EOK)
    man = rest // MAN
    if not eok:
        return f"{sign}{man:,}만"
    text = f"{eok:,}억"
    if man:
        text += f" {man:,}" + ("만" if man_suffix else "")
    return sign + text


def man(value) -> str:
    """A monthly amount such as 관리비 as Korean listings write it: 만 rounded to the nearest 천
    (100,000 → "10만", 75,000 → "7.5만"); under one 만 in won ("5,000원"); English pages in won."""
    amount = _whole(value)
    if amount is None:
        return ""
    if not _korean() or abs(amount) < MAN:
        return won(amount)
    sign = "-" if amount < 0 else ""
    thousands = (abs(amount) + 500) // 1_000
    whole, tenth = divmod(thousands, 10)
    return f"{sign}{whole:,}" + (f".{tenth}" if tenth else "") + "만"


def rent(deposit, monthly) -> str:
    """월세 as deposit/monthly in 만원: (1,000,000, 300,000) → "100/30"; a deposit of 억 or more: "1억/50"."""
    deposit_won, monthly_won = _whole(deposit) or 0, _whole(monthly) or 0
    if deposit_won >= EOK:
        left = eok_man(deposit_won)
    else:
        left = f"{deposit_won // MAN:,}"
    return f"{left}/{monthly_won // MAN:,}"


def _local(value) -> dt.datetime | dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            return value
        return value.astimezone(KST)
    if isinstance(value, dt.date):
        return value
    return None


def day(value, with_year: bool = False) -> str:
    """A date or a moment (in Korea's time) as "12월 10일 (목)" or "2026년 12월 10일 (목)";
    English: "Thu, Dec 10" or "Thu, Dec 10, 2026"."""
    local = _local(value)
    if local is None:
        return ""
    if _korean():
        text = f"{local.month}월 {local.day}일 ({WEEKDAYS_KO[local.weekday()]})"
        return f"{local.year}년 {text}" if with_year else text
    text = f"{local:%a}, {local:%b} {local.day}"
    return f"{text}, {local.year}" if with_year else text


# For a message written now and read later (a notice, an SMS): rendered in the reader's language.
day_later = lazy(day, str)


def moment(value, with_year: bool = False) -> str:
    """A moment in Korea's time: "12월 10일 (목) 15:00" (24-hour clock, as Korean apps show it)."""
    local = _local(value)
    if local is None:
        return ""
    if not isinstance(local, dt.datetime):
        return day(local, with_year)
    return f"{day(local, with_year)} {local:%H:%M}"


moment_later = lazy(moment, str)


def phone(e164: str | None) -> str:
    """+825051000001 → "050-5100-0001"; +821012345678 → "010-1234-5678"; foreign numbers international."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(str(e164), "KR")
    except phonenumbers.NumberParseException:
        return str(e164)
    style = (phonenumbers.PhoneNumberFormat.NATIONAL if number.country_code == 82
             else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, style)


def tel_target(e164: str | None) -> str:
    """The `tel:` URI of a number: "tel:+825051000001"; empty when it does not parse."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(str(e164), "KR")
    except phonenumbers.NumberParseException:
        return ""
    return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
