"""Issue 13, item 1 (private files are public) and item 10's image decompression bombs.

Evidence, appeal evidence and inspection photos are kept in private storage under random names,
checked on the whole file, and answered only by views scoped to who may see them, as attachments
with `nosniff`; public photos are re-encoded; an image's pixel count is checked before decoding.
"""

import importlib
import io
import math
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import clear_url_caches, reverse
from PIL import Image, ImageFile
from rest_framework.test import APIClient

from escrow.models import Condition, Evidence
from listings import services as listing_services
from listings.models import Appeal, AppealEvidence, InspectionPhoto, Strike
from tests.bookings.factories import LodgingPartnerFactory, PropertyFactory
from tests.escrow.factories import agreed_rental, fund
from tests.factories import MembershipFactory, PartnerFactory, StaffFactory, UserFactory
from tests.files import image_bytes, pdf_bytes, pdf_upload, png_claiming, png_upload
from tests.listings.conftest import listing_data
from tests.listings.factories import BrokerageFactory

pytestmark = pytest.mark.django_db

RANDOM_NAME = re.compile(r"^[a-z/]+/\d{4}/\d{2}/[A-Za-z0-9_-]{24}\.(pdf|jpg|png|webp)$")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def debug_urls(settings):
    """The URL conf as it is with DEBUG on, when it serves MEDIA_URL itself."""
    settings.DEBUG = True
    module = importlib.reload(importlib.import_module(settings.ROOT_URLCONF))
    clear_url_caches()
    yield module
    settings.DEBUG = False
    importlib.reload(module)
    clear_url_caches()


def staff_allowed(*permissions: str):
    """A staff member holding only these permissions (none that moves money)."""
    user = StaffFactory()
    for dotted in permissions:
        app_label, codename = dotted.split(".")
        permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
        user.user_permissions.add(permission)
    return type(user).objects.get(pk=user.pk)


def api_for(user, partner=None) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    if partner is not None:
        client.credentials(HTTP_X_PARTNER_ID=str(partner.pk))
    return client


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def evidence_url(agreement, condition) -> str:
    return reverse("api:escrow_api:condition_evidence", args=[agreement.pk, condition.pk])


def funded_document():
    agreement, tenant, landlord = agreed_rental()
    fund(agreement, tenant)
    return agreement, tenant, landlord, agreement.conditions.get(kind=Condition.Kind.DOCUMENT)


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def assert_attachment(response, content_type: str) -> None:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def fake_confirmed(*, listing):
    """An inspector confirms `listing` fake, with a photo: the brokerage gets a strike."""
    inspector = StaffFactory(group="inspectors")
    inspection = listing_services.inspection_queue_open(listing=listing, actor=inspector)
    listing_services.inspection_record(
        inspection=inspection,
        actor=inspector,
        outcome="fake",
        fake_category="not_exist",
        photos=[png_upload("현장-홍길동-집.png", size=(64, 48))],
    )
    return inspection, Strike.objects.get(listing=listing)


def appealed_strike():
    brokerage = BrokerageFactory()
    broker = brokerage.memberships.get().user
    listing = listing_services.listing_create(
        partner=brokerage, actor=broker, data=listing_data(), publish=True
    )
    inspection, strike = fake_confirmed(listing=listing)
    appeal = listing_services.appeal_file(
        strike=strike, actor=broker, statement="계약서 첨부", files=[pdf_upload("임대차계약서-홍길동.pdf")]
    )
    return brokerage, broker, inspection, strike, appeal


# --- the attacks ---------------------------------------------------------------------------------


def test_html_that_starts_like_a_pdf_is_refused():
    agreement, tenant, _landlord, document = funded_document()
    client = api_for(tenant)
    attacks = [
        ("x.html", b"%PDF<script>fetch('/api/v1/')</script>"),
        # The right name and a real PDF's header and trailer do not hide a page inside.
        ("x.pdf", pdf_bytes().replace(b"%PDF-1.4\n", b"%PDF-1.4\n<html><script>alert(1)</script>\n", 1)),
        ("x.pdf", b"%PDF-1.7 only the first bytes look like a PDF"),
    ]
    for name, content in attacks:
        response = client.post(
            evidence_url(agreement, document), {"file": SimpleUploadedFile(name, content)}, format="multipart"
        )
        assert response.status_code == 400, (name, response.content)
        assert response.json()["code"] == "file_type" and "file" in response.json()["fields"]
    assert not Evidence.objects.exists()


