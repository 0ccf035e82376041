"""Issue 17: a listing's building type and year built, which prices are compared by, go in through the
owner portal's form and the partner API and come out on the listing's page, in the API and in the admin."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from listings.models import Listing
from tests.listings.conftest import listing_data

pytestmark = pytest.mark.django_db

PARTNER_LISTINGS = "/api/v1/listings/partner/listings/"


@pytest.fixture
def portal(client, broker):
    client.force_login(broker)
    return client


@pytest.fixture
def as_broker(api_client, broker):
    api_client.force_authenticate(broker)
    return api_client


def _form(**overrides) -> dict:
    data = {**listing_data(), "publish": "on"}
    data.update(overrides)
    return data


# --- the owner portal's form -------------------------------------------------------------------------


def test_the_portal_form_stores_the_building_and_shows_it_when_editing(portal):
    created = portal.post(reverse("listings_portal:create"), _form(building_type="villa", built_year="2003"))
    assert created.status_code == 302, created.content.decode()[:2000]
    listing = Listing.objects.get()
    assert (listing.building_type, listing.built_year) == ("villa", 2003)
    edit = portal.get(reverse("listings_portal:edit", args=[listing.pk])).content.decode()
    assert '<option value="villa" selected>' in edit and 'name="built_year" value="2003"' in edit
    portal.post(reverse("listings_portal:edit", args=[listing.pk]),
                _form(building_type="officetel", built_year="2021"))
    listing.refresh_from_db()
    assert (listing.building_type, listing.built_year) == ("officetel", 2021)


def test_the_portal_form_may_leave_the_building_unstated(portal):
    assert portal.post(reverse("listings_portal:create"), _form()).status_code == 302
    listing = Listing.objects.get()
    assert (listing.building_type, listing.built_year) == ("", None)


@pytest.mark.parametrize("year", ["1800", str(timezone.localdate().year + 10)])
def test_the_portal_form_shows_a_year_out_of_range_under_the_field(portal, year):
    answer = portal.post(reverse("listings_portal:create"), _form(building_type="villa", built_year=year))
    assert answer.status_code == 200
    assert "built_year" in answer.context["form"].errors
    assert "1900" in answer.context["form"].errors["built_year"][0]
    assert "has-error" in answer.content.decode()
    assert not Listing.objects.exists()


def test_the_portal_form_refuses_an_unknown_building_type(portal):
    answer = portal.post(reverse("listings_portal:create"), _form(building_type="castle"))
    assert answer.status_code == 200 and "building_type" in answer.context["form"].errors
    assert not Listing.objects.exists()


# --- the partner API ---------------------------------------------------------------------------------


def test_the_partner_api_takes_and_gives_back_the_building(as_broker):
    created = as_broker.post(
        PARTNER_LISTINGS, {**listing_data(), "building_type": "apartment", "built_year": 1998}, format="json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["building_type"], body["built_year"]) == ("apartment", 1998)
    listing = Listing.objects.get(pk=body["id"])
    assert (listing.building_type, listing.built_year) == ("apartment", 1998)
    read = as_broker.get(f"{PARTNER_LISTINGS}{listing.pk}/").json()
    assert (read["building_type"], read["built_year"]) == ("apartment", 1998)
    patched = as_broker.patch(f"{PARTNER_LISTINGS}{listing.pk}/", {"built_year": None}, format="json")
    assert patched.status_code == 200 and patched.json()["built_year"] is None
    assert patched.json()["building_type"] == "apartment"  # a field not sent is kept


def test_the_partner_api_refuses_a_year_out_of_range(as_broker, listing):
    answer = as_broker.patch(f"{PARTNER_LISTINGS}{listing.pk}/", {"built_year": 1800}, format="json")
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_listing" and "built_year" in answer.json()["fields"]
    listing.refresh_from_db()
    assert listing.built_year is None


@pytest.mark.parametrize("body", [{"building_type": "castle"}, {"built_year": "old"}, {"built_year": 10**30}])
def test_the_partner_api_refuses_nonsense(as_broker, listing, body):
    answer = as_broker.patch(f"{PARTNER_LISTINGS}{listing.pk}/", body, format="json")
    assert answer.status_code == 400 and set(body) <= set(answer.json()["fields"])


def test_the_public_api_shows_the_building(api_client, make_listing, brokerage):
    listing = make_listing(brokerage, building_type="house", built_year=1995)
    body = api_client.get(f"/api/v1/listings/{listing.pk}/").json()
    assert (body["building_type"], body["built_year"]) == ("house", 1995)


# --- the listing's page ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("floor", "words"),
    [(3, "Floor 3"), (0, "Semi-basement"), (-1, "Basement floor 1"), (-2, "Basement floor 2")],
)
def test_the_listing_page_reads_building_type_year_and_floor(client, make_listing, brokerage, floor, words):
    listing = make_listing(brokerage, building_type="villa", built_year=2003, floor=floor)
    url = reverse("listings:detail", args=[listing.pk])
    with translation.override("en"):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    building = html.split("data-building>")[1].split("</span></span>")[0]
    assert 'data-building-type="villa"' in building and "Built in 2003" in building
    assert f"<span data-floor>{words}" in building
    assert building.index("data-building-type") < building.index("Built in") < building.index("data-floor")


def test_the_listing_page_leaves_out_what_is_not_stated(client, listing):
    html = client.get(reverse("listings:detail", args=[listing.pk])).content.decode()
    assert "data-building>" in html and "data-building-type" not in html and "data-built-year" not in html


def test_the_portal_page_shows_the_building(portal, make_listing, brokerage):
    listing = make_listing(brokerage, building_type="officetel", built_year=2020)
    html = portal.get(reverse("listings_portal:detail", args=[listing.pk])).content.decode()
    assert 'data-building-type="officetel"' in html and "2020" in html


# --- the admin ---------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def test_the_admin_filters_listings_by_building_type(admin_client, make_listing, brokerage):
    villa = make_listing(brokerage, building_type="villa", title="빌라 투룸")
    flat = make_listing(brokerage, building_type="apartment", title="아파트 쓰리룸")
    page = admin_client.get("/admin/listings/listing/", {"building_type": "villa", "queue": "all"})
    assert page.status_code == 200
    shown = [row.pk for row in page.context["cl"].result_list]
    assert villa.pk in shown and flat.pk not in shown


def test_the_admin_shows_refreshes_registry_change_and_answers_read_only(
    admin_client, listing, consumer
):
    from listings.services.contact import contact_outcome_record
    from tests.listings.factories import ListingContactFactory

    Listing.objects.filter(pk=listing.pk).update(refresh_count=7, registry_changed_at=timezone.now())
    contact = ListingContactFactory(listing=listing, consumer=consumer)
    contact_outcome_record(contact_id=contact.pk, consumer=consumer, outcome="unavailable")
    page = admin_client.get(f"/admin/listings/listing/{listing.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="refresh_count"' not in html and 'name="registry_changed_at"' not in html
    assert "field-refresh_count" in html and "field-registry_changed_at" in html
    assert "field-outcome" in html and "field-broker_answer" in html
    assert 'name="contacts-0-outcome"' not in html
