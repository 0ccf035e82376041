from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trustplatform.fields import EncryptedTextField


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        # People type their email in any case; accounts are unique case-insensitively.
        return self.get(email__iexact=username)

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("an email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: consumer, partner member or staff. Logs in with an email address.

    The phone number is encrypted at rest; `phone_index` finds it, `phone_hint` shows it masked.
    """

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("name"), max_length=100)
    phone = EncryptedTextField(_("mobile number"), blank=True)
    phone_index = models.CharField(max_length=64, blank=True, editable=False)
    phone_hint = models.CharField(_("mobile number"), max_length=20, blank=True, editable=False)
    phone_verified_at = models.DateTimeField(_("mobile number verified at"), null=True, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # db_default too: rows written without it (older code during a deploy, raw SQL) still get one.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE,
        db_default=settings.LANGUAGE_CODE,
        help_text=_("Notices and texts to this person are written in it: the language they last chose."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # One verified account per mobile number.
            models.UniqueConstraint(
                fields=["phone_index"],
                condition=Q(phone_verified_at__isnull=False) & ~Q(phone_index=""),
                name="accounts_user_verified_phone_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def phone_verified(self) -> bool:
        return self.phone_verified_at is not None


class PhoneVerification(models.Model):
    """A one-time code sent by text to prove a user holds a mobile number."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="phone_verifications")
    phone = EncryptedTextField()
    phone_index = models.CharField(max_length=64)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(attempts__lte=100), name="accounts_phonever_attempts_sane"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class TokenSecondFactor(models.Model):
    """An API token issued with a code from its holder's authenticator app. Staff who move money reach
    the API with a token only while it has one, younger than a signed-in session may live
    (accounts/tokens.py); a token issued with a password alone has none."""

    token = models.OneToOneField(
        "authtoken.Token", on_delete=models.CASCADE, primary_key=True, related_name="second_factor"
    )
    # Deleting the authenticator (a lost phone) ends every token issued with its codes.
    device = models.ForeignKey("otp_totp.TOTPDevice", on_delete=models.CASCADE, related_name="+")
    verified_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.device.user} {self.verified_at:%Y-%m-%d %H:%M}"
