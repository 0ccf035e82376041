import pytest
from django.urls import reverse

from trustplatform.partners.models import Partner

from ..factories import MembershipFactory, PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_portal_visit_goes_to_login(client):
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_a_consumer_cannot_open_the_portal(client, consumer):
    client.force_login(consumer)
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 403
    assert reverse("partners:apply") in response.content.decode()


def test_a_pending_partner_cannot_open_the_portal(client):
    membership = MembershipFactory(partner=PartnerFactory(status=Partner.Status.APPLIED))
    client.force_login(membership.user)
    assert client.get(reverse("portal:dashboard")).status_code == 403


def test_an_approved_partner_sees_its_dashboard(client, owner_membership):
    client.force_login(owner_membership.user)
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    assert owner_membership.partner.name in response.content.decode()


def test_a_suspended_partner_is_locked_out_of_portal_and_api(client, api_client, owner_membership):
    Partner.objects.filter(pk=owner_membership.partner_id).update(status=Partner.Status.SUSPENDED)
    client.force_login(owner_membership.user)
    assert client.get(reverse("portal:dashboard")).status_code == 403
    assert client.get(reverse("portal:team")).status_code == 403
    api_client.force_authenticate(owner_membership.user)
    response = api_client.get(reverse("api:members"))
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_partner_a_gets_404_for_partner_b_objects_in_the_portal(client):
    a = MembershipFactory()
    b = MembershipFactory()
    client.force_login(a.user)
    assert client.get(reverse("portal:member", args=[a.pk])).status_code == 200
    assert client.get(reverse("portal:member", args=[b.pk])).status_code == 404
    # Nor can A switch the portal to act for B.
    assert client.post(reverse("portal:switch", args=[b.partner_id])).status_code == 404


def test_partner_a_gets_404_for_partner_b_objects_in_the_api(api_client):
    a = MembershipFactory()
    b = MembershipFactory()
    api_client.force_authenticate(a.user)
    assert api_client.get(reverse("api:member", args=[a.pk])).status_code == 200
    assert api_client.get(reverse("api:member", args=[b.pk])).json()["code"] == "not_found"
    assert api_client.get(reverse("api:partner", args=[b.partner_id])).status_code == 404
    # Naming B's partner in the header does not help either.
    response = api_client.get(reverse("api:members"), HTTP_X_PARTNER_ID=str(b.partner_id))
    assert response.status_code == 404
    assert [m["id"] for m in api_client.get(reverse("api:members")).json()] == [a.pk]


def test_a_user_of_two_partners_switches_between_them(client):
    user = UserFactory()
    first = MembershipFactory(user=user, partner=PartnerFactory(name="가 숙박"))
    second = MembershipFactory(user=user, partner=PartnerFactory(name="나 중개"))
    client.force_login(user)
    assert "가 숙박" in client.get(reverse("portal:dashboard")).context["partner"].name
    client.post(reverse("portal:switch", args=[second.partner_id]))
    page = client.get(reverse("portal:dashboard"))
    assert page.context["partner"].pk == second.partner_id
    assert len(page.context["switchable_partners"]) == 2
    assert first.partner_id != second.partner_id


def test_api_with_several_partners_must_name_one(api_client):
    user = UserFactory()
    MembershipFactory(user=user)
    second = MembershipFactory(user=user)
    api_client.force_authenticate(user)
    assert api_client.get(reverse("api:members")).json()["code"] == "invalid"
    response = api_client.get(reverse("api:members"), HTTP_X_PARTNER_ID=str(second.partner_id))
    assert [m["id"] for m in response.json()] == [second.pk]


def test_public_partner_profile_shows_only_approved_partners(api_client):
    approved = PartnerFactory()
    pending = PartnerFactory(status=Partner.Status.APPLIED)
    assert api_client.get(reverse("api:public_partner", args=[approved.pk])).status_code == 200
    assert api_client.get(reverse("api:public_partner", args=[pending.pk])).status_code == 404


def test_site_shell_pages_answer(client):
    for url in ["/", "/accounts/login/", "/accounts/signup/", "/admin/login/", "/healthz/"]:
        assert client.get(url).status_code == 200, url


def test_korean_by_default_and_english_on_request(client):
    assert "안심" in client.get("/").content.decode()
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Deal with strangers, safely" in english
