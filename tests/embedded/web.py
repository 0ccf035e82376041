"""A person on the site over HTTP, as a browser without JavaScript would be.

`Person` is one `requests` session (its own cookies, so its own login and CSRF cookie) that fails
the test on any 5xx anywhere, redirects included, naming the URL, the status and the error the
page reports; and on any other error status unless the step expects it. `Page` reads a response
the way a person reads the screen: elements by id, class or data- attribute, and forms with what
a browser would send for them untouched (hidden fields such as the CSRF token, checked boxes,
selected options), so a step only types what a person would type.
"""

import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
             "track", "wbr"}
TEXT_INPUTS = {"", "text", "hidden", "email", "password", "number", "date", "tel", "url", "search"}
REQUEST_TIMEOUT = 30  # seconds for one request; a page of ours answers in well under one


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    parent: "Element | None" = None
    children: list = field(default_factory=list)  # Elements and text, in document order

    @property
    def text(self) -> str:
        """The text a person sees inside this element, whitespace collapsed."""
        parts = []
        for child in self.children:
            parts.append(child.text if isinstance(child, Element) else child)
        return " ".join(" ".join(parts).split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, *, css_class: str | None = None, **attrs) -> list["Element"]:
        """Descendants by tag, class and attributes (`data_status="open"` matches data-status)."""
        wanted = {name.replace("_", "-"): value for name, value in attrs.items()}
        return [
            element for element in self.iter()
            if (tag is None or element.tag == tag)
            and (css_class is None or css_class in element.attrs.get("class", "").split())
            and all(element.attrs.get(name) == value if value is not True else name in element.attrs
                    for name, value in wanted.items())
        ]

    def find(self, tag: str | None = None, **kwargs) -> "Element":
        found = self.find_all(tag, **kwargs)
        assert found, f"no <{tag or '*'}> matching {kwargs} on the page"
        return found[0]

    def get(self, name: str, default: str = "") -> str:
        return self.attrs.get(name, default)