def test_evidence_is_under_no_public_url_and_only_a_scoped_view_answers_it(settings, debug_urls):
    agreement, tenant, landlord, document = funded_document()
    response = api_for(tenant).post(
        evidence_url(agreement, document), {"file": pdf_upload("전입신고.pdf")}, format="multipart"
    )
    assert response.status_code == 201, response.content
    evidence = Evidence.objects.get()
    stored = Path(evidence.file.path)
    assert stored.is_file() and stored.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
    for public_root in (settings.MEDIA_ROOT, settings.STATIC_ROOT):
        assert not stored.is_relative_to(Path(public_root).resolve())
    with pytest.raises(ValueError):
        evidence.file.url  # noqa: B018  (a private file has no URL to hand out)
    # With DEBUG on, MEDIA_URL is served: the evidence is not under it, by its name or any other.
    for path in (evidence.file.name, f"../private/{evidence.file.name}", "escrow/evidence/"):
        assert logged_in(tenant).get(f"/{settings.MEDIA_URL}{path}").status_code == 404
    # The agreement's parties and staff allowed to read evidence get it as an attachment.
    for client, url in [
        (logged_in(tenant), reverse("escrow:evidence_file", args=[agreement.pk, evidence.pk])),
        (logged_in(landlord), reverse("escrow_portal:evidence_file", args=[agreement.pk, evidence.pk])),
        (
            logged_in(staff_allowed("escrow.view_evidence")),
            reverse("admin:escrow_evidence_download", args=[evidence.pk]),
        ),
    ]:
        answer = client.get(url)
        assert_attachment(answer, "application/pdf")
        assert body_of(answer) == pdf_bytes()
    # Every page that shows the file links that view, never a storage URL.
    staff = logged_in(staff_allowed("escrow.view_evidence", "escrow.view_condition"))
    download = reverse("admin:escrow_evidence_download", args=[evidence.pk])
    for client, page, link in [
        (
            logged_in(tenant),
            reverse("escrow:detail", args=[agreement.pk]),
            reverse("escrow:evidence_file", args=[agreement.pk, evidence.pk]),
        ),
        (staff, reverse("admin:escrow_evidence_change", args=[evidence.pk]), download),
        (staff, reverse("admin:escrow_condition_change", args=[document.pk]), download),
    ]:
        html = client.get(page).content.decode()
        assert link in html and evidence.file.name not in html


def test_a_stranger_another_partner_and_other_staff_get_404():
    agreement, tenant, landlord, document = funded_document()
    evidence = (
        api_for(tenant)
        .post(evidence_url(agreement, document), {"file": pdf_upload()}, format="multipart")
        .json()
    )
    other_agreement, other_tenant, _other_landlord = agreed_rental()
    other_partner = MembershipFactory(partner=PartnerFactory(kind="landlord")).user
    for client, url in [
        (logged_in(UserFactory()), reverse("escrow:evidence_file", args=[agreement.pk, evidence["id"]])),
        # Through one's own agreement, another agreement's file is not found either.
        (logged_in(other_tenant), reverse("escrow:evidence_file", args=[other_agreement.pk, evidence["id"]])),
        (
            logged_in(other_partner),
            reverse("escrow_portal:evidence_file", args=[agreement.pk, evidence["id"]]),
        ),
        (logged_in(StaffFactory()), reverse("admin:escrow_evidence_download", args=[evidence["id"]])),
    ]:
        assert client.get(url).status_code == 404, url

    brokerage, broker, inspection, strike, appeal = appealed_strike()
    item = appeal.evidence.get()
    photo = inspection.photos.get()
    appeal_file = reverse("listings_portal:appeal_evidence", args=[strike.pk, item.pk])
    appeal_admin = reverse("admin:listings_appeal_evidence", args=[appeal.pk, item.pk])
    photo_admin = reverse("admin:listings_inspection_photo", args=[inspection.pk, photo.pk])
    # The broker, the staff who decide appeals, and inspectors and agents for inspection photos,
    # from the pages that link them.
    decider = logged_in(staff_allowed("listings.decide_appeal"))
    assert appeal_file in logged_in(broker).get(reverse("listings_portal:strikes")).content.decode()
    appeal_page = decider.get(reverse("admin:listings_appeal_change", args=[appeal.pk]))
    assert appeal_admin in appeal_page.content.decode()
    assert_attachment(logged_in(broker).get(appeal_file), "application/pdf")
    assert_attachment(decider.get(appeal_admin), "application/pdf")
    for reader in (StaffFactory(group="inspectors"), staff_allowed("listings.view_inspection")):
        page = logged_in(reader).get(reverse("admin:listings_inspection_change", args=[inspection.pk]))
        assert photo_admin in page.content.decode()
        assert_attachment(logged_in(reader).get(photo_admin), "image/jpeg")
    another_brokerage = BrokerageFactory()
    for client, url in [
        (logged_in(another_brokerage.memberships.get().user), appeal_file),
        (logged_in(StaffFactory(group="inspectors")), appeal_admin),
        (logged_in(staff_allowed("listings.view_listing")), photo_admin),
    ]:
        assert client.get(url).status_code == 404, url


