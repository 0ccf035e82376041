"""Issue 17: how an enquiry turned out, from both sides. The consumer answers on its own page, on the
listing's page or through the API; the brokerage answers "still available" or "already contracted" in
the owner portal or the partner API, and is offered to close a listing it says is contracted. Each side
sees and answers only its own enquiries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from listings.models import Listing, ListingContact
from listings.services.contact import contact_outcomes_ask
from tests.factories import MembershipFactory, VerifiedUserFactory
from tests.listings.factories import ListingContactFactory
from tests.masking.factories import ProxyNumberFactory
from trustplatform.notifications.models import Notification
from trustplatform.partners.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(listing, consumer):
    return ListingContactFactory(listing=listing, consumer=consumer)


def _aged(contact: ListingContact, days: int) -> None:
    ListingContact.objects.filter(pk=contact.pk).update(created_at=timezone.now() - timedelta(days=days))


def _page(contact: ListingContact) -> str:
    return reverse("listings:contact_outcome", args=[contact.pk])


# --- the consumer's page ---------------------------------------------------------------------------


def test_the_page_asks_with_the_listing_title_and_the_four_answers(client, contact, consumer):
    client.force_login(consumer)
    page = client.get(_page(contact))
    assert page.status_code == 200
    html = page.content.decode()
    assert contact.listing.title in html
    for value in ListingContact.Outcome.values:
        assert f'type="radio" name="outcome" value="{value}"' in html


def test_answering_on_the_page_stores_it_and_comes_back_with_a_message(client, contact, consumer):
    client.force_login(consumer)
    answer = client.post(_page(contact), {"outcome": "unavailable"}, follow=True)
    assert answer.redirect_chain == [(_page(contact), 302)]
    contact.refresh_from_db()
    assert contact.outcome == "unavailable" and contact.outcome_at is not None
    assert 'class="messages"' in answer.content.decode()
    assert 'data-outcome="unavailable"' in answer.content.decode()


def test_an_answer_can_be_changed(client, contact, consumer):
    client.force_login(consumer)
    client.post(_page(contact), {"outcome": "viewed"})
    client.post(_page(contact), {"outcome": "no_viewing"})
    contact.refresh_from_db()
    assert contact.outcome == "no_viewing"


def test_another_consumer_gets_a_404_and_cannot_answer(client, contact, make_user):
    client.force_login(make_user())
    assert client.get(_page(contact)).status_code == 404
    assert client.post(_page(contact), {"outcome": "viewed"}).status_code == 404
    contact.refresh_from_db()
    assert contact.outcome == ""


def test_a_visitor_is_sent_to_log_in(client, contact):
    answer = client.get(_page(contact))
    assert answer.status_code == 302 and reverse("accounts:login") in answer["Location"]


def test_an_answer_not_on_the_list_is_refused_on_the_form(client, contact, consumer):
    client.force_login(consumer)
    answer = client.post(_page(contact), {"outcome": "maybe"})
    assert answer.status_code == 400 and 'role="alert"' in answer.content.decode()
    contact.refresh_from_db()
    assert contact.outcome == ""


def test_a_different_home_offered_leads_to_the_report_form(client, contact, consumer):
    client.force_login(consumer)
    assert "data-report-suggested" not in client.get(_page(contact)).content.decode()
    html = client.post(_page(contact), {"outcome": "other_offered"}, follow=True).content.decode()
    assert "data-report-suggested" in html
    assert reverse("listings:report", args=[contact.listing_id]) in html


def test_a_too_old_enquiry_is_not_offered_and_a_post_is_refused(client, contact, consumer, settings):
    _aged(contact, settings.LISTINGS_CONTACT_OUTCOME_DAYS + 1)
    client.force_login(consumer)
    html = client.get(_page(contact)).content.decode()
    assert "data-contact-closed" in html and 'name="outcome"' not in html
    refused = client.post(_page(contact), {"outcome": "viewed"})
    assert refused.status_code == 400 and 'role="alert"' in refused.content.decode()
    contact.refresh_from_db()
    assert contact.outcome == ""


def test_the_reminder_links_to_the_page(client, contact, consumer, settings):
    ListingContact.objects.filter(pk=contact.pk).update(
        created_at=timezone.now() - timedelta(hours=settings.LISTINGS_CONTACT_ASK_AFTER_HOURS + 1)
    )
    assert contact_outcomes_ask() == 1
    notice = Notification.objects.get(user=consumer)
    assert notice.url == _page(contact)
    client.force_login(consumer)
    assert client.get(notice.url).status_code == 200


def test_the_listing_page_asks_the_consumer_who_made_the_enquiry_only(client, contact, consumer, make_user):
    url = reverse("listings:detail", args=[contact.listing_id])
    client.force_login(make_user())
    assert "data-enquiry" not in client.get(url).content.decode()
    client.force_login(consumer)
    html = client.get(url).content.decode()
    assert f'data-enquiry="{contact.pk}"' in html and f'action="{_page(contact)}"' in html


def test_the_listing_page_shows_the_answer_and_the_report_link(client, contact, consumer):
    client.force_login(consumer)
    client.post(_page(contact), {"outcome": "other_offered"})
    html = client.get(reverse("listings:detail", args=[contact.listing_id])).content.decode()
    assert 'data-outcome="other_offered"' in html and "data-report-suggested" in html


def test_my_reports_lists_my_enquiries_only(client, contact, consumer, listing, make_user):
    someone_else = ListingContactFactory(listing=listing, consumer=make_user())
    client.force_login(consumer)
    html = client.get(reverse("listings:my_reports")).content.decode()
    assert f'data-enquiry="{contact.pk}"' in html and _page(contact) in html
    assert f'data-enquiry="{someone_else.pk}"' not in html


# --- the consumer API --------------------------------------------------------------------------------


def _api_url(contact_id: int) -> str:
    return reverse("api:listings_api:contact_outcome", args=[contact_id])


@pytest.fixture
def as_user(api_client):
    def login(user):
        api_client.force_authenticate(user)
        return api_client

    return login


def test_the_api_stores_the_answer(as_user, contact, consumer):
    answer = as_user(consumer).post(_api_url(contact.pk), {"outcome": "other_offered"}, format="json")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["id"], body["listing"], body["outcome"]) == (contact.pk, contact.listing_id, "other_offered")
    assert body["report_suggested"] is True
    contact.refresh_from_db()
    assert contact.outcome == "other_offered"


@pytest.mark.parametrize("outcome", ["maybe", "", 7, "VIEWED"])
def test_the_api_refuses_an_answer_not_on_the_list(as_user, contact, consumer, outcome):
    answer = as_user(consumer).post(_api_url(contact.pk), {"outcome": outcome}, format="json")
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_outcome" and "outcome" in answer.json()["fields"]
    contact.refresh_from_db()
    assert contact.outcome == ""


@pytest.mark.parametrize(("body", "code"), [({}, "required"), ({"outcome": ["viewed"]}, "invalid"),
                                            ({"outcome": "viewed", "why": "x"}, "unknown_field")])
def test_the_api_refuses_a_malformed_body(as_user, contact, consumer, body, code):
    answer = as_user(consumer).post(_api_url(contact.pk), body, format="json")
    assert answer.status_code == 400 and answer.json()["code"] == code


def test_the_api_hides_another_consumers_enquiry(as_user, contact, make_user):
    answer = as_user(make_user()).post(_api_url(contact.pk), {"outcome": "viewed"}, format="json")
    assert answer.status_code == 404 and answer.json()["code"] == "contact_not_found"
    contact.refresh_from_db()
    assert contact.outcome == ""


def test_the_api_answers_404_for_an_unknown_enquiry(as_user, consumer):
    answer = as_user(consumer).post(_api_url(987654), {"outcome": "viewed"}, format="json")
    assert answer.status_code == 404 and answer.json()["code"] == "contact_not_found"


def test_the_api_refuses_a_too_old_enquiry(as_user, contact, consumer, settings):
    _aged(contact, settings.LISTINGS_CONTACT_OUTCOME_DAYS + 1)
    answer = as_user(consumer).post(_api_url(contact.pk), {"outcome": "viewed"}, format="json")
    assert answer.status_code == 409 and answer.json()["code"] == "contact_closed"


def test_the_api_needs_a_login(api_client, contact):
    assert api_client.post(_api_url(contact.pk), {"outcome": "viewed"}, format="json").status_code == 401


def test_contacting_through_the_api_gives_the_enquiry_number(as_user, listing):
    ProxyNumberFactory(e164="+825051000031")
    ProxyNumberFactory(e164="+825051000032")
    consumer = VerifiedUserFactory()
    body = as_user(consumer).post(f"/api/v1/listings/{listing.pk}/contact/", {}, format="json").json()
    assert ListingContact.objects.get(pk=body["contact"]).consumer == consumer


def test_the_schema_documents_the_outcome_answers_and_codes(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/listings/contacts/{contact_id}/outcome/"]["post"]
    assert operation["operationId"] == "listings_contact_outcome"
    assert {"200", "400", "404", "409"} <= set(operation["responses"])
    assert "invalid_outcome" in operation["description"] and "contact_closed" in operation["description"]
    components = schema["components"]["schemas"]

    def resolved(node: dict) -> dict:
        return components[node["$ref"].split("/")[-1]] if "$ref" in node else node

    request = resolved(operation["requestBody"]["content"]["application/json"]["schema"])
    assert set(resolved(request["properties"]["outcome"])["enum"]) == set(ListingContact.Outcome.values)


# --- the brokerage: owner portal ---------------------------------------------------------------------


def _answer_url(contact: ListingContact) -> str:
    return reverse("listings_portal:contact_answer", args=[contact.listing_id, contact.pk])


def test_the_portal_lists_enquiries_with_the_customer_masked(client, contact, consumer, broker):
    consumer.full_name = "김민지"
    consumer.save()
    client.force_login(consumer)
    client.post(_page(contact), {"outcome": "unavailable"})
    client.force_login(broker)
    html = client.get(reverse("listings_portal:detail", args=[contact.listing_id])).content.decode()
    assert f'data-enquiry="{contact.pk}"' in html and "김*지" in html
    assert "김민지" not in html and consumer.email not in html
    assert 'data-outcome="unavailable"' in html
    assert f'action="{_answer_url(contact)}"' in html


def test_the_broker_answers_available(client, contact, broker):
    client.force_login(broker)
    answer = client.post(_answer_url(contact), {"answer": "available"}, follow=True)
    assert answer.status_code == 200
    contact.refresh_from_db()
    assert contact.broker_answer == "available" and contact.broker_answer_at is not None
    assert "data-close-suggested" not in answer.content.decode()


def test_contracted_offers_to_close_the_listing_as_a_deal_closed(client, contact, broker):
    client.force_login(broker)
    page = client.post(_answer_url(contact), {"answer": "contracted"}, follow=True).content.decode()
    contact.refresh_from_db()
    assert contact.broker_answer == "contracted"
    assert "data-close-suggested" in page
    close = reverse("listings_portal:close", args=[contact.listing_id])
    assert f'action="{close}"' in page and 'name="reason" value="deal_closed"' in page
    client.post(close, {"reason": "deal_closed"})
    listing = Listing.objects.get(pk=contact.listing_id)
    assert (listing.status, listing.archive_reason) == ("archived", "deal_closed")
    html = client.get(reverse("listings_portal:detail", args=[listing.pk])).content.decode()
    assert "data-close-suggested" not in html


def test_a_wrong_answer_is_not_stored(client, contact, broker):
    client.force_login(broker)
    assert client.post(_answer_url(contact), {"answer": "sold"}).status_code == 302
    contact.refresh_from_db()
    assert contact.broker_answer == ""


def test_another_brokerage_gets_a_404_for_the_enquiry(client, contact, make_brokerage, make_listing):
    other = make_brokerage()
    own_listing = make_listing(other)
    client.force_login(other.owner)
    assert client.post(_answer_url(contact), {"answer": "contracted"}).status_code == 404
    # Nor through a listing of its own.
    wrong_pair = reverse("listings_portal:contact_answer", args=[own_listing.pk, contact.pk])
    assert client.post(wrong_pair, {"answer": "contracted"}).status_code == 404
    contact.refresh_from_db()
    assert contact.broker_answer == ""


def test_a_staff_member_of_the_brokerage_may_not_answer(client, contact, brokerage, make_user):
    staff = make_user()
    MembershipFactory(user=staff, partner=brokerage, role=Membership.Role.STAFF)
    client.force_login(staff)
    page = client.post(_answer_url(contact), {"answer": "available"}, follow=True)
    assert page.status_code == 200
    contact.refresh_from_db()
    assert contact.broker_answer == ""


# --- the brokerage: partner API ----------------------------------------------------------------------


def _api_answer_url(contact: ListingContact, listing_id: int | None = None) -> str:
    return reverse(
        "api:listings_api:partner_contact_answer", args=[listing_id or contact.listing_id, contact.pk]
    )


def test_the_partner_api_lists_a_listings_enquiries(as_user, contact, consumer, broker):
    consumer.full_name = "김민지"
    consumer.save()
    url = reverse("api:listings_api:partner_contacts", args=[contact.listing_id])
    body = as_user(broker).get(url).json()
    assert [row["id"] for row in body["results"]] == [contact.pk]
    assert body["results"][0]["customer"] == "김*지"
    assert "consumer" not in body["results"][0]


def test_the_partner_api_answers_an_enquiry(as_user, contact, broker):
    answer = as_user(broker).post(_api_answer_url(contact), {"answer": "contracted"}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["broker_answer"] == "contracted"
    contact.refresh_from_db()
    assert contact.broker_answer == "contracted"


@pytest.mark.parametrize("value", ["sold", "", 3])
def test_the_partner_api_refuses_another_answer(as_user, contact, broker, value):
    answer = as_user(broker).post(_api_answer_url(contact), {"answer": value}, format="json")
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_answer"
    contact.refresh_from_db()
    assert contact.broker_answer == ""


def test_the_partner_api_hides_other_brokerages_enquiries(as_user, contact, make_brokerage, make_listing):
    other = make_brokerage()
    own_listing = make_listing(other)
    client = as_user(other.owner)
    listed = client.get(reverse("api:listings_api:partner_contacts", args=[contact.listing_id]))
    assert listed.status_code == 404
    for url in (_api_answer_url(contact), _api_answer_url(contact, own_listing.pk)):
        answer = client.post(url, {"answer": "available"}, format="json")
        assert answer.status_code == 404, url
    contact.refresh_from_db()
    assert contact.broker_answer == ""
