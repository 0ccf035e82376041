"""The staff member who decides an appeal reads the broker's whole case on the appeal's page: the
strike's grounds, the statement and the evidence files, which they can open; nobody else opens them."""

import pytest
from django.urls import reverse

from listings import services
from tests.files import pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def test_the_decider_sees_the_statement_and_opens_the_evidence(client, listing, broker, inspector, agent):
    strike = services.fake_confirm(listing=listing, actor=inspector, category="gone")
    appeal = services.appeal_file(
        strike=strike, actor=broker, statement="임대인과 계약서가 있습니다.",
        files=[pdf_upload("계약서.pdf", "lease")],
    )
    evidence = appeal.evidence.get()
    client.force_login(agent)

    page = client.get(reverse("admin:listings_appeal_change", args=[appeal.pk])).content.decode()

    download = reverse("admin:listings_appeal_evidence", args=[appeal.pk, evidence.pk])
    assert "임대인과 계약서가 있습니다." in page and "계약서.pdf" in page and download in page
    assert 'class="appeal-case"' in page
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content if response.streaming else
                                                      [response.content])


def test_staff_who_do_not_decide_appeals_cannot_open_the_evidence(client, listing, broker, inspector):
    strike = services.fake_confirm(listing=listing, actor=inspector, category="gone")
    appeal = services.appeal_file(strike=strike, actor=broker, statement="이의", files=[pdf_upload()])
    client.force_login(inspector)
    download = reverse("admin:listings_appeal_evidence", args=[appeal.pk, appeal.evidence.get().pk])
    assert client.get(download).status_code == 404
