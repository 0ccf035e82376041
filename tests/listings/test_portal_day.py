"""A brokerage's portal home lists the reports waiting for its answer, with their deadlines, and only to
members whose role may answer them; another brokerage sees none of them."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from listings import services
from tests.factories import MembershipFactory, UserFactory
from trustplatform.partners.models import Membership
from trustplatform.ui import korean

pytestmark = pytest.mark.django_db


def _home(user) -> str:
    client = Client()
    client.force_login(user)
    page = client.get(reverse("portal:dashboard"))
    assert page.status_code == 200
    return page.content.decode()


def _reports(html: str) -> list[str]:
    return re.findall(r'<li class="day-item[^"]*" data-agenda="report">(.*?)</li>', html, re.S)


def test_a_report_awaiting_the_brokers_answer_is_listed_with_its_deadline(listing, consumer, broker):
    report = services.report_file(listing=listing, reporter=consumer, reason="price", details="가격이 달라요")
    [item] = _reports(_home(broker))
    assert reverse("listings_portal:report", args=[report.pk]) in item
    assert korean.moment(report.respond_by) in item
    assert consumer.full_name not in item  # the reporter stays anonymous


def test_another_brokerage_and_a_staff_role_member_do_not_see_it(listing, consumer, brokerage,
                                                                  make_brokerage):
    services.report_file(listing=listing, reporter=consumer, reason="gone")
    other = make_brokerage()
    assert not _reports(_home(other.memberships.get().user))
    assistant = UserFactory(is_staff=False)
    MembershipFactory(user=assistant, partner=brokerage, role=Membership.Role.STAFF)
    assert not _reports(_home(assistant))  # answering a report is for owners and managers
