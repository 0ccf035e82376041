"""Issue 13, item 10: a Content-Security-Policy, and pages that need nothing it forbids.

Markup injected into a page (a listing title, a review, a business name that slipped past escaping)
must not run: every page says `default-src 'self'` with no inline scripts allowed, so the templates
keep their code in static files. The browser test walks the main pages of every kind of person in
Chromium, the admin too, and fails on any violation the browser reports.
"""

import io
import re
from collections import deque
from pathlib import Path
from urllib.parse import parse_qs, urldefrag, urlparse

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from tests.second_factor import second_factor_enrol
from trustplatform.demo import DEMO_PASSWORD

ROOT = Path(django_settings.BASE_DIR)


def _policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/accounts/login/",
        "/accounts/signup/",
        "/stays/",
        "/homes/",
        "/admin/login/",
        "/api/docs/",
        "/api/redoc/",
    ],
)
def test_every_page_forbids_inline_and_foreign_scripts(client, url):
    response = client.get(url)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy.get("default-src") == ["'self'"], policy
    # Redoc (the API reference) styles itself inline: its page alone may apply inline styles.
    for directive in (
        ("script-src", "default-src") if url == "/api/redoc/" else ("script-src", "style-src", "default-src")
    ):
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "https:", "data:"} & set(
            policy.get(directive, [])
        )
    assert policy.get("object-src") == ["'none'"] and policy.get("frame-ancestors") == ["'none'"]
    assert policy.get("base-uri") == ["'none'"] and policy.get("form-action") == ["'self'"]


@pytest.mark.django_db
def test_only_the_api_docs_page_may_show_data_images(client):
    """Swagger UI's stylesheet draws its icons (copy, expand) as data: SVG images, blocked by a policy
    without them as soon as the operations render; no other page gets them."""
    docs = _policy(client.get("/api/docs/"))
    assert "data:" in docs.get("img-src", []) and "'self'" in docs.get("img-src", [])
    assert not {"data:", "'unsafe-inline'"} & set(docs.get("script-src", docs["default-src"]))
    for url in ("/", "/stays/", "/api/redoc/"):
        assert "data:" not in _policy(client.get(url)).get("img-src", [])


def _templates() -> list[Path]:
    skip = {".venv", "node_modules", "var"}
    return [
        path for path in ROOT.rglob("templates/**/*.html") if not skip & set(path.relative_to(ROOT).parts)
    ]


def test_no_template_carries_inline_code_or_styles():
    offences = []
    for path in _templates():
        html = path.read_text()
        for match in re.finditer(r"<script\b([^>]*)>", html):
            if "src=" not in match.group(1) and 'type="application/json"' not in match.group(1):
                offences.append(f"{path.relative_to(ROOT)}: inline <script>")
        for pattern, what in [
            (r"\son[a-z]+\s*=", "event handler attribute"),
            (r"\sstyle\s*=", "style attribute"),
            (r"<style\b", "<style> element"),
            (r"javascript:", "javascript: URL"),
        ]:
            if re.search(pattern, html):
                offences.append(f"{path.relative_to(ROOT)}: {what}")
    assert _templates() and offences == []


# --- In Chromium ---------------------------------------------------------------------------


def _log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("#main form button[type=submit]").click()
    page.wait_for_url(f"{base}/")


def _second_factor(page, base: str) -> None:
    page.goto(f"{base}/admin/")
    second_factor_enrol(page)
    page.wait_for_url(f"{base}/admin/")


SKIP = re.compile(
    r"/logout/|/i18n/|/delete/|/media/|/files?/|/download|/hooks/|/healthz/|/api/schema/"
    r"|/history/|\?.*o=|_popup|/admin/r/|/api/v1/"
)


def _kind(url: str) -> str:
    """Pages of one kind share a template: /admin/escrow/escrowagreement/7/change/ stands for all."""
    parsed = urlparse(url)
    return re.sub(r"\d+", "N", parsed.path) + "?" + ",".join(sorted(parse_qs(parsed.query)))


