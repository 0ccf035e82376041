"""Individual landlords with no business number, whose identity the provider verified (본인인증).

The server fetches the verification from the provider and keeps only what it answered (VERIFIED,
the name, the birth date); what the browser says about the person changes nothing; a verification
makes one partner; the database refuses a partner with neither a business number nor a verified
landlord's identity. The sandbox's identity window exists only where the sandbox is allowed.
"""

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from tests.factories import IndividualLandlordFactory, PartnerFactory, UserFactory
from trustplatform.errors import DomainError
from trustplatform.partners import services
from trustplatform.partners.identity import identity_verification_id_new
from trustplatform.partners.models import Membership, Partner
from trustplatform.partners.selectors import partner_payee_identity

pytestmark = pytest.mark.django_db

FORM = {"name": "홍길동 (망원동 주택)", "contact_email": "home@example.kr",
        "address": "서울특별시 마포구 망원로 12"}


@pytest.fixture
def identity_channel(portone, settings):
    settings.PORTONE_CHANNEL_KEY_IDENTITY = "channel-key-iv-test"
    return portone


def apply_individual(user, verification_id, **extra):
    return services.partner_apply_individual(user=user, identity_verification_id=verification_id,
                                             **{**FORM, **extra})


# --- the sandbox ---------------------------------------------------------------------------------

def test_sandbox_identity_window_then_application_files_an_individual_landlord(client, consumer):
    client.force_login(consumer)
    page = client.get(reverse("partners:apply_individual"))
    window = page.context["sandbox_url"]
    back = client.post(window, {"name": "김임대", "birth_date": "1970-01-02", "phone": "010-1234-5678",
                                "verify": "1"})
    assert back.status_code == 302 and "identityVerificationId=" in back.url
    verification_id = back.url.split("identityVerificationId=")[1]
    assert client.get(back.url).context["verified"] is True

    response = client.post(reverse("partners:apply_individual"),
                           {**FORM, "identity_verification_id": verification_id})
    assert response.status_code == 302 and response.url == reverse("partners:status")
    partner = Partner.objects.get()
    assert (partner.kind, partner.registration_number, partner.status) == ("landlord", "", "applied")
    assert (partner.verified_name, partner.representative, partner.verified_birth_date) == (
        "김임대", "김임대", "1970-01-02")
    assert partner.identity_verification_id == verification_id and partner.identity_verified_at
    assert Membership.objects.get(partner=partner).user == consumer
    # The birth date is encrypted at rest.
    with connection.cursor() as cursor:
        cursor.execute("SELECT verified_birth_date FROM partners_partner WHERE id = %s", [partner.pk])
        assert "1970" not in cursor.fetchone()[0]


