"""Importing an official list again, or a newer one, with `manage.py regions_import`."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from trustplatform.regions.models import Region
from trustplatform.regions.services import catalogue_import

pytestmark = pytest.mark.django_db

NEWER = date(2026, 11, 1)


def official_list(path, *, leave_out=()) -> str:
    """The catalogue as it stands, written as the ministry publishes its list: tab-separated, CP949."""
    lines = ["법정동코드\t법정동명\t폐지여부"] + [
        f"{code}\t{name}\t{'존재' if is_current else '폐지'}"
        for code, name, is_current in Region.objects.order_by("code").values_list(
            "code", "name", "is_current"
        )
        if code not in leave_out
    ]
    path.write_bytes("\r\n".join(lines).encode("cp949"))
    return str(path)


def test_importing_the_bundled_list_again_writes_nothing():
    result = catalogue_import(as_of=date(2020, 10, 4))
    assert (result.created, result.updated) == (0, 0)
    assert result.unchanged == Region.objects.count()


def test_a_newer_list_already_showing_the_changes_only_adds_the_links_it_cannot_carry(tmp_path):
    path = official_list(tmp_path / "법정동코드 전체자료.txt")
    Region.objects.filter(code__in=["4211011200", "2811014500"]).update(successor=None)

    result = catalogue_import(path=path, as_of=NEWER)

    assert (result.created, result.updated) == (0, 2)
    assert Region.objects.get(code="4211011200").successor_id == "5111011200"
    assert Region.objects.get(code="2811014500").successor_id == "2815510100"
    again = catalogue_import(path=path, as_of=NEWER)
    assert (again.created, again.updated) == (0, 0)


def test_a_code_the_official_list_does_not_have_stays_but_is_no_longer_offered(tmp_path):
    guessed = Region.objects.create(code="2899900000", name="인천광역시 가상구", level=2, source="test")
    path = official_list(tmp_path / "list.txt", leave_out={guessed.code})

    result = catalogue_import(path=path, as_of=NEWER)

    guessed.refresh_from_db()
    assert (result.updated, guessed.is_current, guessed.source) == (1, False, "not in list 2026-11-01")


def test_the_command_imports_a_file_and_reports_what_it_did(tmp_path):
    path = official_list(tmp_path / "list.txt")
    out = io.StringIO()
    call_command("regions_import", path, "--as-of", "2026-11-01", stdout=out)
    assert "0 added, 0 updated" in out.getvalue() and "5,052 읍/면/동" in out.getvalue()


def test_the_command_refuses_a_file_without_its_date_or_a_file_that_is_not_the_list(tmp_path):
    path = official_list(tmp_path / "list.txt")
    with pytest.raises(CommandError, match="--as-of"):
        call_command("regions_import", path)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("code,name\n1100000000,서울특별시\n", encoding="utf-8")
    with pytest.raises(CommandError, match="법정동코드"):
        call_command("regions_import", str(wrong), "--as-of", "2026-11-01")
    bad_row = tmp_path / "bad.csv"
    bad_row.write_text("법정동코드,법정동명,폐지여부\n11000,서울특별시,존재\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 2"):
        call_command("regions_import", str(bad_row), "--as-of", "2026-11-01")
    assert Region.objects.filter(is_current=True, level=Region.Level.DONG).count() == 5052


@pytest.mark.django_db(transaction=True)
def test_a_flush_leaves_the_catalogue_in_place():
    """Every test that commits ends with a flush: reloading fifty thousand rows after each would cost
    seconds, so the (unmanaged) table is left alone by it."""
    call_command("flush", interactive=False, verbosity=0)
    assert Region.objects.filter(is_current=True, level=Region.Level.DONG).count() == 5052
