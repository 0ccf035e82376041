"""Every moment in the admin is shown in Korean time, in the site's format ("2026년 12월 10일 (목)
15:00"), in list columns and read-only fields alike; never the UTC clock time."""

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import StaffFactory
from trustplatform.ledger import treasury
from trustplatform.ledger.models import FundTopUp
from trustplatform.ui import korean

pytestmark = pytest.mark.django_db

# 06:30 UTC on a Thursday is 15:30 the same day in Seoul.
MOMENT = datetime(2026, 12, 10, 6, 30, tzinfo=UTC)


@pytest.fixture
def entry():
    staff = StaffFactory(group="finance")
    row = treasury.fund_topup_request(actor=staff, amount_krw=1_000, reason="time test")
    FundTopUp.objects.filter(pk=row.pk).update(requested_at=MOMENT)
    return staff, row


@pytest.mark.parametrize("language", ["ko", "en"])
def test_list_columns_and_read_only_fields_show_korean_time(entry, language):
    staff, row = entry
    client = Client(headers={"accept-language": language})
    client.force_login(staff)
    with translation.override(language):
        shown = korean.moment(MOMENT, with_year=True)
    assert "15:30" in shown

    listing = client.get(reverse("admin:ledger_fundtopup_changelist"), headers={"accept-language": language})
    detail = client.get(reverse("admin:ledger_fundtopup_change", args=[row.pk]),
                        headers={"accept-language": language})

    for page in (listing.content.decode(), detail.content.decode()):
        assert shown in page
        assert "06:30" not in page and "6:30" not in page


def test_the_korean_admin_writes_the_day_of_the_week(entry):
    staff, row = entry
    client = Client()
    client.force_login(staff)
    with translation.override("ko"):
        page = client.get(reverse("admin:ledger_fundtopup_change", args=[row.pk]),
                          headers={"accept-language": "ko"}).content.decode()
    assert "2026년 12월 10일 (목) 15:30" in page
