"""Issue 16, item 5: uploads in S3-compatible object storage, against a real S3 server on 127.0.0.1.

A moto server runs as a subprocess; the real boto3 and django-storages talk to it over HTTP with the
STORAGES the settings module builds from STORAGE_S3_* for each test's own pair of buckets. Private
files land in the private bucket only, which answers no anonymous request; the scoped views hand the
reader a short-lived signed link (a redirect) and everyone else a 404. Public photos land in the
public bucket and the pages show them from there.
"""

import calendar
import json
import os
import runpy
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from bookings.services import inventory
from escrow.models import Condition, Evidence
from listings import demo as listings_demo
from listings import services as listing_services
from listings.models import AppealEvidence, InspectionPhoto, Listing, ListingPhoto, Strike
from tests.bookings.factories import LodgingPartnerFactory, PropertyFactory
from tests.escrow.factories import agreed_rental, fund
from tests.factories import StaffFactory, UserFactory
from tests.files import pdf_bytes, pdf_upload, png_upload
from tests.listings.conftest import listing_data, photo_file
from tests.listings.factories import BrokerageFactory
from trustplatform import demo as core_demo
from trustplatform import files

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
REGION = "ap-northeast-2"
KEYS = {"STORAGE_S3_ACCESS_KEY_ID": "ansim-test-key", "STORAGE_S3_SECRET_ACCESS_KEY": "ansim-test-secret"}
SERVER_READY_SECONDS = 30


