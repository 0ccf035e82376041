"""Ansim settings: one module, every deploy-varying value from the environment.

The defaults give the embedded setup (SQLite, a file-system Celery transport, a file cache) so
`make run` works on a bare machine; production sets DATABASE_URL, CELERY_BROKER_URL and REDIS_URL.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

# Run-time files of the embedded setup (SQLite file, broker folders, cache, media, static).
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var"))).resolve()


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
# Without SITE_URL the site is where `make run` serves it, so PORT=8802 also moves the sandbox's
# webhooks (they are posted to SITE_URL) to that port.
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{env_int('PORT', 8000, minimum=1)}").rstrip("/")

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
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "trustplatform.accounts",
    "trustplatform.partners",
    "trustplatform.audit",
    "trustplatform.notifications",
    "trustplatform.api",
    "trustplatform.registries",
    "trustplatform.ledger",
    "trustplatform.payments",
    "trustplatform.regions",
    "trustplatform.support",
    "trustplatform.ui",
    "masking",
    "escrow",
    "bookings",
    "listings",
]

MIDDLEWARE = [
    # First: /api/v1/ requests take a shorter chain of the ones below (trustplatform/api/fastpath.py).
    "trustplatform.api.fastpath.ApiChainMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Inside the locale, around the rest: any /api/v1/ error left as HTML becomes the API's JSON.
    "trustplatform.api.middleware.ApiErrorShapeMiddleware",
    # A statement, lock or Redis timeout answers 503 "try again", not 500 (trustplatform/overload.py).
    "trustplatform.overload.BusyDependencyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Reads of a person who just wrote stay on the primary (only with a replica configured).
    "trustplatform.dbrouter.ReplicaPinMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Staff who move money pass a second factor before anything beyond signing in (second_factor.py).
    "trustplatform.accounts.second_factor.StaffSecondFactorMiddleware",
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
                "trustplatform.payments.context_processors.test_environment",
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
# A streaming replica for read-mostly pages (trustplatform/dbrouter.py); none: all on the primary.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = environ.Env.db_url_config(DATABASE_REPLICA_URL)
    engine = DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine or DATABASES["replica"]["ENGINE"] != engine:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must be a PostgreSQL replica of DATABASE_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    # A replica that does not answer is skipped for the primary, not waited for.
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    # Test runs never create or flush a database there: under test it is the primary's.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# Django's PostgreSQL backend whose health check reads the connection's state instead of sending a
# `SELECT 1` before each request (trustplatform/postgres/base.py).
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database["ENGINE"] = "trustplatform.postgres"
# A web process gives up on a statement, a lock or an idle transaction instead of holding its worker while
# requests queue behind it (the answer is a 503 `busy`: trustplatform/overload.py). trustplatform/wsgi.py
# marks web processes; Celery, beat and manage.py commands do long work and keep PostgreSQL's defaults.
WEB_PROCESS = os.environ.get("ANSIM_PROCESS") == "web"
DATABASE_CONNECT_TIMEOUT_S = env_int("DATABASE_CONNECT_TIMEOUT_S", 3, minimum=1)
DATABASE_STATEMENT_TIMEOUT_MS = env_int("DATABASE_STATEMENT_TIMEOUT_MS", 5000)
DATABASE_LOCK_TIMEOUT_MS = env_int("DATABASE_LOCK_TIMEOUT_MS", 3000)
DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS = env_int("DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS", 30000)
for _database in DATABASES.values():
    if _database["ENGINE"] == "trustplatform.postgres":
        _options = _database.setdefault("OPTIONS", {})
        _options.setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT_S)
        if WEB_PROCESS:
            _options["options"] = " ".join(filter(None, [
                _options.get("options", ""),
                f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}",
                f"-c lock_timeout={DATABASE_LOCK_TIMEOUT_MS}",
                f"-c idle_in_transaction_session_timeout={DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS}",
            ]))
DATABASE_ROUTERS = ["trustplatform.dbrouter.ReplicaRouter"]
# After a write a person's reads stay on the primary this long (read-your-writes), so it must
# cover the most lag the replica is allowed before reads leave it.
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 5)
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 30, minimum=1)
if REPLICA_PIN_SECONDS <= REPLICA_MAX_LAG_SECONDS:
    raise ImproperlyConfigured("REPLICA_PIN_SECONDS must be longer than REPLICA_MAX_LAG_SECONDS")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, lockout counters) --------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
REDIS_TIMEOUT_S = env.float("REDIS_TIMEOUT_S", default=0.5)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="ansim"),
            # A Redis that does not answer fails the command in this time instead of holding the worker
            # (rate limits, lockouts, the masking counters all use this client).
            "OPTIONS": {"socket_timeout": REDIS_TIMEOUT_S, "socket_connect_timeout": REDIS_TIMEOUT_S},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Overload (trustplatform/overload.py) ---------------------------------------------------------
# How long a request may wait for a worker before it is answered 503 at once, by class (0: never shed).
# Telephony and the API answer machines that have a fallback or retry; a failure must come fast (100 ms
# is the goal). A queued request is looked at only when a worker is free, which under overload can be a
# whole request's time after its budget ran out (a booking took 60 ms with half the CPU gone), so their
# budgets are well under the goal.
OVERLOAD_BUDGETS_MS = {
    "telephony": env_int("OVERLOAD_TELEPHONY_BUDGET_MS", 30),
    "api": env_int("OVERLOAD_API_BUDGET_MS", 30),
    "hooks": env_int("OVERLOAD_HOOKS_BUDGET_MS", 1000),
    "pages": env_int("OVERLOAD_PAGES_BUDGET_MS", 2000),
}
# Only behind a front proxy that sets X-Request-Start itself (nginx: `t=${msec}`) and strips the client's.
OVERLOAD_TRUST_REQUEST_START = env.bool("OVERLOAD_TRUST_REQUEST_START", default=False)

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

# How many proxies stand in front of the site, each appending to X-Forwarded-For. 0 (the default)
# trusts no header: the client address is REMOTE_ADDR. A wrong count lets clients pick their address
# (too high) or counts everyone as the proxy (too low). USE_X_FORWARDED=true is the older way to say 1.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if env_bool("USE_X_FORWARDED", False) else 0)

# Failed logins lock the account (LOGIN_FAILURE_LIMIT, from any address) and the address
# (LOGIN_FAILURE_LIMIT_PER_ADDRESS, over any accounts: password spraying; higher, as offices and
# mobile carriers put many people behind one address). See trustplatform/accounts/lockout.py.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env_int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", 30, minimum=1)
if LOGIN_FAILURE_LIMIT_PER_ADDRESS < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT_PER_ADDRESS must not be below LOGIN_FAILURE_LIMIT")
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "trustplatform.accounts.lockout.LockoutHandler"
AXES_RESET_ON_SUCCESS = True
# The login form and authenticate() both name the email "username"; counted as typed, in any case.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "trustplatform.accounts.lockout.login_username"
AXES_CLIENT_IP_CALLABLE = "trustplatform.api.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "trustplatform.accounts.lockout.lockout_response"
AXES_VERBOSE = False

PHONE_CODE_TTL_MINUTES = env_int("PHONE_CODE_TTL_MINUTES", 10, minimum=1)
PHONE_CODE_MAX_ATTEMPTS = env_int("PHONE_CODE_MAX_ATTEMPTS", 5, minimum=1)
# Verification texts cost money per text: limits per account, per number, per address and in all.
PHONE_CODE_SENDS_PER_HOUR = env_int("PHONE_CODE_SENDS_PER_HOUR", 5, minimum=1)
PHONE_CODE_SENDS_PER_NUMBER_HOUR = env_int("PHONE_CODE_SENDS_PER_NUMBER_HOUR", 3, minimum=1)
PHONE_CODE_SENDS_PER_ADDRESS_HOUR = env_int("PHONE_CODE_SENDS_PER_ADDRESS_HOUR", 10, minimum=1)
PHONE_CODE_SENDS_GLOBAL_HOUR = env_int("PHONE_CODE_SENDS_GLOBAL_HOUR", 1000, minimum=1)
# Sign-up (an emailed link first) and password reset, per address and per mailbox an hour.
SIGNUP_LINK_HOURS = env_int("SIGNUP_LINK_HOURS", 24, minimum=1)
SIGNUPS_PER_ADDRESS_HOUR = env_int("SIGNUPS_PER_ADDRESS_HOUR", 10, minimum=1)
SIGNUPS_PER_EMAIL_HOUR = env_int("SIGNUPS_PER_EMAIL_HOUR", 3, minimum=1)
PASSWORD_RESETS_PER_ADDRESS_HOUR = env_int("PASSWORD_RESETS_PER_ADDRESS_HOUR", 10, minimum=1)
PASSWORD_RESETS_PER_EMAIL_HOUR = env_int("PASSWORD_RESETS_PER_EMAIL_HOUR", 3, minimum=1)

# Staff who hold any of these permissions (and superusers, and the finance group) move money: the
# admin asks them for a TOTP code after the password (trustplatform/accounts/second_factor.py).
STAFF_SECOND_FACTOR_GROUPS = ["finance"]
STAFF_SECOND_FACTOR_PERMISSIONS = [
    "escrow.change_escrowagreement", "escrow.review_document", "escrow.decide_dispute",
    "escrow.approve_dispute", "escrow.decide_claim", "escrow.approve_claim", "bookings.work_case",
    "listings.pay_wasted_trip",
    "ledger.request_fundtopup", "ledger.approve_fundtopup", "ledger.fund_operating_account",
]
OTP_TOTP_ISSUER = "Ansim"

# --- Personal data --------------------------------------------------------------------------
_DEV_PII_KEY = "YW5zaW0tZGV2ZWxvcG1lbnQtb25seS1waWkta2V5ISE="  # DEBUG only
PII_ENCRYPTION_KEYS = env.list("PII_ENCRYPTION_KEYS", default=[_DEV_PII_KEY] if DEBUG else [])
PII_HASH_KEY = env.str("PII_HASH_KEY", default="dev-only-blind-index-key" if DEBUG else "")
if not PII_ENCRYPTION_KEYS or not PII_HASH_KEY:
    raise ImproperlyConfigured("PII_ENCRYPTION_KEYS and PII_HASH_KEY must be set when DEBUG is off")
if not DEBUG and (_DEV_PII_KEY in PII_ENCRYPTION_KEYS or PII_HASH_KEY == "dev-only-blind-index-key"):
    raise ImproperlyConfigured("the development PII keys must not be used with DEBUG off")

# --- Messaging ------------------------------------------------------------------------------
# Providers that send nothing (the telephony sandbox, texts and mails printed to the console or kept in
# memory) run with DEBUG off only on a test server that says so; a server that runs the payment sandbox
# (PAYMENTS_SANDBOX_ALLOWED) is one. Everywhere else each provider is named, and a real one.
SANDBOX_ALLOWED = env_bool("SANDBOX_ALLOWED", env_bool("PAYMENTS_SANDBOX_ALLOWED", DEBUG))
_CONSOLE_EMAIL = "django.core.mail.backends.console.EmailBackend"
_CONSOLE_SMS = "trustplatform.notifications.sms.ConsoleSmsBackend"
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=_CONSOLE_EMAIL if SANDBOX_ALLOWED else "")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Ansim <no-reply@ansim.example>")
SMS_BACKEND = env.str("SMS_BACKEND", default=_CONSOLE_SMS if SANDBOX_ALLOWED else "")
SMS_SENDER = env.str("SMS_SENDER", default="+8215880000")
_SENDS_NOTHING = {
    "EMAIL_BACKEND": {_CONSOLE_EMAIL, *(f"django.core.mail.backends.{name}.EmailBackend"
                                       for name in ("locmem", "filebased", "dummy"))},
    "SMS_BACKEND": {_CONSOLE_SMS, "trustplatform.notifications.sms.LocmemSmsBackend"},
}
for _name, _sandboxes in _SENDS_NOTHING.items():
    if not globals()[_name]:
        raise ImproperlyConfigured(f"{_name} must be named when DEBUG is off (SANDBOX_ALLOWED=true on a "
                                   "test server prints messages instead)")
    if globals()[_name] in _sandboxes and not SANDBOX_ALLOWED:
        raise ImproperlyConfigured(f"{_name}={globals()[_name]} sends nothing: with DEBUG off name a real "
                                   "backend, or set SANDBOX_ALLOWED=true on a test server")

# --- Korean texts through SOLAPI --------------------------------------------------------------
# SMS_BACKEND=trustplatform.notifications.solapi.SolapiSmsBackend sends SMS/LMS, and 알림톡 with SMS
# fallback for the notice kinds given a template (kind=template id,...; the kinds allowed are
# notifications.solapi.ALIMTALK_NOTICES). SOLAPI signs nothing it posts back: its delivery reports are
# taken only at /hooks/messages/solapi/<SOLAPI_WEBHOOK_TOKEN>/, and from SOLAPI_WEBHOOK_SOURCES if set.
_SOLAPI_SMS = "trustplatform.notifications.solapi.SolapiSmsBackend"
SOLAPI_API_KEY = env.str("SOLAPI_API_KEY", default="")
SOLAPI_API_SECRET = env.str("SOLAPI_API_SECRET", default="")
SOLAPI_SENDER = env.str("SOLAPI_SENDER", default="").replace("-", "")  # registered with SOLAPI: 0215880000
SOLAPI_KAKAO_PFID = env.str("SOLAPI_KAKAO_PFID", default="")
SOLAPI_KAKAO_TEMPLATES = env.dict("SOLAPI_KAKAO_TEMPLATES", default={})
SOLAPI_BASE_URL = env.str("SOLAPI_BASE_URL", default="https://api.solapi.com").rstrip("/")
SOLAPI_WEBHOOK_TOKEN = env.str("SOLAPI_WEBHOOK_TOKEN", default="")
SOLAPI_WEBHOOK_SOURCES = env.list("SOLAPI_WEBHOOK_SOURCES", default=[])  # addresses or networks (checks.py)
# A text the carrier could not hand over for a passing reason (phone off, busy, no signal) is sent again
# this many times, 1 then 2, 4… minutes later.
SOLAPI_REDELIVERIES = env_int("SOLAPI_REDELIVERIES", 2)
if SMS_BACKEND == _SOLAPI_SMS:
    for _name in ("SOLAPI_API_KEY", "SOLAPI_API_SECRET", "SOLAPI_SENDER", "SOLAPI_WEBHOOK_TOKEN"):
        if not globals()[_name]:
            raise ImproperlyConfigured(f"{_name} must be set when SMS_BACKEND is SOLAPI's")
    if not SOLAPI_SENDER.isdigit():
        raise ImproperlyConfigured(f"SOLAPI_SENDER must be a Korean number in digits, got {SOLAPI_SENDER!r}")
    if SOLAPI_KAKAO_TEMPLATES and not SOLAPI_KAKAO_PFID:
        raise ImproperlyConfigured("SOLAPI_KAKAO_TEMPLATES needs SOLAPI_KAKAO_PFID (the Kakao channel's id)")
    if len(SOLAPI_WEBHOOK_TOKEN) < 24:
        raise ImproperlyConfigured("SOLAPI_WEBHOOK_TOKEN must be a random string of 24 characters or more")
if not SOLAPI_BASE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(f"SOLAPI_BASE_URL must be an http(s) URL, got {SOLAPI_BASE_URL!r}")

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
    # Evidence and inspection photos: no URL; only views scoped to who may see a file answer it.
    "private": {"BACKEND": "trustplatform.files.PrivateStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))).resolve()
for _public_root in (MEDIA_ROOT, STATIC_ROOT):
    if PRIVATE_MEDIA_ROOT.is_relative_to(_public_root) or _public_root.is_relative_to(PRIVATE_MEDIA_ROOT):
        raise ImproperlyConfigured(f"PRIVATE_MEDIA_ROOT must not overlap {_public_root}, which is public")
# On many machines no upload stays on a machine's disk: with both buckets named, uploads go to
# S3-compatible object storage. Public photos go to STORAGE_S3_PUBLIC_BUCKET (anyone may read it, by a
# bucket policy or through the CDN at STORAGE_S3_PUBLIC_DOMAIN); private files to
# STORAGE_S3_PRIVATE_BUCKET, which nobody reads but through a scoped view's signed link that lives
# STORAGE_PRIVATE_URL_SECONDS (trustplatform/object_storage.py). Keys: STORAGE_S3_ACCESS_KEY_ID and
# STORAGE_S3_SECRET_ACCESS_KEY, or, both unset, boto3's own chain (an instance role).
STORAGE_S3_PUBLIC_BUCKET = env.str("STORAGE_S3_PUBLIC_BUCKET", default="")
STORAGE_S3_PRIVATE_BUCKET = env.str("STORAGE_S3_PRIVATE_BUCKET", default="")
STORAGE_S3 = bool(STORAGE_S3_PUBLIC_BUCKET or STORAGE_S3_PRIVATE_BUCKET)
STORAGE_S3_ENDPOINT_URL = env.str("STORAGE_S3_ENDPOINT_URL", default="").rstrip("/")
STORAGE_S3_REGION = env.str("STORAGE_S3_REGION", default="")
STORAGE_S3_ACCESS_KEY_ID = env.str("STORAGE_S3_ACCESS_KEY_ID", default="")
STORAGE_S3_SECRET_ACCESS_KEY = env.str("STORAGE_S3_SECRET_ACCESS_KEY", default="")
STORAGE_S3_ADDRESSING_STYLE = env.str("STORAGE_S3_ADDRESSING_STYLE", default="path")
STORAGE_S3_PUBLIC_DOMAIN = env.str("STORAGE_S3_PUBLIC_DOMAIN", default="").strip("/")
STORAGE_PRIVATE_URL_SECONDS = env_int("STORAGE_PRIVATE_URL_SECONDS", 60, minimum=1)
# Where the pages' public photos come from, for the Content-Security-Policy (empty: this site).
STORAGE_PUBLIC_ORIGIN = ""
if STORAGE_S3:
    import re
    from urllib.parse import urlsplit as _urlsplit

    _BUCKET_NAME = r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"
    for _name in ("STORAGE_S3_PUBLIC_BUCKET", "STORAGE_S3_PRIVATE_BUCKET", "STORAGE_S3_ENDPOINT_URL"):
        if not globals()[_name]:
            raise ImproperlyConfigured(f"{_name} must be set too: object storage needs a public bucket, "
                                       "a private bucket and the storage's endpoint URL")
    for _name in ("STORAGE_S3_PUBLIC_BUCKET", "STORAGE_S3_PRIVATE_BUCKET"):
        if not re.fullmatch(_BUCKET_NAME, globals()[_name]) or ".." in globals()[_name]:
            raise ImproperlyConfigured(f"{_name} is no bucket name: {globals()[_name]!r}")
    if STORAGE_S3_PUBLIC_BUCKET == STORAGE_S3_PRIVATE_BUCKET:
        raise ImproperlyConfigured("STORAGE_S3_PUBLIC_BUCKET and STORAGE_S3_PRIVATE_BUCKET must differ: "
                                   "the public bucket is readable by anyone, private files never are")
    _endpoint = _urlsplit(STORAGE_S3_ENDPOINT_URL)
    if _endpoint.scheme not in ("https", "http") or not _endpoint.hostname or _endpoint.query:
        raise ImproperlyConfigured(f"STORAGE_S3_ENDPOINT_URL must be an http(s) URL, got "
                                   f"{STORAGE_S3_ENDPOINT_URL!r}")
    if bool(STORAGE_S3_ACCESS_KEY_ID) != bool(STORAGE_S3_SECRET_ACCESS_KEY):
        raise ImproperlyConfigured("STORAGE_S3_ACCESS_KEY_ID and STORAGE_S3_SECRET_ACCESS_KEY are set "
                                   "together (or neither, for boto3's own credentials)")
    if STORAGE_S3_ADDRESSING_STYLE not in ("path", "virtual"):
        raise ImproperlyConfigured(f"STORAGE_S3_ADDRESSING_STYLE must be path or virtual, got "
                                   f"{STORAGE_S3_ADDRESSING_STYLE!r}")
    if STORAGE_S3_PUBLIC_DOMAIN and not re.fullmatch(r"[A-Za-z0-9.-]+(:\d+)?(/[\w./-]*)?",
                                                     STORAGE_S3_PUBLIC_DOMAIN):
        raise ImproperlyConfigured("STORAGE_S3_PUBLIC_DOMAIN must be a host name (and path), without a "
                                   f"scheme; got {STORAGE_S3_PUBLIC_DOMAIN!r}")
    if STORAGE_PRIVATE_URL_SECONDS > 600:
        raise ImproperlyConfigured("STORAGE_PRIVATE_URL_SECONDS must be at most 600: a signed link to a "
                                   "private file is a key to it for as long as it lives")
    _s3 = {
        "endpoint_url": STORAGE_S3_ENDPOINT_URL,
        "region_name": STORAGE_S3_REGION or None,
        "addressing_style": STORAGE_S3_ADDRESSING_STYLE,
        "signature_version": "s3v4",
        **({"access_key": STORAGE_S3_ACCESS_KEY_ID, "secret_key": STORAGE_S3_SECRET_ACCESS_KEY}
           if STORAGE_S3_ACCESS_KEY_ID else {}),
    }
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3,
            "bucket_name": STORAGE_S3_PUBLIC_BUCKET,
            "querystring_auth": False,
            "custom_domain": STORAGE_S3_PUBLIC_DOMAIN or None,
            # Names are random and never reused: a photo may be cached for good.
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
    STORAGES["private"] = {
        "BACKEND": "trustplatform.object_storage.PrivateS3Storage",
        "OPTIONS": {**_s3, "bucket_name": STORAGE_S3_PRIVATE_BUCKET},
    }
    if STORAGE_S3_PUBLIC_DOMAIN:
        STORAGE_PUBLIC_ORIGIN = "https://" + STORAGE_S3_PUBLIC_DOMAIN.split("/")[0]
    elif STORAGE_S3_ADDRESSING_STYLE == "virtual":
        STORAGE_PUBLIC_ORIGIN = f"{_endpoint.scheme}://{STORAGE_S3_PUBLIC_BUCKET}.{_endpoint.netloc}"
    else:
        STORAGE_PUBLIC_ORIGIN = f"{_endpoint.scheme}://{_endpoint.netloc}"
# Uploaded images with more pixels are refused from their header, before any is decoded.
UPLOAD_IMAGE_MAX_PIXELS = env_int("UPLOAD_IMAGE_MAX_PIXELS", 40_000_000, minimum=1_000_000)
WHITENOISE_USE_FINDERS = DEBUG or not env_bool("STATIC_MANIFEST", not DEBUG)

# --- Security -------------------------------------------------------------------------------
# Content-Security-Policy (django-csp): only this site's own files run, and no inline code at all:
# templates keep scripts and styles in static files (data for a script goes in a json_script block).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
if STORAGE_PUBLIC_ORIGIN:  # public photos come from object storage
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] = ["'self'", STORAGE_PUBLIC_ORIGIN]
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
    # The token first: its `WWW-Authenticate` makes a missing or bad credential a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "trustplatform.accounts.tokens.TokenAuthentication",  # DRF's, with staff's second factor
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["trustplatform.api.parsers.JSONParser"],
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
    # Throttles count by the client address; trustplatform.api.throttling.client_ip reads it the same way.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
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
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "trustplatform.api.schema.error_answers_postprocess",
    ],
}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "broker" / "queue"),
        "data_folder_out": str(VAR_DIR / "broker" / "queue"),
        "processed_folder": str(VAR_DIR / "broker" / "processed"),
        "control_folder": str(VAR_DIR / "broker" / "control"),
        "store_processed": False,
        # The worker takes one message per queue per poll: at the default 1 s, the demo seed's
        # backlog of texts held a payment's webhook for ten seconds and more.
        "polling_interval": 0.1,
    }
    if CELERY_BROKER_URL.startswith("filesystem://")
    else {}
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Several deployments (or a throwaway copy beside a running one) can share one broker, each on its queue.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
# Payment webhooks a burst left for a worker may have a queue (and workers) of their own, so that funding
# a deposit never waits behind other work; unset, they go to the default queue.
PAYMENTS_EVENTS_QUEUE = env.str("PAYMENTS_EVENTS_QUEUE", default="")
if PAYMENTS_EVENTS_QUEUE:
    CELERY_TASK_ROUTES = {
        "trustplatform.payments.tasks.provider_event_apply_task": {"queue": PAYMENTS_EVENTS_QUEUE},
    }
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
# django-celery-beat's DatabaseScheduler behind a lock, so that of the beats on many machines exactly one
# sends (trustplatform/beat.py): the others ask every BEAT_LOCK_POLL_SECONDS and take over when it dies.
# A holder cut off from PostgreSQL stops within a third of BEAT_LOCK_TIMEOUT_SECONDS; PostgreSQL frees
# its lock only after the whole of it.
CELERY_BEAT_SCHEDULER = "trustplatform.beat:SingleBeatScheduler"
BEAT_LOCK_POLL_SECONDS = env_int("BEAT_LOCK_POLL_SECONDS", 5, minimum=1)
BEAT_LOCK_TIMEOUT_SECONDS = env_int("BEAT_LOCK_TIMEOUT_SECONDS", 30, minimum=12)
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
    # Beat entries keep their first names, so a beat database from before follows the new task paths.
    "escrow-reconcile-nightly": {
        "task": "trustplatform.ledger.tasks.ledger_reconcile_nightly",
        "schedule": crontab(hour=3, minute=30),
    },
    "escrow-fold-queued-credits": {
        "task": "trustplatform.ledger.tasks.ledger_credits_fold",
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
    "partners-business-status-monthly": {
        "task": "trustplatform.partners.tasks.business_status_sweep",
        "schedule": crontab(day_of_month=2, hour=5, minute=10),
    },
}
if CELERY_TASK_SOFT_TIME_LIMIT >= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_TASK_SOFT_TIME_LIMIT must be below CELERY_TASK_TIME_LIMIT")

NOTIFICATION_RETENTION_DAYS = env_int("NOTIFICATION_RETENTION_DAYS", 365, minimum=1)
# Messages a consumer may send the agents' team in 24 hours (new questions and replies together).
SUPPORT_MESSAGES_PER_DAY = env_int("SUPPORT_MESSAGES_PER_DAY", 10, minimum=1)

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
PAYMENTS_PROVIDERS = {
    "sandbox": "trustplatform.payments.providers.SandboxProvider",
    "portone": "trustplatform.payments.portone.PortOneProvider",
}
if PAYMENTS_PROVIDER not in PAYMENTS_PROVIDERS:
    raise ImproperlyConfigured(f"PAYMENTS_PROVIDER must be one of {sorted(PAYMENTS_PROVIDERS)}")
# The sandbox moves no real money: it is the embedded default, and with DEBUG off it runs only where
# an operator says this is a test environment (a staging server), which every page then shows.
PAYMENTS_SANDBOX_ALLOWED = env_bool("PAYMENTS_SANDBOX_ALLOWED", DEBUG)
if PAYMENTS_PROVIDER == "sandbox" and not PAYMENTS_SANDBOX_ALLOWED:
    raise ImproperlyConfigured(
        "PAYMENTS_PROVIDER=sandbox moves no real money: with DEBUG off set PAYMENTS_PROVIDER=portone, "
        "or PAYMENTS_SANDBOX_ALLOWED=true on a test server"
    )
# PortOne V2: the API secret and store of the merchant, one channel per method, the webhook secret
# ("whsec_…") from the console. PORTONE_API_URL and PORTONE_BROWSER_SDK_URL point elsewhere only in tests.
PORTONE_API_URL = env.str("PORTONE_API_URL", default="https://api.portone.io").rstrip("/")
PORTONE_API_SECRET = env.str("PORTONE_API_SECRET", default="")
PORTONE_STORE_ID = env.str("PORTONE_STORE_ID", default="")
PORTONE_CHANNEL_KEY_CARD = env.str("PORTONE_CHANNEL_KEY_CARD", default="")
PORTONE_CHANNEL_KEY_VIRTUAL_ACCOUNT = env.str("PORTONE_CHANNEL_KEY_VIRTUAL_ACCOUNT", default="")
# The identity-verification (본인인증) channel that individual landlords verify through.
PORTONE_CHANNEL_KEY_IDENTITY = env.str("PORTONE_CHANNEL_KEY_IDENTITY", default="")
PORTONE_WEBHOOK_SECRET = env.str("PORTONE_WEBHOOK_SECRET", default="")
PORTONE_BROWSER_SDK_URL = env.str("PORTONE_BROWSER_SDK_URL", default="https://cdn.portone.io/v2/browser-sdk.js")
# Besides the SDK's own origin, what PortOne's window loads, fetches and frames on the two pages that
# open it (checkout, identity check): their Content-Security-Policy allows these sources.
PORTONE_CSP_SOURCES = env.list("PORTONE_CSP_SOURCES", default=["https://*.portone.io"])
PORTONE_TIMEOUT_SECONDS = env_int("PORTONE_TIMEOUT_SECONDS", 10, minimum=1)
PORTONE_TEST_MODE = env_bool("PORTONE_TEST_MODE", False)  # PortOne's own test mode (no money moves)
# The platform contract (console → 파트너 정산) each payee registered with PortOne is settled under.
PORTONE_PLATFORM_CONTRACT_ID = env.str("PORTONE_PLATFORM_CONTRACT_ID", default="")
# How long a virtual account stays open for the deposit (the agreement's funding deadline caps it).
PORTONE_VIRTUAL_ACCOUNT_HOURS = env_int("PORTONE_VIRTUAL_ACCOUNT_HOURS", 72, minimum=1)
if PAYMENTS_PROVIDER == "portone":
    _missing = [name for name in ("PORTONE_API_SECRET", "PORTONE_STORE_ID", "PORTONE_CHANNEL_KEY_CARD",
                                  "PORTONE_CHANNEL_KEY_VIRTUAL_ACCOUNT", "PORTONE_WEBHOOK_SECRET",
                                  "PORTONE_PLATFORM_CONTRACT_ID")
                if not globals()[name]]
    if _missing:
        raise ImproperlyConfigured(f"PAYMENTS_PROVIDER=portone needs {', '.join(_missing)}")
PAYMENTS_WEBHOOK_SECRET = env.str("PAYMENTS_WEBHOOK_SECRET",
                                  default="sandbox-webhook-secret" if DEBUG else "")
if PAYMENTS_SANDBOX_ALLOWED and not PAYMENTS_WEBHOOK_SECRET:
    raise ImproperlyConfigured("PAYMENTS_WEBHOOK_SECRET (the sandbox's) must be set when DEBUG is off")
PAYMENTS_WEBHOOK_TOLERANCE_SECONDS = env_int("PAYMENTS_WEBHOOK_TOLERANCE_SECONDS", 300, minimum=1)
# A changed payout account holds payouts this long while every owner is told (payout-hijack defence).
PAYMENTS_PAYOUT_ACCOUNT_HOLD_HOURS = env_int("PAYMENTS_PAYOUT_ACCOUNT_HOLD_HOURS", 72, minimum=0)
# How many days back the nightly reconciliation asks the provider about (plus anything still open).
PAYMENTS_RECONCILE_DAYS = env_int("PAYMENTS_RECONCILE_DAYS", 3, minimum=1)
# How many provider webhooks this deployment applies while the provider waits for the answer; the rest
# of a burst is stored with what the provider said and applied by a worker a moment later (0: always).
PAYMENTS_WEBHOOK_INLINE_SLOTS = env_int("PAYMENTS_WEBHOOK_INLINE_SLOTS", 1, minimum=0)
# While webhooks arrive at this rate or faster (a burst), the worker holds the stored ones back, for at
# most PAYMENTS_EVENTS_MAX_DEFER_SECONDS, so that answering the provider keeps the database (0: never).
PAYMENTS_EVENTS_YIELD_PER_SECOND = env_int("PAYMENTS_EVENTS_YIELD_PER_SECOND", 20, minimum=0)
PAYMENTS_EVENTS_MAX_DEFER_SECONDS = env_int("PAYMENTS_EVENTS_MAX_DEFER_SECONDS", 30, minimum=0)
CELERY_BEAT_SCHEDULE["payments-events-sweep"] = {"task": "trustplatform.payments.tasks.provider_events_sweep",
                                                 "schedule": crontab(minute="*")}
CELERY_BEAT_SCHEDULE["payments-payouts-sync"] = {"task": "trustplatform.payments.tasks.payouts_sync",
                                                 "schedule": crontab(minute="*/10")}
CELERY_BEAT_SCHEDULE["payments-refunds-sync"] = {"task": "trustplatform.payments.tasks.refunds_sync",
                                                 "schedule": crontab(minute="5-59/10")}
CELERY_BEAT_SCHEDULE["payments-reconcile"] = {
    "task": "trustplatform.payments.tasks.payments_reconcile_nightly", "schedule": crontab(hour=3, minute=50)}
REGISTRY_PROVIDER = env.str("REGISTRY_PROVIDER", default="trustplatform.registries.providers.SandboxRegistry")
ESCROW_EVIDENCE_MAX_BYTES = env_int("ESCROW_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
CELERY_BEAT_SCHEDULE.update({
    "escrow-evaluate-conditions": {"task": "escrow.tasks.conditions_sweep",
                                   "schedule": crontab(minute="*/10")},
    "escrow-milestones-sweep": {"task": "escrow.tasks.milestones_sweep", "schedule": crontab(minute=7)},
    # The entry keeps its first name, so a beat database from before moves to the new task path.
    "escrow-idempotency-purge": {"task": "trustplatform.api.tasks.idempotent_requests_purge",
                                 "schedule": crontab(hour=4, minute=45)},
    "escrow-expire-unfunded": {"task": "escrow.tasks.agreements_expire_sweep",
                               "schedule": crontab(minute=37)},
})

# --- Masking --------------------------------------------------------------------------------
import hashlib  # noqa: E402  (kept inside this block so the masking settings stay in one place)

# Telephony for safe numbers: "sandbox" (no network; the phone simulator page) or "twilio". With DEBUG
# off the sandbox runs only on a test server that says so (SANDBOX_ALLOWED); otherwise name twilio.
MASKING_PROVIDER = env.str("MASKING_PROVIDER", default="sandbox" if SANDBOX_ALLOWED else "")
if not MASKING_PROVIDER:
    raise ImproperlyConfigured("MASKING_PROVIDER must be named when DEBUG is off: twilio (the sandbox only "
                               "with SANDBOX_ALLOWED=true, on a test server)")
if MASKING_PROVIDER not in {"sandbox", "twilio"}:
    raise ImproperlyConfigured(f"MASKING_PROVIDER must be sandbox or twilio, got {MASKING_PROVIDER!r}")
if MASKING_PROVIDER == "sandbox" and not SANDBOX_ALLOWED:
    raise ImproperlyConfigured("MASKING_PROVIDER=sandbox connects no call: with DEBUG off set "
                               "MASKING_PROVIDER=twilio, or SANDBOX_ALLOWED=true on a test server")
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
# A block holds both numbers' blind indexes and a hint; it lasts this long, then it is deleted.
MASKING_BLOCK_DAYS = env_int("MASKING_BLOCK_DAYS", 90, minimum=1)
# The caller's hint of a call or text that reached no session is kept this long (abuse triage).
MASKING_UNROUTED_HINT_HOURS = env_int("MASKING_UNROUTED_HINT_HOURS", 24, minimum=1)
CELERY_BEAT_SCHEDULE["masking-blocks-expire"] = {"task": "masking.tasks.blocks_expire",
                                                 "schedule": crontab(hour=4, minute=25)}
CELERY_BEAT_SCHEDULE["masking-unrouted-hints-drop"] = {"task": "masking.tasks.unrouted_hints_drop",
                                                       "schedule": crontab(minute=41)}

# --- Bookings -------------------------------------------------------------------------------
# Unpaid holds release their rooms after this many minutes.
BOOKINGS_HOLD_MINUTES = env_int("BOOKINGS_HOLD_MINUTES", 15, minimum=1)
BOOKINGS_MAX_NIGHTS = env_int("BOOKINGS_MAX_NIGHTS", 30, minimum=1)
BOOKINGS_MAX_ADVANCE_DAYS = env_int("BOOKINGS_MAX_ADVANCE_DAYS", 365, minimum=1)
# The guest <-> property safe number stays open this long after check-out.
BOOKINGS_SAFE_NUMBER_HOURS_AFTER = env_int("BOOKINGS_SAFE_NUMBER_HOURS_AFTER", 24, minimum=1)
# Search: how far from the searched place a property may be (metres).
BOOKINGS_SEARCH_RADIUS_M = env_int("BOOKINGS_SEARCH_RADIUS_M", 5000, minimum=100)
# Guarantee (upgrade-on-cancel): check-in within this many hours -> the best room is booked at once.
BOOKINGS_AUTO_REBOOK_HOURS = env_int("BOOKINGS_AUTO_REBOOK_HOURS", 3, minimum=0)
BOOKINGS_OFFERS = env_int("BOOKINGS_OFFERS", 2, minimum=1)
BOOKINGS_CITY_RADIUS_M = env_int("BOOKINGS_CITY_RADIUS_M", 1000, minimum=100)
BOOKINGS_OTHER_RADIUS_M = env_int("BOOKINGS_OTHER_RADIUS_M", 5000, minimum=100)
BOOKINGS_RATING_TOLERANCE = env.float("BOOKINGS_RATING_TOLERANCE", default=0.1)
BOOKINGS_MIN_REVIEWS = env_int("BOOKINGS_MIN_REVIEWS", 20)
BOOKINGS_CASE_BUDGET_KRW = env_int("BOOKINGS_CASE_BUDGET_KRW", 300_000)
BOOKINGS_FUND_MONTHLY_BUDGET_KRW = env_int("BOOKINGS_FUND_MONTHLY_BUDGET_KRW", 50_000_000)
# The cancelling property pays the extra cost plus this share of the original price.
BOOKINGS_PENALTY_BPS = env_percent_bps("BOOKINGS_PENALTY_PERCENT", "10")
if not 0 <= BOOKINGS_RATING_TOLERANCE <= 5:
    raise ImproperlyConfigured("BOOKINGS_RATING_TOLERANCE must be between 0 and 5")
if BOOKINGS_CITY_RADIUS_M > BOOKINGS_OTHER_RADIUS_M:
    raise ImproperlyConfigured("BOOKINGS_CITY_RADIUS_M must not exceed BOOKINGS_OTHER_RADIUS_M")
# Compensation when nothing qualifies, after the structure of Korea's consumer dispute resolution
# standard for lodging (cancellation by the business): (days before check-in at least, percent of
# the price on top of the full refund). Peak season: Jul 15 - Aug 31 and Dec 20 - Feb 10 by default.
BOOKINGS_COMPENSATION = {
    "peak": [(10, 0), (7, 10), (5, 30), (3, 50), (1, 70), (0, 90)],
    "off_peak": [(2, 0), (1, 10), (0, 20)],
}
BOOKINGS_PEAK_SEASONS = [((7, 15), (8, 31)), ((12, 20), (2, 10))]
# That compensation is the fund's money paid against a price the property set, so it is capped per case
# and per Korean calendar month; above the review amount, past the month's cap, or when the property
# would owe the fund more than its floor (beyond what its payouts here cover), an agent decides first.
BOOKINGS_COMPENSATION_MONTHLY_CAP_KRW = env_int(
    "BOOKINGS_COMPENSATION_MONTHLY_CAP_KRW", min(10_000_000, BOOKINGS_FUND_MONTHLY_BUDGET_KRW))
BOOKINGS_COMPENSATION_CASE_CAP_KRW = env_int(
    "BOOKINGS_COMPENSATION_CASE_CAP_KRW", min(1_000_000, BOOKINGS_COMPENSATION_MONTHLY_CAP_KRW))
BOOKINGS_COMPENSATION_REVIEW_KRW = env_int(
    "BOOKINGS_COMPENSATION_REVIEW_KRW", min(300_000, BOOKINGS_COMPENSATION_CASE_CAP_KRW))
BOOKINGS_PROPERTY_CHARGES_FLOOR_KRW = env_int("BOOKINGS_PROPERTY_CHARGES_FLOOR_KRW", 1_000_000)
if not (BOOKINGS_COMPENSATION_REVIEW_KRW <= BOOKINGS_COMPENSATION_CASE_CAP_KRW
        <= BOOKINGS_COMPENSATION_MONTHLY_CAP_KRW <= BOOKINGS_FUND_MONTHLY_BUDGET_KRW):
    raise ImproperlyConfigured(
        "BOOKINGS_COMPENSATION_REVIEW_KRW <= BOOKINGS_COMPENSATION_CASE_CAP_KRW <= "
        "BOOKINGS_COMPENSATION_MONTHLY_CAP_KRW <= BOOKINGS_FUND_MONTHLY_BUDGET_KRW must hold")
# Guest cancellations: (days before check-in at least, percent refunded), per property policy.
BOOKINGS_CANCELLATION_POLICIES = {
    "flexible": [(1, 100), (0, 50)],
    "moderate": [(7, 100), (3, 50), (1, 30), (0, 0)],
    "strict": [(14, 100), (7, 50), (0, 0)],
}
# Other channels' calendars (iCal): import interval, fetch limits; private addresses refused
# unless allowed (a feed URL is typed by an owner: no requests into our own network).
BOOKINGS_FEED_INTERVAL_MINUTES = env_int("BOOKINGS_FEED_INTERVAL_MINUTES", 15, minimum=1)
BOOKINGS_FEED_TIMEOUT_SECONDS = env_int("BOOKINGS_FEED_TIMEOUT_SECONDS", 10, minimum=1)
BOOKINGS_FEED_MAX_BYTES = env_int("BOOKINGS_FEED_MAX_BYTES", 2 * 1024 * 1024, minimum=1024)
BOOKINGS_FEED_ALLOW_PRIVATE = env_bool("BOOKINGS_FEED_ALLOW_PRIVATE", DEBUG)
# A collision with another channel must be resolved this many hours before check-in, else the
# booking counts as cancelled by the property and the guarantee starts.
BOOKINGS_CONFLICT_DEADLINE_HOURS = env_int("BOOKINGS_CONFLICT_DEADLINE_HOURS", 24, minimum=1)
# A property that turns the guest away never cancels online: the guest reports it from the booking
# page, or calls the guarantee line (a Korean number, shown on every confirmed booking) and an agent
# opens the case. The property has this many minutes to confirm or contest; silence confirms.
import phonenumbers  # noqa: E402  (kept inside this block so the guarantee settings stay in one place)

try:
    _line = phonenumbers.parse(env.str("BOOKINGS_GUARANTEE_LINE", default="1588-0000"), "KR")
except phonenumbers.NumberParseException:
    _line = None
if _line is None or _line.country_code != 82 or not phonenumbers.is_valid_number(_line):
    raise ImproperlyConfigured("BOOKINGS_GUARANTEE_LINE must be a Korean phone number such as 1588-0000")
BOOKINGS_GUARANTEE_LINE = phonenumbers.format_number(_line, phonenumbers.PhoneNumberFormat.E164)
BOOKINGS_GUARANTEE_RESPONSE_MINUTES = env_int("BOOKINGS_GUARANTEE_RESPONSE_MINUTES", 10, minimum=1)
# A guest reports at most this many within the window (an agent opening one after a call is not limited);
# this many of a guest's reports dismissed by agents within the abuse window flag the guest for staff.
BOOKINGS_GUARANTEE_REPORTS_PER_GUEST = env_int("BOOKINGS_GUARANTEE_REPORTS_PER_GUEST", 2, minimum=1)
BOOKINGS_GUARANTEE_REPORTS_WINDOW_DAYS = env_int("BOOKINGS_GUARANTEE_REPORTS_WINDOW_DAYS", 30, minimum=1)
BOOKINGS_GUARANTEE_ABUSE_DISMISSALS = env_int("BOOKINGS_GUARANTEE_ABUSE_DISMISSALS", 2, minimum=1)
BOOKINGS_GUARANTEE_ABUSE_WINDOW_DAYS = env_int("BOOKINGS_GUARANTEE_ABUSE_WINDOW_DAYS", 365, minimum=1)
CELERY_BEAT_SCHEDULE["bookings-guarantee-answers-due"] = {
    "task": "bookings.tasks.case_answers_due", "schedule": crontab(minute="*")}
CELERY_BEAT_SCHEDULE["bookings-feeds-import"] = {
    "task": "bookings.tasks.feeds_import_due", "schedule": timedelta(minutes=BOOKINGS_FEED_INTERVAL_MINUTES)}
CELERY_BEAT_SCHEDULE["bookings-holds-expire"] = {
    "task": "bookings.tasks.holds_expire", "schedule": crontab(minute="*")}
CELERY_BEAT_SCHEDULE["bookings-offers-due"] = {
    "task": "bookings.tasks.offers_due", "schedule": crontab(minute="*")}
CELERY_BEAT_SCHEDULE["bookings-conflicts-due"] = {
    "task": "bookings.tasks.conflicts_due", "schedule": crontab(minute="*/5")}
CELERY_BEAT_SCHEDULE["bookings-calendars-extend"] = {
    "task": "bookings.tasks.calendars_extend", "schedule": crontab(hour=2, minute=20)}
# A booking's copy of the guest's number goes with its safe number's scrub, or MASKING_SCRUB_HOURS after
# the booking ended when it never had one.
CELERY_BEAT_SCHEDULE["bookings-guest-phones-erase"] = {
    "task": "bookings.tasks.guest_phones_erase", "schedule": crontab(minute=47)}
# A stay the property has not marked this many hours after check-out completes by itself (the guest is
# presumed to have stayed) and its money goes to the property's payouts.
BOOKINGS_AUTO_COMPLETE_HOURS = env_int("BOOKINGS_AUTO_COMPLETE_HOURS", 24, minimum=1)
# A guest may dispute a no-show this many hours after it was marked; its money is held until then.
BOOKINGS_NO_SHOW_DISPUTE_HOURS = env_int("BOOKINGS_NO_SHOW_DISPUTE_HOURS", 72, minimum=1)
# A completed stay may be reviewed for this many days after check-out.
BOOKINGS_REVIEW_DAYS = env_int("BOOKINGS_REVIEW_DAYS", 30, minimum=1)
CELERY_BEAT_SCHEDULE["bookings-stays-finish"] = {
    "task": "bookings.tasks.stays_finish_due", "schedule": crontab(minute="*/15")}

# --- Guarantee fund (the ledger's platform-guarantee-fund, topped up by finance) ----------------
# Top-ups above this need a second finance approver; by default the escrow disputes' threshold.
GUARANTEE_FUND_FOUR_EYES_KRW = env_int("GUARANTEE_FUND_FOUR_EYES_KRW", ESCROW_FOUR_EYES_THRESHOLD_KRW)
# What the fund may pay out in a month: bookings' monthly budget plus one escrow claim at its cap.
GUARANTEE_FUND_MONTHLY_BUDGET_KRW = env_int(
    "GUARANTEE_FUND_MONTHLY_BUDGET_KRW", BOOKINGS_FUND_MONTHLY_BUDGET_KRW + ESCROW_GUARANTEE_CAP_KRW)
# Below this balance finance is told (once a day) to top the fund up.
GUARANTEE_FUND_FLOOR_KRW = env_int("GUARANTEE_FUND_FLOOR_KRW", 20_000_000)
CELERY_BEAT_SCHEDULE["ledger-guarantee-fund-check"] = {
    "task": "trustplatform.ledger.tasks.guarantee_fund_check_daily", "schedule": crontab(hour=9, minute=0)}


# --- Listings -------------------------------------------------------------------------------
# Photos: size cap per upload, how many per listing, and how close two perceptual hashes must be to
# count as the same picture (bits that differ out of 64; at most 3, which the 4 indexed 16-bit bands
# of the hash are guaranteed to find).
LISTINGS_PHOTO_MAX_BYTES = env_int("LISTINGS_PHOTO_MAX_BYTES", 5 * 1024 * 1024, minimum=10 * 1024)
LISTINGS_PHOTOS_PER_LISTING = env_int("LISTINGS_PHOTOS_PER_LISTING", 20, minimum=1)
LISTINGS_PHOTO_NEAR_BITS = env_int("LISTINGS_PHOTO_NEAR_BITS", 3)
if LISTINGS_PHOTO_NEAR_BITS > 3:
    raise ImproperlyConfigured("LISTINGS_PHOTO_NEAR_BITS must be 0 to 3 (four 16-bit bands find those)")
# How long each verification level holds, in days, and how long an owner's text link stays valid.
LISTINGS_VERIFICATION_DAYS = {
    "phone": env_int("LISTINGS_VERIFY_PHONE_DAYS", 30, minimum=1),
    "owner_link": env_int("LISTINGS_VERIFY_OWNER_LINK_DAYS", 30, minimum=1),
    "registry": env_int("LISTINGS_VERIFY_REGISTRY_DAYS", 90, minimum=1),
    "on_site": env_int("LISTINGS_VERIFY_ON_SITE_DAYS", 180, minimum=1),
}
LISTINGS_OWNER_LINK_HOURS = env_int("LISTINGS_OWNER_LINK_HOURS", 48, minimum=1)
# Reports: per reporter per day, the broker's time to answer first, and the ban for false reporting.
LISTINGS_REPORTS_PER_DAY = env_int("LISTINGS_REPORTS_PER_DAY", 5, minimum=1)
LISTINGS_BROKER_RESPONSE_HOURS = env_int("LISTINGS_BROKER_RESPONSE_HOURS", 48, minimum=1)
LISTINGS_FALSE_REPORT_BAN_DAYS = env_int("LISTINGS_FALSE_REPORT_BAN_DAYS", 90, minimum=1)
# Wasted-trip compensation (헛걸음 보상) paid once from the guarantee fund.
LISTINGS_WASTED_TRIP_KRW = env_int("LISTINGS_WASTED_TRIP_KRW", 30_000, minimum=1)
# Strikes: posting-suspension days for the 2nd, 3rd, 4th strike point; one more means removal.
_suspension_raw = env.list("LISTINGS_STRIKE_SUSPENSION_DAYS", default=["3", "7", "30"])
if not _suspension_raw or not all(str(days).strip().isdigit() and int(days) > 0 for days in _suspension_raw):
    raise ImproperlyConfigured("LISTINGS_STRIKE_SUSPENSION_DAYS must be whole days above zero, e.g. 3,7,30")
LISTINGS_STRIKE_SUSPENSION_DAYS = [int(days) for days in _suspension_raw]
LISTINGS_STRIKE_MONTHS = env_int("LISTINGS_STRIKE_MONTHS", 12, minimum=1)
# This many strikes within 30 days flag the office for a public notice.
LISTINGS_PUBLIC_NOTICE_STRIKES = env_int("LISTINGS_PUBLIC_NOTICE_STRIKES", 3, minimum=1)
LISTINGS_APPEAL_WINDOW_DAYS = env_int("LISTINGS_APPEAL_WINDOW_DAYS", 20, minimum=1)
# Risk: an account younger than this is a (small) risk signal; an unrefreshed listing goes stale.
LISTINGS_YOUNG_BROKER_DAYS = env_int("LISTINGS_YOUNG_BROKER_DAYS", 90, minimum=1)
LISTINGS_STALE_DAYS = env_int("LISTINGS_STALE_DAYS", 30, minimum=1)
# 월세 is priced as a deposit at this yearly conversion rate (전월세 전환율, %): rent × 12 ÷ rate.
LISTINGS_RENT_CONVERSION_PERCENT = env.float("LISTINGS_RENT_CONVERSION_PERCENT", default=6.0)
if not 1 <= LISTINGS_RENT_CONVERSION_PERCENT <= 20:
    raise ImproperlyConfigured("LISTINGS_RENT_CONVERSION_PERCENT must be a yearly rate from 1 to 20")
# The monthly campaign: at most this many areas by expected fakes found per inspector-hour, inspections
# per inspector, the random sample (base rate and calibration), broker cap.
LISTINGS_CAMPAIGN_TOP_AREAS = env_int("LISTINGS_CAMPAIGN_TOP_AREAS", 20, minimum=1)
LISTINGS_CAMPAIGN_PER_INSPECTOR = env_int("LISTINGS_CAMPAIGN_PER_INSPECTOR", 40, minimum=1)
LISTINGS_CAMPAIGN_SAMPLE_PERCENT = env_int("LISTINGS_CAMPAIGN_SAMPLE_PERCENT", 10)
LISTINGS_CAMPAIGN_BROKER_CAP_PERCENT = env_int("LISTINGS_CAMPAIGN_BROKER_CAP_PERCENT", 20, minimum=1)
if LISTINGS_CAMPAIGN_SAMPLE_PERCENT > 50 or LISTINGS_CAMPAIGN_BROKER_CAP_PERCENT > 100:
    raise ImproperlyConfigured("LISTINGS_CAMPAIGN_SAMPLE_PERCENT must be at most 50 and "
                               "LISTINGS_CAMPAIGN_BROKER_CAP_PERCENT at most 100")
LISTINGS_CAMPAIGN_COOLDOWN_MONTHS = env_int("LISTINGS_CAMPAIGN_COOLDOWN_MONTHS", 2)
# Areas are chosen by expected fakes found per inspector-hour: an inspection's minutes on site and
# the minutes to reach an area and move between its homes.
LISTINGS_CAMPAIGN_INSPECT_MINUTES = env_int("LISTINGS_CAMPAIGN_INSPECT_MINUTES", 40, minimum=1)
LISTINGS_CAMPAIGN_TRAVEL_MINUTES = env_int("LISTINGS_CAMPAIGN_TRAVEL_MINUTES", 90, minimum=0)
# How deep a chosen area is swept (inspections by risk in it): deep enough to find a real share of its
# fakes; the number of areas follows from capacity.
LISTINGS_CAMPAIGN_AREA_INSPECTIONS = env_int("LISTINGS_CAMPAIGN_AREA_INSPECTIONS", 80, minimum=1)
# A consumer's safe number to a broker lasts this long.
LISTINGS_CONTACT_HOURS = env_int("LISTINGS_CONTACT_HOURS", 72, minimum=1)
# A day after an enquiry the consumer is asked once how it went; they may answer for this many days.
LISTINGS_CONTACT_ASK_AFTER_HOURS = env_int("LISTINGS_CONTACT_ASK_AFTER_HOURS", 24, minimum=1)
LISTINGS_CONTACT_OUTCOME_DAYS = env_int("LISTINGS_CONTACT_OUTCOME_DAYS", 30, minimum=1)
# Search result lists are the same for everyone: cached this long per query (0: never cached).
# A badge change or a confirmed fake drops every cached list at once.
LISTINGS_SEARCH_CACHE_SECONDS = env_int("LISTINGS_SEARCH_CACHE_SECONDS", 30, minimum=0)
CELERY_BEAT_SCHEDULE["listings-rescore"] = {"task": "listings.tasks.listings_rescore",
                                            "schedule": crontab(hour=2, minute=15)}
CELERY_BEAT_SCHEDULE["listings-campaign-open"] = {"task": "listings.tasks.campaign_open_monthly",
                                                  "schedule": crontab(day_of_month=1, hour=6, minute=0)}
CELERY_BEAT_SCHEDULE["listings-sweep"] = {"task": "listings.tasks.listings_sweep",
                                          "schedule": crontab(minute=23)}
# The 안심중개사 badge rule, evaluated nightly: days since the last confirmed fake (or since approval),
# the share of live listings holding a current verification, inspections found genuine within
# LISTINGS_BADGE_INSPECTION_DAYS, and live listings. A confirmed fake still revokes the badge at once.
LISTINGS_BADGE_CLEAN_DAYS = env_int("LISTINGS_BADGE_CLEAN_DAYS", 182, minimum=1)
LISTINGS_BADGE_MIN_VERIFIED_PERCENT = env_int("LISTINGS_BADGE_MIN_VERIFIED_PERCENT", 50)
if LISTINGS_BADGE_MIN_VERIFIED_PERCENT > 100:
    raise ImproperlyConfigured("LISTINGS_BADGE_MIN_VERIFIED_PERCENT must be a percentage from 0 to 100")
LISTINGS_BADGE_MIN_INSPECTIONS_PASSED = env_int("LISTINGS_BADGE_MIN_INSPECTIONS_PASSED", 1)
LISTINGS_BADGE_INSPECTION_DAYS = env_int("LISTINGS_BADGE_INSPECTION_DAYS", 365, minimum=1)
LISTINGS_BADGE_MIN_LIVE_LISTINGS = env_int("LISTINGS_BADGE_MIN_LIVE_LISTINGS", 3, minimum=1)
CELERY_BEAT_SCHEDULE["listings-badges-evaluate"] = {"task": "listings.tasks.badges_evaluate",
                                                    "schedule": crontab(hour=2, minute=45)}

# --- Logging --------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Tokens in links (an owner's link, an offer, a reset, a calendar export) never reach the log.
    "filters": {"secrets": {"()": "trustplatform.logs.TokensRedacted"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["secrets"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"axes": {"level": "WARNING"}},
}
