import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from trustplatform import pii
from trustplatform.api.throttling import budget_spend
from trustplatform.errors import Conflict, DomainError
from trustplatform.notifications.services import message_enqueue

from .models import PhoneVerification, User
from .signals import user_signed_up

# The only numbers verification codes are texted to: Korean mobiles, +82 10 followed by eight digits.
KOREAN_MOBILE = re.compile(r"\+8210\d{8}")
SIGNUP_SALT = "accounts.signup"
HOUR = 3600


class AccountError(DomainError):
    pass


class AccountConflict(AccountError, Conflict):
    """An AccountError that is refused by the current state of things (409)."""


def phone_parse(*, raw: str) -> str:
    """E.164 form of a Korean 010 mobile number, or AccountError(code=invalid_phone) with the reason.

    Anything else (foreign, premium-rate, landline, retired prefixes) is refused: texts to them are
    what SMS pumping sells."""
    try:
        e164 = pii.normalize_phone(raw)
    except pii.InvalidPhoneNumber as exc:
        raise AccountError(str(exc), code="invalid_phone", fields={"phone": [str(exc)]}) from exc
    if not KOREAN_MOBILE.fullmatch(e164):
        reason = _("Enter a Korean mobile number (010-…).")
        raise AccountError(reason, code="invalid_phone", fields={"phone": [reason]})
    return e164


def signup_start(*, email: str) -> None:
    """Email the link that finishes a sign-up, or, when an account already uses the address, tell its
    owner so. Either way one email and the same queries: the caller learns nothing about the address.

    A mailbox gets at most SIGNUPS_PER_EMAIL_HOUR such emails an hour; past that nothing is sent,
    and the caller still cannot tell."""
    email = User.objects.normalize_email(email).strip().lower()
    taken = User.objects.filter(email__iexact=email).exists()
    if not budget_spend(scope="signup-email", ident=pii.blind_index(email),
                        limit=settings.SIGNUPS_PER_EMAIL_HOUR, seconds=HOUR):
        return
    if taken:
        subject = _("You already have an Ansim account")
        body = render_to_string("accounts/signup_exists_email.txt", {
            "login_url": f"{settings.SITE_URL}{reverse('accounts:login')}",
            "reset_url": f"{settings.SITE_URL}{reverse('accounts:password_reset')}",
        })
    else:
        token = signing.dumps({"email": email}, salt=SIGNUP_SALT)
        subject = _("Finish signing up to Ansim")
        body = render_to_string("accounts/signup_email.txt", {
            "url": f"{settings.SITE_URL}{reverse('accounts:signup_finish', args=[token])}",
            "hours": settings.SIGNUP_LINK_HOURS,
        })
    # Sent now rather than through the outbox: the link must not sit in the database.
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])


def signup_email_read(*, token: str) -> str:
    """The address a sign-up link was mailed to: AccountError(link_invalid) for a forged or expired
    link, AccountConflict(email_taken) once the account exists (only the mailbox's owner has the link)."""
    try:
        email = signing.loads(token, salt=SIGNUP_SALT, max_age=settings.SIGNUP_LINK_HOURS * HOUR)["email"]
    except (signing.BadSignature, KeyError, TypeError) as exc:
        raise AccountError(
            _("This sign-up link is not valid or has expired. Sign up again to get a new one."),
            code="link_invalid") from exc
    if User.objects.filter(email__iexact=email).exists():
        raise AccountConflict(_("An account with this email already exists."), code="email_taken")
    return email


def user_signup(*, email: str, password: str, full_name: str, phone: str = "") -> User:
    """Create a consumer account for an address proven by its sign-up link; a given phone number is
    stored encrypted and still unverified."""
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise AccountError(_("An account with this email already exists."), code="email_taken",
                           fields={"email": [_("An account with this email already exists.")]})
    e164 = phone_parse(raw=phone) if phone else ""
    with transaction.atomic():
        user = User.objects.create_user(email, password, full_name=full_name, language=_language_now())
        if e164:
            _user_set_phone(user=user, e164=e164, verified=False)
        user_signed_up.send(sender=User, user=user)  # e.g. escrow gives it agreements proposed to the address
    return user


def _language_now() -> str:
    """The language the person is using now (the page's, else the platform's)."""
    known = dict(settings.LANGUAGES)
    for candidate in (translation.get_language() or "", (translation.get_language() or "").split("-")[0]):
        if candidate in known:
            return candidate
    return settings.LANGUAGE_CODE


def user_language_set(*, user: User, language: str) -> bool:
    """Remember the language a person chose, for what we send them later. False when unknown."""
    if language not in dict(settings.LANGUAGES):
        return False
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return True