def load_settings(environment: dict) -> SimpleNamespace:
    """The settings module run afresh with `environment` added to this process's."""
    with mock.patch.dict(os.environ, environment):
        return SimpleNamespace(**runpy.run_path(str(ROOT / "trustplatform" / "settings.py")))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory):
    """A moto S3 server on 127.0.0.1 (a subprocess) for this module's tests; its URL."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("moto") / "moto.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_READY_SECONDS
    while True:
        try:
            requests.get(f"{url}/moto-api/", timeout=1)
            break
        except requests.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the S3 server did not start:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.1)
    yield url
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


@dataclass
class Buckets:
    client: object
    endpoint: str
    public: str
    private: str

    def keys(self, bucket: str) -> list[str]:
        return [item["Key"] for item in self.client.list_objects_v2(Bucket=bucket).get("Contents", [])]

    def body(self, bucket: str, key: str) -> bytes:
        return self.client.get_object(Bucket=bucket, Key=key)["Body"].read()

    def object_url(self, bucket: str, key: str) -> str:
        return f"{self.endpoint}/{bucket}/{key}"


@pytest.fixture
def object_storage(s3_server, settings) -> Buckets:
    """Two new buckets, and the settings the settings module makes of STORAGE_S3_* naming them. Like
    an operator, the test makes the public bucket readable by anyone with a bucket policy."""
    suffix = uuid.uuid4().hex[:12]
    environment = {
        "STORAGE_S3_ENDPOINT_URL": s3_server, "STORAGE_S3_REGION": REGION, **KEYS,
        "STORAGE_S3_PUBLIC_BUCKET": f"ansim-public-{suffix}",
        "STORAGE_S3_PRIVATE_BUCKET": f"ansim-private-{suffix}",
    }
    loaded = load_settings(environment)
    client = boto3.client(
        "s3", endpoint_url=s3_server, region_name=REGION,
        aws_access_key_id=KEYS["STORAGE_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["STORAGE_S3_SECRET_ACCESS_KEY"],
    )
    for bucket in (loaded.STORAGE_S3_PUBLIC_BUCKET, loaded.STORAGE_S3_PRIVATE_BUCKET):
        client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    client.put_bucket_policy(Bucket=loaded.STORAGE_S3_PUBLIC_BUCKET, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": f"arn:aws:s3:::{loaded.STORAGE_S3_PUBLIC_BUCKET}/*"}],
    }))
    for name in ("STORAGES", "STORAGE_S3", "STORAGE_PRIVATE_URL_SECONDS", "STORAGE_PUBLIC_ORIGIN",
                 "CONTENT_SECURITY_POLICY"):
        setattr(settings, name, getattr(loaded, name))
    return Buckets(client, s3_server, loaded.STORAGE_S3_PUBLIC_BUCKET, loaded.STORAGE_S3_PRIVATE_BUCKET)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def anonymous_get(url: str) -> requests.Response:
    return requests.get(url, timeout=10)


def published_listing():
    brokerage = BrokerageFactory()
    broker = brokerage.memberships.get().user
    return broker, listing_services.listing_create(
        partner=brokerage, actor=broker, data=listing_data(), publish=True
    )


def fetch_signed(response, buckets: Buckets, *, content_type: str) -> bytes:
    """Follow a scoped view's redirect to the private bucket as a browser would (no credentials)."""
    assert response.status_code == 302, response.status_code
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))  # the admin adds more
    link = response["Location"]
    assert link.startswith(f"{buckets.endpoint}/{buckets.private}/")
    query = parse_qs(urlsplit(link).query)
    # Signed (SigV4) to live STORAGE_PRIVATE_URL_SECONDS from now, with the answer's headers fixed.
    assert query["X-Amz-Expires"] == ["60"] and query["X-Amz-Signature"]
    assert abs(time.time() - calendar.timegm(time.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ"))) < 120
    answer = anonymous_get(link)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == content_type
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    assert answer.headers["Cache-Control"] == "private, no-store"
    return answer.content


# --- private files -------------------------------------------------------------------------------


def test_evidence_lands_in_the_private_bucket_and_only_its_scoped_views_hand_it_out(object_storage):
    buckets = object_storage
    agreement, tenant, landlord = agreed_rental()
    fund(agreement, tenant)
    document = agreement.conditions.get(kind=Condition.Kind.DOCUMENT)
    api = APIClient()
    api.force_authenticate(tenant)
    response = api.post(reverse("api:escrow_api:condition_evidence", args=[agreement.pk, document.pk]),
                        {"file": pdf_upload("전입신고-홍길동.pdf")}, format="multipart")
    assert response.status_code == 201, response.content
    evidence = Evidence.objects.get()
    # In the private bucket under its random name, and nowhere else: not in the public bucket, not on disk.
    assert buckets.keys(buckets.private) == [evidence.file.name]
    assert buckets.body(buckets.private, evidence.file.name) == pdf_bytes()
    assert buckets.keys(buckets.public) == []
    with pytest.raises(ValueError):
        evidence.file.url  # noqa: B018  (a private file has no URL to hand out)
    # The object's own address answers nobody without a signature.
    assert anonymous_get(buckets.object_url(buckets.private, evidence.file.name)).status_code == 403
    # The agreement's parties get a signed link that serves the file as a PDF attachment.
    for client, url in [
        (logged_in(tenant), reverse("escrow:evidence_file", args=[agreement.pk, evidence.pk])),
        (logged_in(landlord), reverse("escrow_portal:evidence_file", args=[agreement.pk, evidence.pk])),
    ]:
        assert fetch_signed(client.get(url), buckets, content_type="application/pdf") == pdf_bytes()
    # Everyone else: 404, and no link.
    other_agreement, other_tenant, _other_landlord = agreed_rental()
    for client, url in [
        (logged_in(UserFactory()), reverse("escrow:evidence_file", args=[agreement.pk, evidence.pk])),
        (logged_in(other_tenant), reverse("escrow:evidence_file", args=[other_agreement.pk, evidence.pk])),
        (logged_in(StaffFactory()), reverse("admin:escrow_evidence_download", args=[evidence.pk])),
    ]:
        answer = client.get(url)
        assert answer.status_code == 404 and "Location" not in answer, url


def test_appeal_evidence_and_inspection_photos_are_private_too(object_storage):
    buckets = object_storage
    broker, listing = published_listing()
    inspector = StaffFactory(group="inspectors")
    inspection = listing_services.inspection_queue_open(listing=listing, actor=inspector)
    listing_services.inspection_record(inspection=inspection, actor=inspector, outcome="fake",
                                       fake_category="not_exist", photos=[png_upload(size=(64, 48))])
    strike = Strike.objects.get(listing=listing)
    appeal = listing_services.appeal_file(strike=strike, actor=broker, statement="계약서 첨부",
                                          files=[pdf_upload("임대차계약서.pdf")])
    item, photo = appeal.evidence.get(), inspection.photos.get()
    assert sorted(buckets.keys(buckets.private)) == sorted([item.file.name, photo.image.name])
    assert buckets.keys(buckets.public) == []
    for key in buckets.keys(buckets.private):
        assert anonymous_get(buckets.object_url(buckets.private, key)).status_code == 403
    appeal_file = reverse("listings_portal:appeal_evidence", args=[strike.pk, item.pk])
    photo_admin = reverse("admin:listings_inspection_photo", args=[inspection.pk, photo.pk])
    assert fetch_signed(logged_in(broker).get(appeal_file), buckets, content_type="application/pdf") == (
        buckets.body(buckets.private, item.file.name))
    assert fetch_signed(logged_in(inspector).get(photo_admin), buckets, content_type="image/jpeg")
    other_broker = BrokerageFactory().memberships.get().user
    assert logged_in(other_broker).get(appeal_file).status_code == 404
    assert logged_in(StaffFactory()).get(photo_admin).status_code == 404


# --- public photos -------------------------------------------------------------------------------


def test_property_and_listing_photos_land_in_the_public_bucket_and_the_pages_show_them(object_storage):
    buckets = object_storage
    partner = LodgingPartnerFactory()
    prop = PropertyFactory(partner=partner)
    room_photo = inventory.property_photo_add(property=prop, actor=partner.owner,
                                              upload=png_upload("lobby.png", size=(64, 48)), caption="로비")
    broker, listing = published_listing()
    flat_photo = listing_services.photo_add(listing=listing, actor=broker, upload=photo_file(seed=3))
    assert sorted(buckets.keys(buckets.public)) == sorted([room_photo.image.name, flat_photo.image.name])
    assert buckets.keys(buckets.private) == []
    for page, photo in [(f"/stays/p/{prop.pk}/", room_photo), (f"/homes/{listing.pk}/", flat_photo)]:
        response = Client().get(page)
        assert response.status_code == 200, page
        url = buckets.object_url(buckets.public, photo.image.name)
        assert f'src="{url}"' in response.content.decode(), page
        # The page's policy lets the browser load pictures from the bucket, and nothing else from it.
        policy = response["Content-Security-Policy"]
        assert f"img-src 'self' {buckets.endpoint}" in policy
        assert f"script-src {buckets.endpoint}" not in policy
        # Anyone may read it: a JPEG, re-encoded, cached for good.
        answer = anonymous_get(url)
        assert answer.status_code == 200 and answer.headers["Content-Type"] == "image/jpeg"
        assert answer.content[:3] == b"\xff\xd8\xff" and "immutable" in answer.headers["Cache-Control"]


def test_the_demo_seeds_its_photos_into_the_buckets(object_storage):
    buckets = object_storage
    core_demo.seed()
    listings_demo.seed()
    public = set(buckets.keys(buckets.public))
    assert public and public == set(ListingPhoto.objects.values_list("image", flat=True))
    assert all(default_storage.exists(name) for name in list(public)[:3])
    private = set(buckets.keys(buckets.private))
    assert private == {*AppealEvidence.objects.values_list("file", flat=True),
                       *InspectionPhoto.objects.values_list("image", flat=True)}
    assert Listing.objects.filter(photos__isnull=False).exists()


# --- settings ------------------------------------------------------------------------------------

BOTH = {"STORAGE_S3_ENDPOINT_URL": "https://s3.ap-northeast-2.amazonaws.com",
        "STORAGE_S3_PUBLIC_BUCKET": "ansim-photos", "STORAGE_S3_PRIVATE_BUCKET": "ansim-private"}


def test_the_embedded_default_keeps_files_on_the_file_system():
    loaded = load_settings({})
    assert loaded.STORAGE_S3 is False and loaded.STORAGE_PUBLIC_ORIGIN == ""
    assert loaded.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert loaded.STORAGES["private"]["BACKEND"] == "trustplatform.files.PrivateStorage"
    assert "img-src" not in loaded.CONTENT_SECURITY_POLICY["DIRECTIVES"]


def test_object_storage_settings_name_two_buckets_and_the_public_origin():
    loaded = load_settings(BOTH)
    assert loaded.STORAGES["private"]["BACKEND"] == "trustplatform.object_storage.PrivateS3Storage"
    assert loaded.STORAGES["private"]["OPTIONS"]["bucket_name"] == "ansim-private"
    assert loaded.STORAGES["default"]["OPTIONS"]["bucket_name"] == "ansim-photos"
    assert loaded.STORAGES["default"]["OPTIONS"]["querystring_auth"] is False
    assert loaded.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] == [
        "'self'", "https://s3.ap-northeast-2.amazonaws.com"]
    assert load_settings({**BOTH, "STORAGE_S3_PUBLIC_DOMAIN": "photos.ansim.kr"}).STORAGE_PUBLIC_ORIGIN == (
        "https://photos.ansim.kr")
    assert load_settings({**BOTH, "STORAGE_S3_ADDRESSING_STYLE": "virtual"}).STORAGE_PUBLIC_ORIGIN == (
        "https://ansim-photos.s3.ap-northeast-2.amazonaws.com")


@pytest.mark.parametrize("overrides, complaint", [
    ({"STORAGE_S3_PRIVATE_BUCKET": "ansim-photos"}, "must differ"),
    ({"STORAGE_S3_PRIVATE_BUCKET": ""}, "STORAGE_S3_PRIVATE_BUCKET must be set"),
    ({"STORAGE_S3_ENDPOINT_URL": ""}, "STORAGE_S3_ENDPOINT_URL must be set"),
    ({"STORAGE_S3_ENDPOINT_URL": "s3.amazonaws.com"}, "http"),
    ({"STORAGE_S3_PUBLIC_BUCKET": "Ansim_Photos"}, "no bucket name"),
    ({"STORAGE_S3_ACCESS_KEY_ID": "key-only"}, "set together"),
    ({"STORAGE_S3_ADDRESSING_STYLE": "auto"}, "path or virtual"),
    ({"STORAGE_S3_PUBLIC_DOMAIN": "https://photos.ansim.kr"}, "without a scheme"),
    ({"STORAGE_PRIVATE_URL_SECONDS": "86400"}, "at most 600"),
    ({"STORAGE_PRIVATE_URL_SECONDS": "0"}, "at least 1"),
])
def test_object_storage_nonsense_is_refused_at_start(overrides, complaint):
    with pytest.raises(ImproperlyConfigured, match=complaint):
        load_settings({**BOTH, **overrides})


def test_the_deploy_check_asks_for_object_storage(settings):
    settings.STORAGE_S3 = False
    assert [message.id for message in files.object_storage_check(None)] == ["files.W001"]
    settings.STORAGE_S3 = True
    assert files.object_storage_check(None) == []
