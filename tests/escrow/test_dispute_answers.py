"""The side that did not open a dispute answers it with words alone, or words and a file; the agent
deciding the dispute reads the answer in the admin beside the evidence; files stay private; the side
that opened it, a stranger and another partner cannot answer."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext

from escrow.models import Dispute, DisputeAnswer, Evidence
from escrow.services import disputes
from escrow.services.common import EscrowConflict, EscrowForbidden
from tests.factories import MembershipFactory, PartnerFactory, UserFactory
from tests.files import image_bytes
from trustplatform import files

from .factories import agreed_rental, fund

pytestmark = pytest.mark.django_db

WORDS = "열쇠는 3월 2일에 직접 드렸고, 문자도 남아 있습니다."


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "public"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def disputed():
    """A funded deposit the tenant disputes; the landlord is the side that answers."""
    agreement, tenant, landlord = agreed_rental()
    fund(agreement, tenant)
    dispute = disputes.dispute_open(agreement=agreement, actor=tenant, reasons="열쇠를 받지 못했습니다.")
    return agreement, tenant, landlord, dispute


def _agent():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="agents"))
    return user


def _answer(client, agreement, dispute, *, portal=True, text=WORDS, with_file=False):
    namespace = "escrow_portal" if portal else "escrow"
    data = {f"answer-{dispute.pk}-description": text}
    if with_file:
        data[f"answer-{dispute.pk}-file"] = SimpleUploadedFile(
            "handover.png", image_bytes("PNG"), content_type="image/png"
        )
    url = reverse(f"{namespace}:dispute_answer", args=[agreement.pk, dispute.pk])
    return client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")


def _page(client, url) -> str:
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_a_landlord_answers_with_words_alone_and_the_deciding_agent_reads_them_beside_the_evidence(
    client, disputed
):
    agreement, tenant, landlord, dispute = disputed
    client.force_login(landlord)

    assert _answer(client, agreement, dispute).status_code == 302

    answer = DisputeAnswer.objects.get(dispute=dispute)
    assert (answer.author, answer.side, answer.text, answer.evidence) == (landlord, "payee", WORDS, None)
    assert not Evidence.objects.filter(dispute=dispute).exists()  # no file was asked for
    assert WORDS in _page(client, reverse("escrow_portal:detail", args=[agreement.pk]))
    client.force_login(tenant)
    assert WORDS in _page(client, reverse("escrow:detail", args=[agreement.pk]))  # the other side reads it

    client.force_login(_agent())
    admin_page = _page(client, reverse("admin:escrow_dispute_change", args=[dispute.pk]))
    answers = admin_page[admin_page.index('id="answers-group"'):admin_page.index('id="evidence-group"')]
    assert "Answers from the other side" in answers and WORDS in answers and "The payee" in answers


def test_an_answer_with_a_file_keeps_the_file_private_and_shows_it_beside_the_words(client, disputed):
    agreement, tenant, landlord, dispute = disputed
    client.force_login(landlord)

    assert _answer(client, agreement, dispute, with_file=True).status_code == 302

    answer = DisputeAnswer.objects.select_related("evidence").get(dispute=dispute)
    evidence = answer.evidence
    assert (evidence.dispute, evidence.uploaded_by, evidence.description) == (dispute, landlord, WORDS)
    assert isinstance(evidence.file.storage, files.PrivateFiles) and len(evidence.sha256) == 64
    page = _page(client, reverse("escrow_portal:detail", args=[agreement.pk]))
    own_link = reverse("escrow_portal:evidence_file", args=[agreement.pk, evidence.pk])
    assert WORDS in page and f'href="{own_link}"' in page
    assert client.get(own_link).status_code == 200

    stranger = UserFactory()
    client.force_login(stranger)
    assert client.get(reverse("escrow:evidence_file", args=[agreement.pk, evidence.pk])).status_code == 404

    client.force_login(_agent())
    admin_page = _page(client, reverse("admin:escrow_dispute_change", args=[dispute.pk]))
    download = reverse("admin:escrow_evidence_download", args=[evidence.pk])
    answers = admin_page[admin_page.index('id="answers-group"'):admin_page.index('id="evidence-group"')]
    assert WORDS in answers and f'href="{download}"' in answers
    assert client.get(download).status_code == 200


def test_an_empty_answer_is_refused_beside_its_field_and_nothing_is_stored(client, disputed):
    agreement, _tenant, landlord, dispute = disputed
    client.force_login(landlord)

    response = _answer(client, agreement, dispute, text="   ", with_file=True)

    page = response.content.decode()
    assert response.status_code == 200
    error = page[page.index(f'id="id_answer-{dispute.pk}-description_error"'):]
    assert gettext("Write your answer to the dispute.") in error[: error.index("</div>")]
    assert not DisputeAnswer.objects.exists() and not Evidence.objects.filter(dispute=dispute).exists()
    with pytest.raises(disputes.EscrowError) as refused:
        disputes.dispute_answer(dispute=dispute, actor=landlord, description=" ")
    assert refused.value.code == "answer_required"


def test_the_side_that_opened_the_dispute_cannot_answer_it(client, disputed):
    agreement, tenant, _landlord, dispute = disputed
    client.force_login(tenant)

    response = _answer(client, agreement, dispute, portal=False)

    assert response.status_code == 200
    assert gettext("Your side opened this dispute: the other side answers it.") in response.content.decode()
    assert not DisputeAnswer.objects.exists()
    with pytest.raises(EscrowForbidden) as refused:
        disputes.dispute_answer(dispute=dispute, actor=tenant, description=WORDS)
    assert refused.value.code == "own_dispute"


def test_a_stranger_or_another_partner_gets_a_404(client, disputed):
    agreement, _tenant, _landlord, dispute = disputed
    other = MembershipFactory(partner=PartnerFactory(kind="landlord", name="다른 하우스"))
    client.force_login(other.user)
    assert _answer(client, agreement, dispute, portal=True).status_code == 404
    client.force_login(UserFactory())
    assert _answer(client, agreement, dispute, portal=False).status_code == 404
    assert not DisputeAnswer.objects.exists()


def test_an_answer_after_the_agent_decided_is_refused(disputed):
    agreement, _tenant, landlord, dispute = disputed
    Dispute.objects.filter(pk=dispute.pk).update(status=Dispute.Status.DECIDED)
    with pytest.raises(EscrowConflict) as refused:
        disputes.dispute_answer(dispute=dispute, actor=landlord, description=WORDS)
    assert refused.value.code == "dispute_not_open" and not DisputeAnswer.objects.exists()
