"""The site's chrome on a phone, in a real browser: the home page fits 390 px without sideways
scrolling, the menu button opens the navigation, Korean is drawn with the Pretendard font the app
serves (this machine has no Korean system font), and no emoji stand in for icons."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# Emoji (pictographs, symbols and their variation selector): they show as boxes without an emoji font.
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u26FF\u2700-\u27BF\u2B50\u2B55\uFE0F]")


def _phone_page(browsers):
    page = browsers.new_page()
    page.set_viewport_size(PHONE)
    return page


def _fonts_drawing(page, selector: str) -> list[str]:
    """The font families Chromium really used to draw an element's text (DevTools protocol)."""
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument")["root"]["nodeId"]
    node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return [font["familyName"] for font in fonts]


def test_the_home_page_fits_a_phone_and_its_menu_opens_the_navigation(live_server, browsers):
    page = _phone_page(browsers)
    page.goto(f"{live_server.url}/")

    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width[0]} px wide in a {width[1]} px window"

    menu = page.locator("[data-menu-button]")
    nav = page.locator("#site-nav")
    expect(menu).to_be_visible()
    expect(nav).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(nav).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.locator("a[href='/stays/']")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()

    # The links take the person where they say.
    menu.click()
    nav.locator("a[href='/homes/']").click()
    expect(page).to_have_url(f"{live_server.url}/homes/")
    assert not browsers.problems, browsers.problems


def test_on_a_wide_screen_the_navigation_is_inline(live_server, browsers):
    page = browsers.new_page()
    page.goto(f"{live_server.url}/")
    expect(page.locator("[data-menu-button]")).to_be_hidden()
    expect(page.locator("#site-nav a[href='/stays/']")).to_be_visible()


def test_korean_text_is_drawn_with_the_served_pretendard_font(live_server, browsers):
    page = _phone_page(browsers)
    page.goto(f"{live_server.url}/")
    page.evaluate("() => document.fonts.ready")
    family = page.evaluate("() => getComputedStyle(document.body).fontFamily")
    assert family.startswith('"Pretendard Variable"')
    loaded = page.evaluate("""() => [...document.fonts].filter((face) =>
        face.family.replace(/["']/g, "") === "Pretendard Variable" && face.status === "loaded").length""")
    assert loaded, "no Pretendard face was loaded from the app"
    heading = page.locator("h1").inner_text()
    assert re.search("[가-힣]", heading), f"the Korean page's heading is not Korean: {heading!r}"
    assert _fonts_drawing(page, "h1") == ["Pretendard Variable"]  # every glyph, none from a fallback
    assert not browsers.problems, browsers.problems  # the font files, the CSS and the icons all loaded


def test_the_page_shows_icons_not_emoji(live_server, browsers):
    page = _phone_page(browsers)
    page.goto(f"{live_server.url}/")
    text = page.locator("body").inner_text()
    assert not EMOJI.findall(text), f"emoji in the page: {EMOJI.findall(text)}"
    brand = page.locator(".brand svg.icon")
    expect(brand).to_be_visible()
    box = brand.bounding_box()
    assert box and 16 <= box["width"] <= 40  # an icon from the sprite, sized by the stylesheet
    assert page.locator("svg.icon use").count() >= 4
