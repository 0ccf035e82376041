"""Browser fixtures (a pytest plugin loaded by tests/conftest.py): Playwright driving Debian's
Chromium against `live_server`, shared by every browser test so one Playwright runs per session.

Never run `playwright install`: the tests use /usr/bin/chromium (`apt-get install chromium`).
"""

import os
from pathlib import Path

import pytest

# Kept in one module: two sync Playwright instances cannot run in one process.

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
# The machine has no internet: keep Chromium from phoning home.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # The browser's own words (a file input's "파일 선택") in Korean, as on a Korean user's machine.
    "--lang=ko-KR",
]
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser():
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"End-to-end tests need Chromium at {CHROMIUM}: run `apt-get install chromium` "
                    "(never `playwright install`).", pytrace=False)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                             headless=True)
        try:
            yield browser
        finally:
            browser.close()


class Browsers:
    """Opens one fresh browser context (own cookies, own session) per person in a test.

    `problems` collects what a person would notice or a broken page would cause: JavaScript
    errors, requests that failed, and sub-resources (CSS, images, scripts) answered with an error.
    Tests assert it is empty at the end.
    """

    def __init__(self, browser):
        self.browser = browser
        self.contexts = []
        self.problems: list[str] = []

    def new_page(self, *, locale: str = "ko-KR", **context_options):
        # Korean is the site's default language and what its users' browsers ask for.
        context = self.browser.new_context(**{"locale": locale, "viewport": {"width": 1280, "height": 900},
                                              **context_options})
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.problems.append(f"JS error on {page.url}: {error}"))
        # ERR_ABORTED is a load cancelled by the next navigation, not a fault of the page.
        page.on("requestfailed", lambda request: self.problems.append(
            f"request failed: {request.url} ({request.failure})")
            if "ERR_ABORTED" not in (request.failure or "") else None)
        page.on("response", lambda response: self.problems.append(
            f"{response.status} for {response.request.resource_type} {response.url}")
            if response.status >= 400 and response.request.resource_type != "document" else None)
        return page

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsers(browser):
    opened = Browsers(browser)
    yield opened
    opened.close()


@pytest.fixture
def new_page(browsers):
    """Factory: `new_page()` gives a page in a brand-new browser context, i.e. a new person."""
    return browsers.new_page


@pytest.fixture
def page(new_page):
    return new_page()
