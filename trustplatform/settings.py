"""Ansim settings: one module, every deploy-varying value from the environment.

The defaults give the embedded setup (SQLite, a file-system Celery transport, a file cache) so
`make run` works on a bare machine; production sets DATABASE_URL, CELERY_BROKER_URL and REDIS_URL.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """Read an integer setting and fail loudly on nonsense instead of running misconfigured."""
    raw = env.str(name, default=str(default))
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from exc
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = env.str(name, default=str(default)).strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}")


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on-0123456789"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The public base URL, used in links sent by text or email and to check provider signatures.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_fsm",
    "django_celery_beat",
    "axes",
    "trustplatform.accounts",
    "trustplatform.partners",
    "trustplatform.audit",
    "trustplatform.notifications",
    "masking",
    "escrow",
    "bookings",
    "listings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "trustplatform.audit.middleware.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees the outcome of every login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "trustplatform.urls"
WSGI_APPLICATION = "trustplatform.wsgi.application"
ASGI_APPLICATION = "trustplatform.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "trustplatform.partners.context_processors.acting_partner",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ansim.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded setup runs web, worker and beat on one file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, lockout counters) --------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="ansim"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out login before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The login form and authenticate() both name the email "username".
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_CALLABLE = "trustplatform.accounts.lockout.lockout_response"
AXES_VERBOSE = False
# Behind a proxy the client address comes from X-Forwarded-For (set USE_X_FORWARDED=true).
AXES_IPWARE_PROXY_COUNT = 1 if env_bool("USE_X_FORWARDED", False) else None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if env_bool("USE_X_FORWARDED", False) else ["REMOTE_ADDR"]
)

PHONE_CODE_TTL_MINUTES = env_int("PHONE_CODE_TTL_MINUTES", 10, minimum=1)
PHONE_CODE_MAX_ATTEMPTS = env_int("PHONE_CODE_MAX_ATTEMPTS", 5, minimum=1)
PHONE_CODE_SENDS_PER_HOUR = env_int("PHONE_CODE_SENDS_PER_HOUR", 5, minimum=1)

# --- Personal data --------------------------------------------------------------------------
_DEV_PII_KEY = "YW5zaW0tZGV2ZWxvcG1lbnQtb25seS1waWkta2V5ISE="  # DEBUG only
PII_ENCRYPTION_KEYS = env.list("PII_ENCRYPTION_KEYS", default=[_DEV_PII_KEY] if DEBUG else [])
PII_HASH_KEY = env.str("PII_HASH_KEY", default="dev-only-blind-index-key" if DEBUG else "")
if not PII_ENCRYPTION_KEYS or not PII_HASH_KEY:
    raise ImproperlyConfigured("PII_ENCRYPTION_KEYS and PII_HASH_KEY must be set when DEBUG is off")
if not DEBUG and (_DEV_PII_KEY in PII_ENCRYPTION_KEYS or PII_HASH_KEY == "dev-only-blind-index-key"):
    raise ImproperlyConfigured("the development PII keys must not be used with DEBUG off")

# --- Messaging ------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Ansim <no-reply@ansim.example>")
SMS_BACKEND = env.str("SMS_BACKEND", default="trustplatform.notifications.sms.ConsoleSmsBackend")
SMS_SENDER = env.str("SMS_SENDER", default="+8215880000")

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
WHITENOISE_USE_FINDERS = DEBUG or not env_bool("STATIC_MANIFEST", not DEBUG)

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    # TLS ends at the proxy in front of gunicorn, which says so in X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "trustplatform.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["trustplatform.api.throttling.CallerRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANON_RATE", default="120/minute"),
        "user": env.str("API_USER_RATE", default="1200/minute"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ansim API",
    "DESCRIPTION": "Trust services for online-to-offline marketplaces: masked numbers, "
    "guaranteed bookings, escrowed deposits and verified listings.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "broker" / "queue"),
        "data_folder_out": str(VAR_DIR / "broker" / "queue"),
        "processed_folder": str(VAR_DIR / "broker" / "processed"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem://")
    else {}
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True  # a task is acknowledged only after it ran: a lost worker's task runs again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 180, minimum=1)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Tasks retry only transient failures, and only this many times.
CELERY_TASK_MAX_RETRIES = env_int("CELERY_TASK_MAX_RETRIES", 5)
CELERY_BEAT_SCHEDULE = {
    "accounts-purge-phone-codes": {
        "task": "trustplatform.accounts.tasks.phone_codes_purge",
        "schedule": crontab(minute=17),
    },
    "notifications-requeue-stale": {
        "task": "trustplatform.notifications.tasks.messages_requeue_stale",
        "schedule": crontab(minute="*/5"),
    },
    "escrow-reconcile-nightly": {
        "task": "escrow.tasks.ledger_reconcile_nightly",
        "schedule": crontab(hour=3, minute=30),
    },
    "escrow-fold-queued-credits": {
        "task": "escrow.tasks.ledger_credits_fold",
        "schedule": crontab(minute="*"),
    },
    "notifications-purge-old": {
        "task": "trustplatform.notifications.tasks.notifications_purge",
        "schedule": crontab(hour=4, minute=5),
    },
    "masking-sessions-expire": {
        "task": "masking.tasks.sessions_expire",
        "schedule": crontab(minute="*"),
    },
    "masking-sessions-scrub": {
        "task": "masking.tasks.sessions_scrub",
        "schedule": crontab(minute="*/10"),
    },
    "masking-pool-check": {
        "task": "masking.tasks.pool_check",
        "schedule": crontab(minute="*/15"),
    },
}
if CELERY_TASK_SOFT_TIME_LIMIT >= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_TASK_SOFT_TIME_LIMIT must be below CELERY_TASK_TIME_LIMIT")

NOTIFICATION_RETENTION_DAYS = env_int("NOTIFICATION_RETENTION_DAYS", 365, minimum=1)

# --- Escrow ---------------------------------------------------------------------------------
def env_percent_bps(name: str, default: str) -> int:
    """A percentage such as "1.5" as whole basis points (150), so fee maths stays in integers."""
    from decimal import Decimal, InvalidOperation

    raw = env.str(name, default=default)
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise ImproperlyConfigured(f"{name} must be a percentage such as 1.5, got {raw!r}") from exc
    if not Decimal(0) <= value <= Decimal(100) or (value * 100) % 1:
        raise ImproperlyConfigured(f"{name} must be between 0 and 100 with at most two decimals")
    return int(value * 100)


ESCROW_FEE_BPS = env_percent_bps("ESCROW_FEE_PERCENT", "1.0")
ESCROW_FUND_WITHIN_DAYS = env_int("ESCROW_FUND_WITHIN_DAYS", 7, minimum=1)
ESCROW_INSPECTION_WINDOW_DAYS = env_int("ESCROW_INSPECTION_WINDOW_DAYS", 14, minimum=1)
ESCROW_WARRANTY_DAYS = env_int("ESCROW_WARRANTY_DAYS", 365, minimum=1)
ESCROW_FOUR_EYES_THRESHOLD_KRW = env_int("ESCROW_FOUR_EYES_THRESHOLD_KRW", 5_000_000)
ESCROW_GUARANTEE_CAP_KRW = env_int("ESCROW_GUARANTEE_CAP_KRW", 30_000_000)
PAYMENTS_PROVIDER = env.str("PAYMENTS_PROVIDER", default="sandbox")
PAYMENTS_PROVIDERS = {"sandbox": "escrow.providers.payments.SandboxProvider"}
if PAYMENTS_PROVIDER not in PAYMENTS_PROVIDERS:
    raise ImproperlyConfigured(f"PAYMENTS_PROVIDER must be one of {sorted(PAYMENTS_PROVIDERS)}")
PAYMENTS_WEBHOOK_SECRET = env.str("PAYMENTS_WEBHOOK_SECRET",
                                  default="sandbox-webhook-secret" if DEBUG else "")
if not PAYMENTS_WEBHOOK_SECRET:
    raise ImproperlyConfigured("PAYMENTS_WEBHOOK_SECRET must be set when DEBUG is off")
PAYMENTS_WEBHOOK_TOLERANCE_SECONDS = env_int("PAYMENTS_WEBHOOK_TOLERANCE_SECONDS", 300, minimum=1)
REGISTRY_PROVIDER = env.str("REGISTRY_PROVIDER", default="escrow.providers.registry.SandboxRegistry")
ESCROW_EVIDENCE_MAX_BYTES = env_int("ESCROW_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
CELERY_BEAT_SCHEDULE.update({
    "escrow-evaluate-conditions": {"task": "escrow.tasks.conditions_sweep",
                                   "schedule": crontab(minute="*/10")},
    "escrow-milestones-sweep": {"task": "escrow.tasks.milestones_sweep", "schedule": crontab(minute=7)},
    "escrow-idempotency-purge": {"task": "escrow.tasks.idempotent_requests_purge",
                                 "schedule": crontab(hour=4, minute=45)},
    "escrow-expire-unfunded": {"task": "escrow.tasks.agreements_expire_sweep",
                               "schedule": crontab(minute=37)},
})

# --- Masking --------------------------------------------------------------------------------
import hashlib  # noqa: E402  (kept inside this block so the masking settings stay in one place)

# Telephony for safe numbers: "sandbox" (no network; the phone simulator page) or "twilio".
MASKING_PROVIDER = env.str("MASKING_PROVIDER", default="sandbox")
if MASKING_PROVIDER not in {"sandbox", "twilio"}:
    raise ImproperlyConfigured(f"MASKING_PROVIDER must be sandbox or twilio, got {MASKING_PROVIDER!r}")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
if MASKING_PROVIDER == "twilio" and not (TWILIO_ACCOUNT_SID.startswith("AC") and TWILIO_AUTH_TOKEN):
    raise ImproperlyConfigured(
        "MASKING_PROVIDER=twilio needs TWILIO_ACCOUNT_SID (AC...) and TWILIO_AUTH_TOKEN")
# The sandbox signs its webhooks like Twilio, with this token (derived from SECRET_KEY by default).
MASKING_SANDBOX_AUTH_TOKEN = env.str("MASKING_SANDBOX_AUTH_TOKEN", default="") or hashlib.sha256(
    f"masking-sandbox:{SECRET_KEY}".encode()).hexdigest()[:32]
# Status texts go straight to the consumer's real number from this sender.
MASKING_STATUS_SENDER = env.str("MASKING_STATUS_SENDER", default=SMS_SENDER)
MASKING_COOLOFF_MINUTES = env_int("MASKING_COOLOFF_MINUTES", 60)
MASKING_SCRUB_HOURS = env_int("MASKING_SCRUB_HOURS", 24, minimum=1)
if MASKING_SCRUB_HOURS * 60 < MASKING_COOLOFF_MINUTES:
    # Erasing a number still in its cool-off would let the rule's constraint forget it.
    raise ImproperlyConfigured("MASKING_SCRUB_HOURS must not end before MASKING_COOLOFF_MINUTES")
MASKING_MAX_SESSION_DAYS = env_int("MASKING_MAX_SESSION_DAYS", 30, minimum=1)
MASKING_CALLS_PER_SESSION_HOUR = env_int("MASKING_CALLS_PER_SESSION_HOUR", 20, minimum=1)
MASKING_TEXTS_PER_SESSION_HOUR = env_int("MASKING_TEXTS_PER_SESSION_HOUR", 40, minimum=1)
MASKING_CALLS_PER_CALLER_HOUR = env_int("MASKING_CALLS_PER_CALLER_HOUR", 30, minimum=1)
MASKING_TEXTS_PER_CALLER_HOUR = env_int("MASKING_TEXTS_PER_CALLER_HOUR", 60, minimum=1)
MASKING_POOL_ALERT_PERCENT = env_int("MASKING_POOL_ALERT_PERCENT", 80, minimum=1)
if MASKING_POOL_ALERT_PERCENT > 100:
    raise ImproperlyConfigured("MASKING_POOL_ALERT_PERCENT must be at most 100")
# A provider's retry of one event within this window gets the first answer; later, 403 (a replay).
MASKING_WEBHOOK_REPLAY_SECONDS = env_int("MASKING_WEBHOOK_REPLAY_SECONDS", 600, minimum=1)

# --- Bookings -------------------------------------------------------------------------------

# --- Listings -------------------------------------------------------------------------------

# --- Logging --------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"axes": {"level": "WARNING"}},
}
