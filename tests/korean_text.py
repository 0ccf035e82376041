"""The English a Korean reader would see on a rendered page, and the gaps in the Korean catalogue.

`english_words(html)` reads what a person reads — text outside <script>/<style>, and the attributes
shown on screen or read aloud (placeholder, title, aria-label, alt, the value of a button input) — and
returns the words in Latin letters that are not names or units Korean users read in Latin script.
Raw codes (`price_bait`, `None`, `True`) are words like any other and are reported. E-mail addresses,
URLs, host names, tokens with digits (reference numbers, unit numbers) and elements marked
`translate="no"` or with a `lang` other than Korean are skipped.

`catalogue_gaps(po_path)` lists the msgids of a .po file that have no translation or are fuzzy.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

# Names and units Korean users read in Latin script; every entry is a proper name or a unit, not a word.
ALLOWED = frozenset({
    "KST",  # the time zone, shown beside times
    "PortOne", "SOLAPI",  # payment and text-message providers, named on receipts and notices
    "SMS", "LMS", "PDF", "QR", "ID", "API", "URL", "OTP", "PIN", "PASS", "GPS",  # acronyms Korean UIs keep
    "PG",  # a payment gateway: Korean finance writes "PG사"
    "iCal", "ICS",  # the calendar-feed format owners paste into other channels
    "Airbnb", "Booking.com", "Agoda", "Expedia",  # channels, named as their owners brand them
    "m²", "m", "km",  # area next to 평, distances
    "JPEG", "PNG", "WebP",  # file formats named where files are uploaded
    "TV", "Wi-Fi", "WiFi",  # amenities, written so in Korean listings
    "KB", "NH", "IBK", "SC", "KEB", "KDB", "MG", "iM",  # bank brands (KDB산업은행, MG새마을금고, iM뱅크)
})

_SKIPPED_TAGS = frozenset({"script", "style", "template"})
_VOID_TAGS = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
})
_READ_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
_BUTTON_INPUTS = frozenset({"submit", "button", "reset"})

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_URL = re.compile(r"(https?://|www\.)\S+")
# A secret shown masked (a password hash's salt, a token): its visible start is no word.
_MASKED = re.compile(r"\S+\*{4,}")
_HOST = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.(com|net|org|kr|io|dev|test|local)$", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9_²][A-Za-z0-9_²'’.-]*")
_LATIN = re.compile(r"[A-Za-z]")
# A booking code (bookings.models.booking_code), which guests quote: 8 capitals and digits, no I or O.
_BOOKING_CODE = re.compile(r"^[A-HJ-NP-Z2-9]{8}$")


class _ReadText(HTMLParser):
    """Collects the chunks of text a person reads, skipping machine-only and marked-foreign subtrees."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skip_tag: str | None = None
        self._skip_depth = 0

    def handle_starttag(self, tag, attrs):
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_depth += 1
            return
        attributes = dict(attrs)
        if _foreign(tag, attributes):
            if tag not in _VOID_TAGS:
                self._skip_tag, self._skip_depth = tag, 1
            return
        for name in _READ_ATTRIBUTES:
            if attributes.get(name):
                self.chunks.append(attributes[name])
        button_input = tag == "input" and (attributes.get("type") or "").lower() in _BUTTON_INPUTS
        if button_input and attributes.get("value"):
            self.chunks.append(attributes["value"])

    def handle_startendtag(self, tag, attrs):
        # A self-closed element opens no subtree to skip.
        if self._skip_tag is None and not _foreign(tag, dict(attrs)):
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if self._skip_tag is not None and tag == self._skip_tag:
            self._skip_depth -= 1
            if self._skip_depth == 0:
                self._skip_tag = None

    def handle_data(self, data):
        if self._skip_tag is None and data.strip():
            self.chunks.append(data)


def _foreign(tag: str, attributes: dict) -> bool:
    if tag in _SKIPPED_TAGS or (attributes.get("translate") or "").lower() == "no":
        return True
    language = attributes.get("lang")
    return language is not None and not language.lower().startswith("ko")


def read_chunks(html: str) -> list[str]:
    """Every piece of text or read attribute on the page, in document order."""
    parser = _ReadText()
    parser.feed(html)
    parser.close()
    return parser.chunks


def _words(chunk: str) -> list[str]:
    chunk = _MASKED.sub(" ", _URL.sub(" ", _EMAIL.sub(" ", chunk)))
    found = []
    for token in _TOKEN.findall(chunk):
        token = token.strip(".'’-")
        if not _LATIN.search(token) or token in ALLOWED:
            continue
        if any(character.isdigit() for character in token) or _HOST.match(token):
            continue  # a reference number, a unit like B102, a host name
        if _BOOKING_CODE.match(token):
            continue
        if len(token) == 1 and token.isupper():
            continue  # a building or unit letter (A동)
        found.append(token)
    return found


def english_words(html: str) -> list[str]:
    """The Latin-letter words a Korean reader would see on the page, each once, in order."""
    seen: dict[str, None] = {}
    for chunk in read_chunks(html):
        for word in _words(chunk):
            seen.setdefault(word, None)
    return list(seen)


def english_snippets(html: str, *, width: int = 80) -> list[str]:
    """The chunks of text that hold English words, shortened, each once — what a failure should show."""
    seen: dict[str, None] = {}
    for chunk in read_chunks(html):
        if _words(chunk):
            seen.setdefault(" ".join(chunk.split())[:width], None)
    return list(seen)


# --- the catalogue -----------------------------------------------------------------------------------

def _unquote(line: str) -> str:
    body = line[line.index('"') + 1:line.rindex('"')]
    return re.sub(r'\\(.)', lambda match: {"n": "\n", "t": "\t"}.get(match.group(1), match.group(1)), body)


def po_entries(po_path: str | Path) -> list[dict]:
    """The live entries of a .po file: msgctxt, msgid, msgid_plural, msgstrs (list) and fuzzy."""
    entries: list[dict] = []
    entry: dict = {}
    field: str | None = None

    def finish():
        if "msgid" in entry:
            entries.append(entry)

    for raw in Path(po_path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue  # blank lines end nothing on their own; obsolete entries are not used by the site
        if line.startswith("#"):
            if field == "msgstr":
                finish()
                entry, field = {}, None
            if line.startswith("#,") and "fuzzy" in line:
                entry["fuzzy"] = True
            continue
        if line.startswith('"'):
            if field is not None:
                if field == "msgstr":
                    entry["msgstrs"][-1] += _unquote(line)
                else:
                    entry[field] += _unquote(line)
            continue
        keyword = line.split(None, 1)[0]
        if keyword in ("msgctxt", "msgid") and field == "msgstr":
            finish()  # the next entry starts without a comment before it
            entry, field = {}, None
        if keyword.startswith("msgstr"):
            entry.setdefault("msgstrs", []).append(_unquote(line))
            field = "msgstr"
        else:
            entry[keyword] = _unquote(line)
            field = keyword
    finish()
    for item in entries:
        item.setdefault("msgstrs", [])
        item.setdefault("fuzzy", False)
    return entries


def catalogue_gaps(po_path: str | Path) -> list[str]:
    """The msgids (header excluded) whose translation is missing, partly missing or fuzzy."""
    return [
        entry["msgid"] for entry in po_entries(po_path)
        if entry["msgid"] and (entry["fuzzy"] or not entry["msgstrs"] or not all(entry["msgstrs"]))
    ]
