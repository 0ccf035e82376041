"""What changed in the legal-dong codes after the bundled official list (as of 2020-10-04).

A change has the day it took effect. Imported with a list as of an earlier day, a change is applied in
full: the new codes are added and the old ones marked abolished, each pointing to its successor. With
a list as of that day or later, the list already shows the change, so only the successor links are
added (an official list does not carry them): that is what keeps listings stored under an old code
findable under the new one.

A change to come is added here as one more entry; the codes of a reorganisation that moves areas
between districts are a table in data/ (old code, new code, new name).
"""

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


@dataclass
class Row:
    """A code as the import will leave it."""

    name: str
    is_current: bool
    source: str
    successor: str | None = None


@dataclass(frozen=True)
class PrefixMove:
    """Every code in use under `old` moves under `new` with the rest of its digits, and is renamed."""

    effective: date
    old: str
    new: str
    old_name: str
    new_name: str

    @property
    def label(self) -> str:
        return f"change {self.effective}: {self.new_name}"

    def pairs(self, rows: dict[str, Row]) -> list[tuple[str, str, str]]:
        moved = []
        for code, row in rows.items():
            if code.startswith(self.old) and row.name.startswith(self.old_name):
                moved.append(
                    (code, self.new + code[len(self.old) :], self.new_name + row.name[len(self.old_name) :])
                )
        return moved

    def apply(self, rows: dict[str, Row]) -> None:
        for old, new, name in self.pairs(rows):
            if rows[old].is_current:
                rows[new] = Row(name=name, is_current=True, source=self.label)
                rows[old].is_current = False
                rows[old].successor = new
                rows[old].source = self.label

    def link(self, rows: dict[str, Row]) -> None:
        for old, new, _name in self.pairs(rows):
            _link(rows, old, new)


@dataclass(frozen=True)
class CodeTable:
    """Codes moved one by one (a reorganisation of districts), read from a table in data/.

    Each line is an old code, its new code and the new name. A line without an old code adds an area
    (a new district); one without a new code abolishes an area split between several.
    """

    effective: date
    file: str
    title: str

    @property
    def label(self) -> str:
        return f"change {self.effective}: {self.title}"

    def table(self) -> list[tuple[str, str, str]]:
        with open(DATA / self.file, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            return [(old.strip(), new.strip(), name.strip()) for old, new, name in reader]

    def apply(self, rows: dict[str, Row]) -> None:
        for old, new, name in self.table():
            if new and name and not (new in rows and rows[new].is_current):
                rows[new] = Row(name=name, is_current=True, source=self.label)
            if old in rows:
                rows[old].is_current = False
                rows[old].successor = new or None
                rows[old].source = self.label

    def link(self, rows: dict[str, Row]) -> None:
        for old, new, _name in self.table():
            if old and new:
                _link(rows, old, new)


def _link(rows: dict[str, Row], old: str, new: str) -> None:
    if old in rows and new in rows and not rows[old].is_current and rows[new].is_current:
        rows[old].successor = new


CHANGES = (
    PrefixMove(date(2023, 6, 11), "42", "51", "강원도", "강원특별자치도"),
    PrefixMove(date(2023, 7, 1), "47720", "27720", "경상북도 군위군", "대구광역시 군위군"),
    PrefixMove(date(2024, 1, 18), "45", "52", "전라북도", "전북특별자치도"),
    # 중구 and 동구 became 제물포구 and 영종구; 서구 split into 서해구 and 검단구.
    CodeTable(date(2026, 7, 1), "changes-2026-07-01-incheon.csv", "인천 제물포구·영종구·서해구·검단구"),
)


def changes_apply(rows: dict[str, Row], *, as_of: date) -> None:
    """Bring the rows of a list as of `as_of` up to date with every change since, and link the rest."""
    for change in sorted(CHANGES, key=lambda change: change.effective):
        if change.effective > as_of:
            change.apply(rows)
        else:
            change.link(rows)