def _user_set_phone(*, user: User, e164: str, verified: bool) -> None:
    user.phone = e164
    user.phone_index = pii.blind_index(e164)
    user.phone_hint = pii.mask_phone(e164)
    user.phone_verified_at = timezone.now() if verified else None
    user.save(update_fields=["phone", "phone_index", "phone_hint", "phone_verified_at"])


def _code_hash(*, verification_user_id: int, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{verification_user_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _too_many_codes() -> AccountError:
    return AccountError(_("Too many codes were sent. Try again in an hour."), code="too_many_codes",
                        status=429)


def _text_budget_spend(*, phone_index: str, client_ip: str) -> None:
    """Count one verification text against its number, the caller's address and all texts an hour."""
    budgets = [("sms-number", phone_index, settings.PHONE_CODE_SENDS_PER_NUMBER_HOUR)]
    if client_ip:
        budgets.append(("sms-address", client_ip, settings.PHONE_CODE_SENDS_PER_ADDRESS_HOUR))
    for scope, ident, limit in budgets:
        if not budget_spend(scope=scope, ident=ident, limit=limit, seconds=HOUR):
            raise _too_many_codes()
    # The platform-wide cap last, so texts refused above do not use it up.
    if not budget_spend(scope="sms-all", ident="all", limit=settings.PHONE_CODE_SENDS_GLOBAL_HOUR,
                        seconds=HOUR):
        raise _too_many_codes()


def phone_verification_start(*, user: User, phone: str, client_ip: str = "") -> PhoneVerification:
    """Text a six-digit code to a Korean mobile; refuses (429) past the hourly limits per account,
    per number, per address (`client_ip`) and for all texts together.

    Whether another account holds the number is not looked at here: it shows only when the code is
    confirmed, so asking for a code tells nothing about the number."""
    e164 = phone_parse(raw=phone)
    now = timezone.now()
    recent = PhoneVerification.objects.filter(user=user, created_at__gte=now - timedelta(hours=1))
    if recent.count() >= settings.PHONE_CODE_SENDS_PER_HOUR:
        raise _too_many_codes()
    _text_budget_spend(phone_index=pii.blind_index(e164), client_ip=client_ip)
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        verification = PhoneVerification.objects.create(
            user=user, phone=e164, phone_index=pii.blind_index(e164),
            code_hash=_code_hash(verification_user_id=user.pk, code=code),
            expires_at=now + timedelta(minutes=settings.PHONE_CODE_TTL_MINUTES),
        )
        if user.phone_index != verification.phone_index or user.phone_verified:
            _user_set_phone(user=user, e164=e164, verified=False)
        message_enqueue(
            channel="sms", to=e164, key=f"phone-verification:{verification.pk}",
            body=_("[Ansim] Your verification code is %(code)s. It expires in %(minutes)s minutes.")
            % {"code": code, "minutes": settings.PHONE_CODE_TTL_MINUTES},
        )
    return verification


def phone_verification_confirm(*, user: User, code: str) -> User:
    """Check the latest code; a right one marks the phone verified, wrong ones count attempts."""
    code = (code or "").strip()
    with transaction.atomic():
        verification = (
            PhoneVerification.objects.select_for_update()
            .filter(user=user, verified_at__isnull=True).order_by("-created_at").first()
        )
        if verification is None or verification.expires_at < timezone.now():
            raise AccountError(_("The code has expired. Ask for a new one."), code="code_expired")
        if verification.attempts >= settings.PHONE_CODE_MAX_ATTEMPTS:
            raise AccountError(_("Too many wrong codes. Ask for a new one."), code="too_many_attempts")
        expected = _code_hash(verification_user_id=user.pk, code=code)
        if not hmac.compare_digest(expected, verification.code_hash):
            verification.attempts += 1
            verification.save(update_fields=["attempts"])
            # Raised after the block so the attempt count commits: it is what limits guessing.
            wrong = AccountError(_("That code is not right."), code="wrong_code",
                                 fields={"code": [_("That code is not right.")]})
        else:
            wrong = None
            verification.verified_at = timezone.now()
            verification.save(update_fields=["verified_at"])
            try:
                with transaction.atomic():
                    _user_set_phone(user=user, e164=verification.phone, verified=True)
            except IntegrityError as exc:
                raise AccountConflict(_("This number is already verified on another account."),
                                   code="phone_taken") from exc
    if wrong:
        raise wrong
    return user


def phone_codes_purge(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete spent and expired codes; safe to run any number of times."""
    deleted, _counts = PhoneVerification.objects.filter(
        expires_at__lt=timezone.now() - older_than
    ).delete()
    return deleted
