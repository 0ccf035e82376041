"""Phone numbers as people read them; parsing goes through trustplatform.pii."""

import phonenumbers

from trustplatform import pii


def format_number(e164: str) -> str:
    """+825051000001 -> 050-5100-0001 (national format for Korean numbers, international otherwise)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    style = (phonenumbers.PhoneNumberFormat.NATIONAL if number.country_code == 82
             else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, style)


def number_normalize(raw: str) -> str:
    """Any valid number (mobile, landline, 050) to E.164, or raise pii.InvalidPhoneNumber."""
    return pii.normalize_phone(raw, mobile_only=False)


def caller_normalize(raw: str) -> str | None:
    """A caller id from the network to E.164; None when withheld or unparseable."""
    try:
        return pii.normalize_phone(raw, mobile_only=False)
    except pii.InvalidPhoneNumber:
        return None