def test_a_failed_sandbox_verification_files_nothing(client, consumer):
    client.force_login(consumer)
    window = client.get(reverse("partners:apply_individual")).context["sandbox_url"]
    verification_id = window.rstrip("/").rsplit("/", 1)[1]
    shown = client.post(window, {"fail": "1"}, follow=True, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "verification failed" in shown  # and the page offers a new verification
    response = client.post(reverse("partners:apply_individual"),
                           {**FORM, "identity_verification_id": verification_id}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "verification failed" in response.content.decode()
    assert not Partner.objects.exists()


def test_the_sandbox_identity_window_is_404_where_the_sandbox_is_not_allowed(client, consumer, settings):
    client.force_login(consumer)
    window = client.get(reverse("partners:apply_individual")).context["sandbox_url"]
    settings.PAYMENTS_SANDBOX_ALLOWED = False
    assert client.get(window).status_code == 404
    stated = {"name": "김임대", "birth_date": "1970-01-02", "phone": "01012345678"}
    assert client.post(window, stated).status_code == 404


def test_the_sandbox_identity_window_of_another_account_is_404(client, consumer):
    other = UserFactory()
    client.force_login(consumer)
    window = reverse("partners:identity_sandbox", args=[identity_verification_id_new(user_id=other.pk)])
    assert client.get(window).status_code == 404


def test_an_application_without_a_verification_is_refused_on_the_form(client, consumer):
    client.force_login(consumer)
    response = client.post(reverse("partners:apply_individual"), FORM, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "Verify your identity first" in response.content.decode()
    assert not Partner.objects.exists()


# --- PortOne, through the SDK -------------------------------------------------------------------------

def test_portone_verified_identity_files_a_landlord_with_portones_name_and_birth(consumer, identity_channel):
    verification_id = identity_verification_id_new(user_id=consumer.pk)
    identity_channel.identity_verify(verification_id, name="박임대", birth_date="1962-11-30")
    partner = apply_individual(consumer, verification_id)
    assert (partner.verified_name, partner.verified_birth_date, partner.registration_number) == (
        "박임대", "1962-11-30", "")
    assert ("GET", f"/identity-verifications/{verification_id}", {}) in identity_channel.requests


def test_a_tampered_browser_value_changes_nothing(client, consumer, identity_channel):
    verification_id = identity_verification_id_new(user_id=consumer.pk)
    identity_channel.identity_verify(verification_id, name="박임대", birth_date="1962-11-30")
    client.force_login(consumer)
    client.post(reverse("partners:apply_individual"), {
        **FORM, "identity_verification_id": verification_id, "verified_name": "가짜이름",
        "representative": "가짜이름", "verified_birth_date": "2000-01-01", "birth_date": "2000-01-01",
        "kind": "lodging", "registration_number": "1248100998",
    })
    partner = Partner.objects.get()
    assert (partner.verified_name, partner.representative, partner.verified_birth_date) == (
        "박임대", "박임대", "1962-11-30")
    assert (partner.kind, partner.registration_number) == ("landlord", "")


@pytest.mark.parametrize("state, code", [("identity_open", "identity_not_verified"),
                                         ("identity_fail", "identity_failed"),
                                         (None, "identity_not_found")])
def test_an_unverified_failed_or_unknown_verification_is_refused(consumer, identity_channel, state, code):
    verification_id = identity_verification_id_new(user_id=consumer.pk)
    if state:
        getattr(identity_channel, state)(verification_id)
    with pytest.raises(DomainError) as refusal:
        apply_individual(consumer, verification_id)
    assert refusal.value.code == code
    assert not Partner.objects.exists()


def test_a_verification_is_used_for_one_application_only(consumer, identity_channel):
    verification_id = identity_verification_id_new(user_id=consumer.pk)
    identity_channel.identity_verify(verification_id)
    apply_individual(consumer, verification_id)
    with pytest.raises(DomainError) as refusal:
        apply_individual(consumer, verification_id, name="두 번째 집")
    assert refusal.value.code == "identity_reused" and refusal.value.status == 409
    assert Partner.objects.count() == 1


def test_the_database_refuses_a_reused_verification_too():
    first = IndividualLandlordFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        IndividualLandlordFactory(identity_verification_id=first.identity_verification_id)


def test_a_verification_made_for_another_account_is_refused(consumer, identity_channel):
    other = UserFactory()
    verification_id = identity_verification_id_new(user_id=other.pk)
    identity_channel.identity_verify(verification_id)
    with pytest.raises(DomainError) as refusal:
        apply_individual(consumer, verification_id)
    assert refusal.value.code == "identity_missing"
    assert not any(path.startswith("/identity-verifications/") for _m, path, _b in identity_channel.requests)


@pytest.mark.parametrize("fault", ["500", "timeout"])
def test_portone_unavailable_refuses_for_now_and_files_nothing(consumer, identity_channel, fault):
    verification_id = identity_verification_id_new(user_id=consumer.pk)
    identity_channel.identity_verify(verification_id)
    identity_channel.fail_next("GET", "/identity-verifications/", fault)
    with pytest.raises(DomainError) as refusal:
        apply_individual(consumer, verification_id)
    assert refusal.value.code == "identity_unavailable"
    assert not Partner.objects.exists()
    assert apply_individual(consumer, verification_id).verified_name == "홍길동"  # PortOne is back


def test_the_portone_page_opens_the_identity_window_from_this_sites_sdk(client, consumer, identity_channel):
    client.force_login(consumer)
    page = client.get(reverse("partners:apply_individual"))
    body = page.content.decode()
    assert "/static/vendor/portone/browser-sdk.js" in body and "partners/portone-identity.js" in body
    window = page.context["portone"]
    assert window["channelKey"] == "channel-key-iv-test" and window["storeId"] == "store-fake-0001"
    assert window["identityVerificationId"].startswith(f"ansim-iv-{consumer.pk}-")


# --- the constraint, and the payee's identity for payouts --------------------------------------------

@pytest.mark.parametrize("fields", [
    {"kind": Partner.Kind.LODGING},  # only a landlord may be an individual
    {"identity_verified_at": None},  # a landlord without a verified identity
    {"verified_birth_date": ""},
])
def test_the_database_refuses_a_partner_without_a_business_number_or_a_verified_landlord(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        IndividualLandlordFactory(**fields)


def test_several_individual_landlords_may_each_have_no_business_number():
    IndividualLandlordFactory()
    IndividualLandlordFactory()
    assert Partner.objects.filter(registration_number="").count() == 2


def test_the_payee_identity_is_the_verified_birth_date_or_the_business_number():
    landlord = IndividualLandlordFactory(verified_name="김임대", verified_birth_date="1970-01-02")
    business = PartnerFactory(name="한강 게스트하우스", registration_number="1248100998")
    assert partner_payee_identity(landlord) == ("individual", "김임대", "1970-01-02")
    assert partner_payee_identity(business) == ("business", "한강 게스트하우스", "1248100998")


def test_the_status_page_says_an_individual_has_no_business_number(client):
    landlord = IndividualLandlordFactory(identity_verified_at=timezone.now())
    user = UserFactory()
    Membership.objects.create(user=user, partner=landlord, role=Membership.Role.OWNER)
    client.force_login(user)
    body = client.get(reverse("partners:status"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "individual landlord, identity verified" in body
