"""Writes of the region catalogue: importing an official legal-dong list with the changes since.

The import computes the whole catalogue in memory (the list, then trustplatform/regions/changes.py),
then creates the codes the database lacks and updates those that differ, in batches and in one
transaction. It is idempotent: a second run with the same list writes nothing. No code is ever
deleted (listings keep theirs); one the list does not have is marked no longer in use.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from .changes import Row, changes_apply
from .models import Region, level_of
from .selectors import catalogue_changed
from .source import BUNDLED, BUNDLED_AS_OF, source_rows

FIELDS = ("name", "level", "parent", "is_current", "successor", "source")
BATCH = 2000


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Codes in use by level (1 시/도 … 4 리) once imported.
    current: Counter = field(default_factory=Counter)


def _parent(code: str, rows: dict[str, Row]) -> str | None:
    """The nearest larger area the list has: 읍/면/동 of a 리, 시/군/구 of a 읍/면/동, the 시 of a
    구 (성남시 of 분당구, when the names agree), then the 시/도."""
    level = level_of(code)
    candidates = []
    if level == Region.Level.RI:
        candidates.append(code[:8] + "00")
    if level in (Region.Level.RI, Region.Level.DONG):
        candidates.append(code[:5] + "00000")
    if level == Region.Level.SIGUNGU and code[4] != "0":
        city = code[:4] + "000000"
        if city in rows and rows[code].name.startswith(rows[city].name + " "):
            candidates.append(city)
    if level != Region.Level.SIDO:
        candidates.append(code[:2] + "00000000")
    return next((candidate for candidate in candidates if candidate in rows), None)


def _successors_collapse(rows: dict[str, Row]) -> None:
    """Each abolished code points straight at the code in use now (A → B → C becomes A → C)."""
    for code, row in rows.items():
        if row.is_current:
            row.successor = None
            continue
        target, seen = row.successor, {code}
        while (
            target in rows and not rows[target].is_current and rows[target].successor and target not in seen
        ):
            seen.add(target)
            target = rows[target].successor
        row.successor = target if target in rows and target != code else None


def catalogue_build(*, path: Path | str = BUNDLED, as_of: date) -> dict[str, dict]:
    """The catalogue an official list as of `as_of` gives, with the changes since: code → fields."""
    rows = {
        row.code: Row(name=row.name, is_current=row.is_current, source=f"list {as_of}")
        for row in source_rows(path)
    }
    changes_apply(rows, as_of=as_of)
    _successors_collapse(rows)
    return {
        code: {
            "name": row.name,
            "level": level_of(code),
            "parent_id": _parent(code, rows),
            "is_current": row.is_current,
            "successor_id": row.successor,
            "source": row.source[:60],
        }
        for code, row in sorted(rows.items())
    }


# What a row says; `source` only records which list or change last said it.
COMPARED = ("name", "level", "parent_id", "is_current", "successor_id")
COLUMNS = ("code", *COMPARED, "source")


def _insert(model, using: str, rows: list[tuple]) -> None:
    """New codes by executemany: the first load writes some 50,000 rows, and building a model and
    preparing each value through the ORM (bulk_create) took four times as long on SQLite."""
    connection = connections[using]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(column) for column in COLUMNS),
        ", ".join(["%s"] * len(COLUMNS)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])


def _plan(desired: dict[str, dict], model, using: str, as_of: date):
    """The rows to create and to update, and what stays as it is."""
    result = ImportResult()
    existing = {code: values for code, *values in model.objects.using(using).values_list("code", *COMPARED)}
    created, changed = [], []
    for code, values in desired.items():
        if code not in existing:
            created.append((code, *(values[column] for column in COLUMNS[1:])))
        elif tuple(existing[code]) != tuple(values[key] for key in COMPARED):
            changed.append(model(code=code, **values))
        else:
            result.unchanged += 1
        if values["is_current"]:
            result.current[values["level"]] += 1
    for code, (name, level, parent_id, is_current, _successor) in existing.items():
        if code not in desired and is_current:
            # Never in an official list (a change guessed ahead of it): kept, no longer offered.
            changed.append(
                model(
                    code=code,
                    name=name,
                    level=level,
                    parent_id=parent_id,
                    is_current=False,
                    successor_id=None,
                    source=f"not in list {as_of}",
                )
            )
    result.created, result.updated = len(created), len(changed)
    return created, changed, result


def catalogue_import(
    *,
    path: Path | str = BUNDLED,
    as_of: date,
    model=Region,
    using: str = DEFAULT_DB_ALIAS,
    announce: bool = True,
) -> ImportResult:
    """Bring the catalogue in line with an official list as of `as_of` and the changes since.

    `model` is the migration's historical model when a migration loads it; `announce` drops the cached
    labels and search scopes once the new catalogue is committed.
    """
    desired = catalogue_build(path=path, as_of=as_of)
    with transaction.atomic(using=using):
        created, changed, result = _plan(desired, model, using, as_of)
        _insert(model, using, created)
        model.objects.using(using).bulk_update(changed, FIELDS, batch_size=BATCH // 4)
        if announce and (created or changed):
            transaction.on_commit(catalogue_changed, using=using)
    return result


def catalogue_ensure(*, model=Region, using: str = DEFAULT_DB_ALIAS) -> ImportResult | None:
    """Load the bundled list (with the changes since) into an empty catalogue; None if it has rows."""
    if model.objects.using(using).exists():
        return None
    return catalogue_import(as_of=date.fromisoformat(BUNDLED_AS_OF), model=model, using=using, announce=False)