class _TreeBuilder(HTMLParser):
    """Forgiving: an end tag closes the nearest open element of its name and everything inside it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.open = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value if value is not None else "" for name, value in attrs},
                          parent=self.open[-1])
        self.open[-1].children.append(element)
        if tag not in VOID_TAGS:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.open.pop()

    def handle_endtag(self, tag):
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data):
        self.open[-1].children.append(data)


@dataclass
class Form:
    """A form as the browser would submit it: its URL, method, encoding and untouched values."""

    element: Element
    action: str  # absolute
    method: str
    multipart: bool
    values: list[tuple[str, str]]

    def button(self, **kwargs) -> Element:
        buttons = [button for button in self.element.find_all("button", **kwargs)
                   if button.get("type", "submit") == "submit"]
        assert buttons, f"no submit button matching {kwargs} in the form for {self.action}"
        return buttons[0]


def _form_values(form: Element) -> list[tuple[str, str]]:
    values = []
    for element in form.iter():
        name = element.get("name")
        if not name or "disabled" in element.attrs:
            continue
        kind = element.get("type").lower()
        if element.tag == "input" and kind in TEXT_INPUTS:
            values.append((name, element.get("value")))
        elif element.tag == "input" and kind in {"checkbox", "radio"} and "checked" in element.attrs:
            values.append((name, element.get("value", "on")))
        elif element.tag == "textarea":
            values.append((name, "".join(c for c in element.children if isinstance(c, str)).lstrip("\n")))
        elif element.tag == "select":
            options = element.find_all("option")
            chosen = [o for o in options if "selected" in o.attrs] or options[:1]
            values.extend((name, option.get("value", option.text)) for option in chosen)
    return values


class Page(Element):
    """One answered request: the final URL and status, the raw body, and the document tree."""

    def __init__(self, response: requests.Response):
        builder = _TreeBuilder()
        builder.feed(response.text)
        super().__init__("#document", {}, children=builder.root.children)
        self.response = response
        self.url = response.url
        self.path = urlsplit(response.url).path
        self.status = response.status_code
        self.html = response.text

    def forms(self) -> list[Form]:
        return [
            Form(element=form, action=urljoin(self.url, form.get("action") or self.url),
                 method=(form.get("method") or "get").lower(),
                 multipart=form.get("enctype") == "multipart/form-data", values=_form_values(form))
            for form in self.find_all("form")
        ]

    def form(self, *, action: str | None = None, form_id: str | None = None, button_id: str | None = None,
             field: str | None = None, inside: Element | None = None) -> Form:
        """The first form that posts to `action` (a path), has the id `form_id`, holds the button
        `button_id` or a field named `field`, and lies inside `inside` — as many of those as given."""
        for candidate in self.forms():
            checks = [
                action is None or urlsplit(candidate.action).path == action,
                form_id is None or candidate.element.get("id") == form_id,
                button_id is None or bool(candidate.element.find_all(id=button_id)),
                field is None or bool(candidate.element.find_all(name=field)),
                inside is None or _within(candidate.element, inside),
            ]
            if all(checks):
                return candidate
        wanted = {"action": action, "form_id": form_id, "button_id": button_id, "field": field}
        raise AssertionError(f"no form {({k: v for k, v in wanted.items() if v})} on {self.url}")

    def messages(self) -> list[str]:
        """The flash messages shown at the top of the page (the site's and the admin's)."""
        lists = self.find_all("ul", css_class="messages") + self.find_all("ul", css_class="messagelist")
        return [item.text for messages in lists for item in messages.find_all("li")]


def _within(element: Element, ancestor: Element) -> bool:
    node = element
    while node is not None:
        if node is ancestor:
            return True
        node = node.parent
    return False


def error_summary(response: requests.Response) -> str:
    """What a failed page says went wrong: Django's debug page title and exception, else the body's start."""
    body = response.text
    title = re.search(r"<title>(.*?)</title>", body, re.S)
    value = re.search(r'<pre class="exception_value">(.*?)</pre>', body, re.S)
    if title and value:
        return f"{unescape(title.group(1)).strip()}: {unescape(value.group(1)).strip()}"
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())
    return text[:600]


class ServerError(AssertionError):
    pass


class Person:
    """One person with their own browser session on the site at `base_url`."""

    def __init__(self, base_url: str, name: str):
        self.base_url = base_url.rstrip("/")
        self.name = name
        self.session = requests.Session()
        self.session.headers["User-Agent"] = f"ansim-embedded-smoke ({name})"

    def _checked(self, response: requests.Response, expect: tuple[int, ...] | None) -> Page:
        for answer in [*response.history, response]:
            if answer.status_code >= 500:
                raise ServerError(
                    f"{self.name}: {answer.request.method} {answer.url} answered {answer.status_code}: "
                    f"{error_summary(answer)}")
        if expect is not None and response.status_code not in expect:
            raise AssertionError(
                f"{self.name}: {response.request.method} {response.url} answered {response.status_code}, "
                f"expected {expect}: {error_summary(response)}")
        return Page(response)

    def get(self, path: str, *, params=None, expect: tuple[int, ...] | None = (200,)) -> Page:
        response = self.session.get(urljoin(self.base_url + "/", path), params=params,
                                    timeout=REQUEST_TIMEOUT)
        return self._checked(response, expect)

    def submit(self, form: Form, data: dict | None = None, *, button: Element | None = None,
               files: dict | None = None, expect: tuple[int, ...] | None = (200,)) -> Page:
        """Send `form` as the browser would, with `data` typed over its untouched values."""
        data = data or {}
        values = [(name, value) for name, value in form.values if name not in data]
        for name, value in data.items():
            values.extend((name, item) for item in (value if isinstance(value, list | tuple) else [value]))
        if button is not None and button.get("name"):
            values.append((button.get("name"), button.get("value")))
        if form.method == "get":
            response = self.session.get(form.action, params=values, timeout=REQUEST_TIMEOUT)
        else:
            # Same-origin, as the browser says; Django checks the Referer only over HTTPS.
            response = self.session.post(form.action, data=values, files=files,
                                         headers={"Referer": form.action}, timeout=REQUEST_TIMEOUT)
        return self._checked(response, expect)

    def log_in(self, email: str, password: str) -> Page:
        """Through the real login page; lands on the home page with a logout button."""
        login = self.get("/accounts/login/")
        home = self.submit(login.form(action="/accounts/login/"), {"username": email, "password": password})
        assert home.path == "/", f"{self.name} ({email}) did not get in: {home.messages() or home.url}"
        assert home.form(action="/accounts/logout/"), f"{email} is not shown as logged in"
        return home
