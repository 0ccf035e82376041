"""A payee's portal home lists the dispute its payer opened, linked to the agreement's disputes, and
none of its own disputes or another partner's."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from escrow.services import disputes
from tests.factories import MembershipFactory

from .factories import agreed_rental, fund

pytestmark = pytest.mark.django_db


def _disputes(user) -> list[str]:
    client = Client()
    client.force_login(user)
    html = client.get(reverse("portal:dashboard")).content.decode()
    return re.findall(r'<li class="day-item[^"]*" data-agenda="dispute">(.*?)</li>', html, re.S)


def test_the_payers_dispute_waits_for_the_payees_answer_on_its_home():
    agreement, tenant, landlord = agreed_rental()
    fund(agreement, tenant)
    disputes.dispute_open(agreement=agreement, actor=tenant, reasons="열쇠를 받지 못했습니다.")
    [item] = _disputes(landlord)
    assert reverse("escrow_portal:detail", args=[agreement.pk]) + "#disputes" in item
    assert not _disputes(MembershipFactory().user)  # another partner
