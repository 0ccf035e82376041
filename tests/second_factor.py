"""Staff sign-in codes in tests: the code an authenticator app would show, and a browser person
entering it on the admin's second-factor pages (trustplatform/accounts/second_factor.py)."""

import base64
import time

from django_otp.oath import TOTP


def totp_code(secret: str, *, steps_ahead: int = 0, at: float | None = None) -> str:
    """The six digits an authenticator shows for the base32 `secret` now, or at `at` (or that many
    steps later: a code is taken once, so a second sign-in within the same 30 seconds uses the next
    one). Codes for one flow are taken from one instant: the device learns its drift from the first
    code, so a first code read just before a step turns and a "next" code read just after it would
    be two steps apart, outside the device's tolerance."""
    totp = TOTP(base64.b32decode(secret))
    totp.time = (time.time() if at is None else at) + 30 * steps_ahead
    return f"{totp.token():06d}"


def second_factor_enrol(page) -> str:
    """On the enrolment page the admin sent `page` to, add the authenticator as a person would (the
    key under the QR code) and enter its code; returns the secret for later sign-ins."""
    secret = page.locator("[data-totp-secret]").get_attribute("data-totp-secret")
    page.fill("#id_code", totp_code(secret))
    page.locator("#second-factor-form button[type=submit]").click()
    return secret
