"""The safe-number choice when contacting a listing's broker: ticked, both sides dial proxy numbers and
the broker is told a proxy number; unticked, the broker is given the consumer's own number and no safe
number is opened; the answer is remembered, and the API takes and tells it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from rest_framework.test import APIClient

from listings.models import ListingContact
from masking import services as masking
from masking.errors import MaskingError
from masking.models import MaskedSession, Preference
from tests.factories import VerifiedUserFactory
from tests.masking.factories import ProxyNumberFactory
from trustplatform.notifications.models import Notification

pytestmark = pytest.mark.django_db

BROKER_REAL = "010-5555-0001"  # the brokerage owner's number (conftest)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def shopper():
    ProxyNumberFactory.create_batch(4)
    return VerifiedUserFactory(phone="+821077770123")


def _contact(client, listing, *, safe: bool | None):
    form = {} if safe is None else {"use_safe_number-shown": "1"}
    if safe:
        form["use_safe_number"] = "on"
    response = client.post(f"/homes/{listing.pk}/contact/", form)
    assert response.status_code == 200
    return response.content.decode()


def _told(broker) -> list[str]:
    return list(Notification.objects.filter(user=broker, title__contains="asked about listing")
                .values_list("title", flat=True))


def test_ticked_both_sides_dial_proxy_numbers(client, listing, broker, shopper):
    client.force_login(shopper)
    page = _contact(client, listing, safe=True)
    session = MaskedSession.objects.get()
    numbers = {p.side: p.proxy_number.display for p in session.participants.select_related("proxy_number")}
    assert f"data-safe-number>{numbers['consumer']}<" in page
    assert "010-7777-0123" not in page and BROKER_REAL not in page
    [title] = _told(broker)
    assert numbers["business"] in title and "010-7777-0123" not in title


def test_unticked_the_broker_gets_the_consumers_own_number_once(client, listing, broker, shopper):
    client.force_login(shopper)
    page = _contact(client, listing, safe=False)
    assert "data-own-number" in page and "data-safe-number" not in page and BROKER_REAL not in page
    assert not MaskedSession.objects.exists()
    assert _told(broker) == [f"A customer asked about listing #{listing.pk}: reach them at 010-7777-0123."]
    _contact(client, listing, safe=False)  # asking again: the same contact, the broker is not told twice
    assert ListingContact.objects.filter(consumer=shopper, masked_session_id__isnull=True).count() == 1
    assert len(_told(broker)) == 1


def test_the_answer_is_remembered_and_prefilled(client, listing, shopper):
    client.force_login(shopper)

    def ticked() -> bool:
        html = client.get(f"/homes/{listing.pk}/").content.decode()
        return "checked" in re.search(r'<input[^>]*name="use_safe_number"[^>]*>', html).group(0)

    assert ticked()
    _contact(client, listing, safe=False)
    assert not ticked() and Preference.objects.get(user=shopper).use_safe_number is False
    _contact(client, listing, safe=None)  # posted without the box: the remembered answer, no safe number
    assert not MaskedSession.objects.exists()
    _contact(client, listing, safe=True)
    assert ticked() and MaskedSession.objects.count() == 1


def test_a_declined_deal_never_gets_a_safe_number_even_when_asked_directly(listing, shopper):
    masking.choice_record(user=shopper, subject=listing, use_safe_number=False)
    with pytest.raises(MaskingError) as refused:
        masking.session_open(
            consumer=masking.Party(phone=shopper.phone, label="고객", user=shopper),
            business=masking.Party(phone="+821055550001", label="중개"),
            expires_at=timezone.now() + timedelta(hours=3), subject=listing,
        )
    assert refused.value.code == "safe_number_declined" and not MaskedSession.objects.exists()


@pytest.mark.parametrize(("sent", "used"), [(False, False), (True, True), (None, False)])
def test_the_api_takes_the_answer_and_says_which_was_used(listing, broker, shopper, sent, used):
    Preference.objects.create(user=shopper, use_safe_number=False)  # what "not sent" falls back to
    api = APIClient()
    api.force_authenticate(shopper)
    response = api.post(f"/api/v1/listings/{listing.pk}/contact/",
                        {} if sent is None else {"use_safe_number": sent}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["use_safe_number"] is used
    assert bool(body["dial"]) is used and (body["expires_at"] is None) is not used
    assert MaskedSession.objects.exists() is used
    assert ("010-7777-0123" in _told(broker)[0]) is not used


def test_the_api_refuses_a_non_boolean_answer_with_a_400(listing, shopper):
    api = APIClient()
    api.force_authenticate(shopper)
    response = api.post(f"/api/v1/listings/{listing.pk}/contact/", {"use_safe_number": "perhaps"},
                        format="json")
    assert response.status_code == 400 and "use_safe_number" in response.json()["fields"]
    assert not ListingContact.objects.exists()
