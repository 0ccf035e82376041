"""The safe-number pool in the admin: agents and finance read it (the numbers, who holds them, how
full it is) but cannot add, change or retire a number; those granted the change permission still can."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from masking.models import ProxyNumber
from tests.factories import StaffFactory
from tests.masking.factories import ProxyNumberFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("group", ["agents", "finance"])
def test_agents_and_finance_read_the_pool_but_cannot_change_it(group):
    number = ProxyNumberFactory()
    client = signed_in(StaffFactory(group=group))
    changelist = reverse("admin:masking_proxynumber_changelist")
    change = reverse("admin:masking_proxynumber_change", args=[number.pk])

    listing = client.get(changelist)
    assert listing.status_code == 200
    page = listing.content.decode()
    assert number.display in page and 'class="masking-usage' in page
    assert reverse("admin:masking_proxynumber_add") not in page

    detail = client.get(change)
    assert detail.status_code == 200
    html = detail.content.decode()
    for control in ('name="_fsm_transition_to"', 'name="_save"', 'name="note"'):
        assert control not in html

    assert client.get(reverse("admin:masking_proxynumber_add")).status_code == 403
    assert client.post(change, {"note": "바꿈"}).status_code == 403
    assert client.post(change, {"_fsm_transition_to": "retire"}).status_code == 403
    number.refresh_from_db()
    assert number.status == ProxyNumber.Status.ACTIVE and number.note != "바꿈"


def test_staff_granted_the_change_permission_still_retire_a_number():
    number = ProxyNumberFactory()
    keeper = StaffFactory(group="agents")
    keeper.user_permissions.add(
        Permission.objects.get(content_type__app_label="masking", codename="change_proxynumber")
    )
    client = signed_in(keeper)
    change = reverse("admin:masking_proxynumber_change", args=[number.pk])
    assert 'value="retire"' in client.get(change).content.decode()
    client.post(change, {"_fsm_transition_to": "retire"})
    number.refresh_from_db()
    assert number.status == ProxyNumber.Status.RETIRED
