"""Korean business registration numbers (사업자등록번호): ten digits, the last a checksum."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def brn_normalize(raw: str) -> str:
    """Digits only, accepting the usual 123-45-67890 form."""
    return "".join(ch for ch in str(raw) if ch not in "- ")


def brn_is_valid(digits: str) -> bool:
    if len(digits) != 10 or not digits.isdigit():
        return False
    numbers = [int(ch) for ch in digits]
    total = sum(n * w for n, w in zip(numbers[:9], _WEIGHTS, strict=True))
    # The ninth digit counts once more, as the tens of (digit × 5).
    total += numbers[8] * 5 // 10
    return (10 - total % 10) % 10 == numbers[9]


def validate_brn(raw: str) -> str:
    digits = brn_normalize(raw)
    if len(digits) != 10 or not digits.isdigit():
        raise ValidationError(_("A business registration number has 10 digits, e.g. 123-45-67890."),
                              code="brn_format")
    if not brn_is_valid(digits):
        raise ValidationError(
            _("This business registration number is not valid: its check digit does not match. "
              "Check it against your registration certificate."),
            code="brn_checksum",
        )
    return digits


def brn_format(digits: str) -> str:
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}" if len(digits) == 10 else digits