def _walk(
    page, base: str, starts: list[str], unprotected: list[str], budget: int, within: str = "/"
) -> list[str]:
    """Visit this site's pages under `within` from `starts`, one page of each kind; return their paths."""
    seen, queue, visited = set(), deque(starts), []
    while queue and len(visited) < budget:
        url = urldefrag(queue.popleft())[0]
        if _kind(url) in seen or urlparse(url).netloc not in ("", urlparse(base).netloc) or SKIP.search(url):
            continue
        seen.add(_kind(url))
        try:
            response = page.goto(url if url.startswith("http") else f"{base}{url}")
        except Exception as exc:  # a download (an attachment) is no page
            if "Download is starting" in str(exc):
                continue
            raise
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        visited.append(urlparse(page.url).path)
        if "content-security-policy" not in response.headers:
            unprotected.append(page.url)
        page.wait_for_load_state("load")
        for href in page.eval_on_selector_all("a[href]", "links => links.map(link => link.href)"):
            if not href.startswith(f"{base}{within}"):
                continue
            # An object's page next (a list's rows are its kinds), the lists and forms in turn.
            queue.appendleft(href) if re.search(r"/\d+/", urlparse(href).path) else queue.append(href)
    return visited


PEOPLE = [
    # (email or None for a visitor, staff with a second factor, where to start, pages to visit)
    (None, False, ["/", "/accounts/signup/", "/accounts/password/reset/", "/api/docs/", "/api/redoc/"], 30),
    ("consumer@demo.ansim.kr", False, ["/", "/accounts/me/", "/accounts/phone/"], 30),
    ("broker@demo.ansim.kr", False, ["/portal/listings/", "/portal/"], 30),
    ("lodging@demo.ansim.kr", False, ["/portal/stays/", "/portal/"], 30),
    ("landlord@demo.ansim.kr", False, ["/portal/deposits/", "/portal/payouts/"], 30),
    ("inspector@demo.ansim.kr", False, ["/homes/inspections/", "/admin/"], 20),
    ("agent@demo.ansim.kr", True, ["/admin/"], 40),
    (
        "finance@demo.ansim.kr",
        True,
        ["/admin/ledger/ledgeraccount/", "/admin/ledger/fundtopup/", "/admin/"],
        40,
    ),
    # The superuser sees every model: a page of each kind of the whole admin.
    ("admin@demo.ansim.kr", True, ["/admin/", "/admin/accounts/user/add/"], 100),
]


@pytest.fixture
def celery_eager():
    """Tasks run in-process: this test commits, and a task queued for a worker would name rows of a
    database flushed before any worker runs it (as in tests/e2e/conftest.py)."""
    from trustplatform.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_main_pages_run_without_breaking_the_policy(live_server, browsers, celery_eager, settings):
    settings.SITE_URL = live_server.url  # the sandbox's webhooks of the demo's payments come here
    call_command("seed_demo", stdout=io.StringIO())
    base = live_server.url
    violations, unprotected, walked = [], [], {}
    for email, second_factor, starts, budget in PEOPLE:
        page = browsers.new_page()
        page.on(
            "console",
            lambda message, page=page: (
                violations.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        if email:
            _log_in(page, base, email)
        if second_factor:
            _second_factor(page, base)
        if second_factor:  # staff who move money: the admin, page by page
            walked[email] = _walk(page, base, starts, unprotected, budget, within="/admin/")
        else:
            walked[email] = _walk(page, base, starts, unprotected, budget)
    assert violations == [], "\n".join(violations)
    assert unprotected == [], unprotected
    # The walk reached the pages that once carried inline code, and the admin's.
    every = {path for paths in walked.values() for path in paths}
    assert "/portal/listings/" in every and "/api/redoc/" in every
    assert any(re.fullmatch(r"/homes/inspections/\d+/", path) for path in every), sorted(every)
    changes = [
        path for path in walked["admin@demo.ansim.kr"] if re.fullmatch(r"/admin/\w+/\w+/\d+/change/", path)
    ]
    assert len(changes) >= 10, "\n".join(walked["admin@demo.ansim.kr"])
    assert browsers.problems == []
