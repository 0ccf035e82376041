"""Personal data at rest: MultiFernet encryption, an HMAC blind index, and display masking.

Keys come from PII_ENCRYPTION_KEYS (newest first, so rotation re-encrypts to the first) and
PII_HASH_KEY. Nothing here logs or returns a plaintext it was not asked to decrypt.
"""

import functools
import hashlib
import hmac

import phonenumbers
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _


class InvalidPhoneNumber(ValueError):
    pass


@functools.cache
def _fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.strip()) for key in settings.PII_ENCRYPTION_KEYS])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "PII_ENCRYPTION_KEYS must be comma-separated Fernet keys (32 url-safe base64 bytes)"
        ) from exc


def reset_keys() -> None:
    """Forget cached keys (after settings change in tests or a rotation)."""
    _fernet.cache_clear()


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured("a stored value cannot be decrypted with PII_ENCRYPTION_KEYS") from exc


def rotate(token: str) -> str:
    """Re-encrypt a token under the newest key; the plaintext never leaves this function."""
    return _fernet().rotate(token.encode()).decode()


def blind_index(value: str) -> str:
    """A keyed hash for equality lookups on encrypted values (same input, same index)."""
    return hmac.new(settings.PII_HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def normalize_phone(raw: str, *, region: str = "KR", mobile_only: bool = True) -> str:
    """Parse a phone number as typed by a person into E.164, or raise InvalidPhoneNumber."""
    try:
        number = phonenumbers.parse(str(raw), region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(_("Enter a phone number such as 010-1234-5678.")) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(_("This is not a valid phone number."))
    if mobile_only and number.country_code == 82:
        kind = phonenumbers.number_type(number)
        if kind != phonenumbers.PhoneNumberType.MOBILE:
            raise InvalidPhoneNumber(_("Enter a Korean mobile number (010-…)."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str) -> str:
    """A hint safe to show staff: +821012345678 -> 010-****-5678."""
    if len(e164) == 13 and e164.startswith("+8210") and e164[1:].isdigit():
        # Most callers: a Korean mobile, whose national form is always 010-XXXX-XXXX (checked against
        # phonenumbers for every 010 prefix); a call's webhook saves the parse.
        return f"010-****-{e164[-4:]}"
    try:
        number = phonenumbers.parse(e164, None)
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        national = e164
    digits = [c for c in national if c.isdigit()]
    if len(digits) < 7:
        return "****"
    parts = national.replace(" ", "-").split("-")
    if len(parts) >= 3:
        return "-".join([parts[0], "*" * len(parts[1]), *parts[2:]])
    return national[:3] + "****" + national[-4:]


def mask_account(number: str) -> str:
    """A bank account number as it may be shown: its last four digits only ("•••• 1234")."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return f"•••• {digits[-4:]}" if len(digits) > 4 else "••••"


def mask_name(name: str) -> str:
    """A person's name as Korean sites show it to strangers: 김*지, 이*, 남**수 (every letter but the
    first and the last hidden)."""
    name = "".join(name.split())
    if len(name) <= 2:
        return name[:1] + "*" * (len(name) - 1)
    return name[0] + "*" * (len(name) - 2) + name[-1]
