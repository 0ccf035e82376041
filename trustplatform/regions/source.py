"""Reading the official legal-dong list (법정동코드 전체자료) of the Ministry of the Interior and Safety.

The file has three columns, 법정동코드 (ten digits), 법정동명 (the names joined by spaces, province
first) and 폐지여부 (존재 = in use, 폐지 = abolished), after a header row. The ministry publishes it
tab-separated in CP949; a copy converted to UTF-8 CSV, or gzipped, reads the same.
"""

import csv
import gzip
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from trustplatform.errors import DomainError

BUNDLED = Path(__file__).resolve().parent / "data" / "legal-dong-codes-2020-10.csv.gz"
BUNDLED_AS_OF = "2020-10-04"

_CODE = re.compile(r"^[0-9]{10}$")
_STATUS = {"존재": True, "폐지": False}


class SourceError(DomainError):
    code = "region_source_invalid"


@dataclass(frozen=True)
class SourceRow:
    code: str
    name: str
    is_current: bool


def _text(raw: bytes) -> str:
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp949")  # the ministry's own download


def source_rows(path: Path | str = BUNDLED) -> list[SourceRow]:
    """Every row of an official list; a malformed line is refused with its line number."""
    text = _text(Path(path).read_bytes())
    first_line = text.split("\n", 1)[0]
    dialect = "excel-tab" if "\t" in first_line else "excel"
    reader = csv.reader(io.StringIO(text), dialect=dialect)
    header = next(reader, None)
    if not header or header[0].strip() != "법정동코드":
        raise SourceError(f"{path}: the first column must be 법정동코드 (the official list's header).")
    rows: list[SourceRow] = []
    seen: set[str] = set()
    for number, fields in enumerate(reader, start=2):
        if not any(field.strip() for field in fields):
            continue
        code, name, status = (field.strip() for field in (fields + ["", "", ""])[:3])
        name = " ".join(unicodedata.normalize("NFC", name).split())
        if not _CODE.match(code) or not name or status not in _STATUS or code in seen:
            raise SourceError(f"{path}, line {number}: not a code, a name and 존재/폐지 ({fields!r}).")
        seen.add(code)
        rows.append(SourceRow(code=code, name=name, is_current=_STATUS[status]))
    if not rows:
        raise SourceError(f"{path}: no rows.")
    return rows