def test_stored_names_are_random_and_the_uploaded_name_is_not_on_disk(settings):
    agreement, tenant, _landlord, document = funded_document()
    response = api_for(tenant).post(
        evidence_url(agreement, document), {"file": pdf_upload("확정일자-홍길동.pdf")}, format="multipart"
    )
    assert response.status_code == 201, response.content
    _brokerage, _broker, inspection, _strike, appeal = appealed_strike()
    evidence = Evidence.objects.get()
    names = [evidence.file.name, appeal.evidence.get().file.name, inspection.photos.get().image.name]
    assert all(RANDOM_NAME.match(name) for name in names), names
    assert evidence.original_name == "확정일자-홍길동.pdf"  # kept to show, never to store under
    on_disk = [
        str(path)
        for root in (settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT)
        for path in Path(root).rglob("*")
    ]
    assert on_disk and not [path for path in on_disk if "홍길동" in path]


def test_bookings_property_photos_are_re_encoded():
    partner = LodgingPartnerFactory()
    prop = PropertyFactory(partner=partner)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (37.0, 33.0, 22.0), 3: "E", 4: (126.0, 58.0, 40.0)}  # GPS
    with_gps = image_bytes("JPEG", size=(64, 48), exif=exif)
    assert Image.open(io.BytesIO(with_gps)).getexif().get_ifd(0x8825)  # the upload does carry GPS
    uploads = [
        SimpleUploadedFile("로비-홍길동.jpg", with_gps, "image/jpeg"),
        png_upload("lobby.png", size=(64, 48)),
    ]
    for upload in uploads:
        response = logged_in(partner.owner).post(
            f"/portal/stays/properties/{prop.pk}/photos/", {"image": upload, "caption": "로비"}
        )
        assert response.status_code == 302
    photos = list(prop.photos.all())
    assert len(photos) == 2
    for photo in photos:
        assert RANDOM_NAME.match(photo.image.name) and photo.image.name.endswith(".jpg")
        with photo.image.open("rb") as handle:
            stored = Image.open(io.BytesIO(handle.read()))
        assert stored.format == "JPEG" and stored.size == (64, 48)
        assert not stored.getexif() and not stored.getexif().get_ifd(0x8825)
    # Something that is not a picture is not kept at all.
    page = SimpleUploadedFile("lobby.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg")
    logged_in(partner.owner).post(f"/portal/stays/properties/{prop.pk}/photos/", {"image": page})
    assert prop.photos.count() == 2


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # Pillow's; we refuse
def test_a_decompression_bomb_is_refused_before_it_is_decoded(monkeypatch):
    decoded = []

    def load(image):
        decoded.append(image.size)
        raise OSError("decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    # Between Pillow's warning and error limits Pillow only warns; past the error limit it refuses.
    side = math.isqrt(int(Image.MAX_IMAGE_PIXELS * 1.5))
    bombs = [png_claiming(side, side), png_claiming(20_000, 20_000)]
    assert Image.MAX_IMAGE_PIXELS < side * side < 2 * Image.MAX_IMAGE_PIXELS

    agreement, tenant, _landlord, document = funded_document()
    partner = LodgingPartnerFactory()
    prop = PropertyFactory(partner=partner)
    brokerage = BrokerageFactory()
    broker = brokerage.memberships.get().user
    listing = listing_services.listing_create(
        partner=brokerage, actor=broker, data=listing_data(), publish=True
    )
    for bomb in bombs:
        evidence = api_for(tenant).post(
            evidence_url(agreement, document),
            {"file": SimpleUploadedFile("scan.png", bomb, "image/png")},
            format="multipart",
        )
        assert evidence.status_code == 400 and evidence.json()["code"] == "image_too_large", evidence.content
        photo = api_for(broker, brokerage).post(
            f"/api/v1/listings/partner/listings/{listing.pk}/photos/",
            {"image": SimpleUploadedFile("room.png", bomb, "image/png")},
            format="multipart",
        )
        assert photo.status_code == 400, photo.content
        logged_in(partner.owner).post(
            f"/portal/stays/properties/{prop.pk}/photos/",
            {"image": SimpleUploadedFile("lobby.png", bomb, "image/png")},
        )
    assert decoded == []
    assert not Evidence.objects.exists() and not prop.photos.exists() and not listing.photos.exists()
    assert not AppealEvidence.objects.exists() and not InspectionPhoto.objects.exists()
    assert not Appeal.objects.exists()


def test_files_stored_before_leave_the_public_media_root(settings, django_capture_on_commit_callbacks):
    """The data migrations move old evidence and inspection photos to private storage under random
    names, and re-encode old property photos; nothing of them stays under MEDIA_ROOT."""
    from django.apps import apps

    agreement, tenant, _landlord, document = funded_document()
    _brokerage, _broker, inspection, _strike, appeal = appealed_strike()
    prop = PropertyFactory()
    evidence = api_for(tenant).post(
        evidence_url(agreement, document), {"file": pdf_upload()}, format="multipart"
    )
    media = Path(settings.MEDIA_ROOT)
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (37.0, 33.0, 22.0)}
    old = {  # as the code before stored them: under MEDIA_ROOT, with the uploaded names
        (Evidence, evidence.json()["id"], "file"): ("escrow/evidence/2025/01/x.html", b"%PDF<script>"),
        (AppealEvidence, appeal.evidence.get().pk, "file"): (
            "listings/appeals/202501/계약서.pdf",
            pdf_bytes(),
        ),
        (InspectionPhoto, inspection.photos.get().pk, "image"): ("listings/inspections/202501/a.jpg", b"jpg"),
    }
    for (model, pk, field), (name, content) in old.items():
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_bytes(content)
        model.objects.filter(pk=pk).update(**{field: name})
    photo_name = "bookings/photos/2025/01/로비-홍길동.jpg"
    (media / photo_name).parent.mkdir(parents=True, exist_ok=True)
    (media / photo_name).write_bytes(image_bytes("JPEG", size=(40, 30), exif=exif))
    kept = prop.photos.create(image=photo_name, caption="로비")
    broken = prop.photos.create(image="bookings/photos/2025/01/page.jpg")
    (media / broken.image.name).write_bytes(b"<html><script>alert(1)</script></html>")

    with django_capture_on_commit_callbacks(execute=True):
        for module, function in [
            ("escrow.migrations.0012_evidence_private_storage", "evidence_move_to_private"),
            (
                "listings.migrations.0006_private_appeal_evidence_and_inspection_photos",
                "files_move_to_private",
            ),
            ("bookings.migrations.0004_property_photos_reencoded", "photos_reencode"),
        ]:
            getattr(importlib.import_module(module), function)(apps, None)

    for (model, pk, field), (_name, content) in old.items():
        stored = getattr(model.objects.get(pk=pk), field)
        assert RANDOM_NAME.match(stored.name) or stored.name.endswith(".bin"), stored.name
        assert Path(stored.path).is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
        with stored.open("rb") as handle:
            assert handle.read() == content
    assert AppealEvidence.objects.get(pk=appeal.evidence.get().pk).original_name == "계약서.pdf"
    kept.refresh_from_db()
    assert RANDOM_NAME.match(kept.image.name)
    with kept.image.open("rb") as handle:
        assert not Image.open(io.BytesIO(handle.read())).getexif()
    assert not prop.photos.filter(pk=broken.pk).exists()
    # Under MEDIA_ROOT only the re-encoded public photo is left.
    assert [path for path in media.rglob("*") if path.is_file()] == [media / kept.image.name]
