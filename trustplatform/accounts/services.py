import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from trustplatform import pii
from trustplatform.errors import Conflict, DomainError
from trustplatform.notifications.services import message_enqueue

from .models import PhoneVerification, User


class AccountError(DomainError):
    pass


class AccountConflict(AccountError, Conflict):
    """An AccountError that is refused by the current state of things (409)."""


def phone_parse(*, raw: str) -> str:
    """E.164 form of a Korean mobile number, or AccountError(code=invalid_phone) with the reason."""
    try:
        return pii.normalize_phone(raw)
    except pii.InvalidPhoneNumber as exc:
        raise AccountError(str(exc), code="invalid_phone", fields={"phone": [str(exc)]}) from exc


def user_signup(*, email: str, password: str, full_name: str, phone: str = "") -> User:
    """Create a consumer account; a given phone number is stored encrypted and still unverified."""
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise AccountError(_("An account with this email already exists."), code="email_taken",
                           fields={"email": [_("An account with this email already exists.")]})
    e164 = phone_parse(raw=phone) if phone else ""
    with transaction.atomic():
        user = User.objects.create_user(email, password, full_name=full_name, language=_language_now())
        if e164:
            _user_set_phone(user=user, e164=e164, verified=False)
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


def phone_verification_start(*, user: User, phone: str) -> PhoneVerification:
    """Text a six-digit code to `phone`; refuses past PHONE_CODE_SENDS_PER_HOUR sends an hour."""
    e164 = phone_parse(raw=phone)
    now = timezone.now()
    recent = PhoneVerification.objects.filter(user=user, created_at__gte=now - timedelta(hours=1))
    if recent.count() >= settings.PHONE_CODE_SENDS_PER_HOUR:
        raise AccountError(_("Too many codes were sent. Try again in an hour."),
                           code="too_many_codes", status=429)
    taken = User.objects.filter(phone_index=pii.blind_index(e164), phone_verified_at__isnull=False)
    if taken.exclude(pk=user.pk).exists():
        raise AccountConflict(_("This number is already verified on another account."),
                           code="phone_taken", fields={"phone": [_("Already in use.")]})
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
