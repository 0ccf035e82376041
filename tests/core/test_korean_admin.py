"""The admin in Korean shows Korean staff no English: every page each staff role opens — the index,
each model's list (with rows in it), a change page per model, the add page where allowed, the admin's
own pages (dashboards, transition forms, guarantee case work, four-eyes approvals, fund pages) — is
read as a person reads it, and the English words found are listed page by page."""

import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, reverse
from django.urls.exceptions import NoReverseMatch
from django.utils import translation

from tests.factories import StaffFactory
from tests.korean_text import english_snippets, english_words

pytestmark = pytest.mark.django_db

ROLES = ("superuser", "agents", "inspectors", "finance")
NAMES = {
    "superuser": "최고 관리자",
    "agents": "상담원 김하늘",
    "inspectors": "현장조사관 이도현",
    "finance": "재무 담당 박소연",
}


@pytest.fixture
def demo_data(settings):
    """Rows in every list, with Korean names: the demo every app seeds through its own services."""
    from bookings import demo as bookings_demo
    from escrow import demo as escrow_demo
    from listings import demo as listings_demo
    from masking import demo as masking_demo
    from trustplatform import demo as core_demo

    # Seeded as a Korean operator's platform runs: stored labels, notes and notices in Korean, whatever
    # language an earlier test in this process left active.
    with translation.override("ko"):
        core_demo.seed()
        masking_demo.seed()
        escrow_demo.seed()
        bookings_demo.seed()
        listings_demo.seed()
        _four_eyes_decisions()
        _beat_schedule()
        _failed_sign_in()


def _failed_sign_in():
    """A lockout's records, as axes writes them after a wrong password."""
    from axes.models import AccessAttempt, AccessFailureLog

    request = {
        "username": "consumer@demo.ansim.kr", "ip_address": "203.0.113.7", "path_info": "/accounts/login/",
        "user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15",
        "http_accept": "text/html,application/xhtml+xml",
    }
    AccessAttempt.objects.create(**request, get_data="", post_data="username=consumer@demo.ansim.kr",
                                 failures_since_start=3)
    AccessFailureLog.objects.create(**request, locked_out=False)


def _beat_schedule():
    """The periodic tasks as the beat stores them from settings, so that their list has rows too."""
    from django.conf import settings
    from django_celery_beat.schedulers import ModelEntry

    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        ModelEntry.from_entry(name, **entry)


def _four_eyes_decisions():
    """On the demo renovation: a dispute and a guarantee claim decided above the four-eyes threshold and
    waiting for finance, so that their approval pages and records are shown too."""
    from escrow.models import EscrowAgreement, GuaranteeClaim
    from escrow.services import claims, disputes
    from escrow.services.common import holding_account

    agent = StaffFactory(group="agents", full_name="상담원 배수지")
    agreement = EscrowAgreement.objects.get(payer__email="consumer@demo.ansim.kr", template="renovation")
    claim = claims.claim_file(
        agreement=agreement, actor=agreement.payer, accident=GuaranteeClaim.Accident.values[0],
        description="시공사가 공사를 멈추고 연락이 안 돼요.", amount_krw=8_000_000,
    )
    claims.claim_decide(
        claim=claim, actor=agent, approve=True, amount_krw=8_000_000, pay_to=GuaranteeClaim.PayTo.CUSTOMER,
    )
    dispute = disputes.dispute_open(
        agreement=agreement, actor=agreement.payer, reasons="욕실 타일이 들떴어요."
    )
    held = holding_account(EscrowAgreement.objects.get(pk=agreement.pk)).balance_krw
    disputes.dispute_decide(
        dispute=dispute, actor=agent, outcome="split", payee_amount_krw=held // 2,
        payer_amount_krw=held - held // 2, note="반씩 나눠요.",
    )


def _staff(role: str):
    if role == "superuser":
        return StaffFactory(is_superuser=True, full_name=NAMES[role])
    return StaffFactory(group=role, full_name=NAMES[role])


def _client(user) -> Client:
    client = Client(headers={"accept-language": "ko"}, raise_request_exception=False)
    client.cookies["django_language"] = "ko"
    client.force_login(user)
    return client


class _Request:
    """What the ModelAdmin permission checks read."""

    def __init__(self, user):
        self.user = user
        self.GET = {}
        self.POST = {}
        self.method = "GET"


def _custom_pages(model_admin, obj) -> list[str]:
    """The admin's own pages of this model that a GET shows: without a parameter, or for one object."""
    standard = {"changelist", "add", "history", "delete", "change", "transition", "autocomplete"}
    urls = []
    for pattern in model_admin.get_urls():
        if not isinstance(pattern, URLPattern) or not pattern.name:
            continue
        if any(pattern.name.endswith(f"_{suffix}") for suffix in standard):
            continue
        params = re.findall(r"<(?:\w+:)?(\w+)>", str(pattern.pattern))
        try:
            if not params:
                urls.append(reverse(f"admin:{pattern.name}"))
            elif len(params) == 1 and obj is not None:
                urls.append(reverse(f"admin:{pattern.name}", args=[obj.pk]))
        except NoReverseMatch:
            continue
    return urls


def _transition_forms(model_admin, user) -> list[str]:
    """The form page of each transition that asks for one, on an object where it may run now."""
    forms = getattr(model_admin, "fsm_forms", {}) or {}
    if not forms:
        return []
    opts = model_admin.model._meta
    urls = []
    for name in forms:
        for obj in model_admin.model._default_manager.order_by("-pk")[:50]:
            available = {
                transition.name
                for field in getattr(model_admin, "fsm_fields", ["status"])
                for transition in getattr(obj, f"get_available_user_{field}_transitions")(user)
            }
            if name in available:
                url_name = f"admin:{opts.app_label}_{opts.model_name}_transition"
                urls.append(reverse(url_name, args=[obj.pk, name]))
                break
    return urls


def _pages(user) -> tuple[list[str], set[str]]:
    """Every page to read, and those that must open: the index, the dashboards, and the list, the add
    page and a change page of each model this person may see."""
    request = _Request(user)
    pages = [reverse("admin:index"), reverse("admin_dashboards")]
    required = set(pages)
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if not (model_admin.has_view_permission(request) or model_admin.has_change_permission(request)):
            continue
        standard = [reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")]
        if model_admin.has_add_permission(request):
            standard.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        obj = model_admin.get_queryset(_Request(user)).order_by("-pk").first()
        if obj is not None:
            standard.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
        pages.extend(standard)
        required.update(standard)
        pages.extend(_custom_pages(model_admin, obj))
        pages.extend(_transition_forms(model_admin, user))
    return pages, required


@pytest.mark.parametrize("role", ROLES)
def test_the_korean_admin_shows_no_english(demo_data, role):
    user = _staff(role)
    client = _client(user)
    pages, required = _pages(user)
    found, broken, opened = {}, [], set()
    for url in pages:
        response = client.get(url)
        if response.status_code >= 500:
            broken.append(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        opened.add(url)
        html = response.content.decode()
        if english_words(html):
            found[url] = english_snippets(html)
    # Each role sees models of its own beyond the index and the dashboards, and every one of them opens.
    assert len(required) > 2, pages
    assert not required - opened, sorted(required - opened)
    assert not broken, broken
    assert not found, "\n".join(f"{url}: {snippets}" for url, snippets in found.items())
