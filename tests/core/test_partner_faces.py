"""The partner faces every app uses: who belongs, who is told, whose phone a safe number forwards to."""

import pytest
from django.utils import timezone

from tests.factories import MembershipFactory, PartnerFactory, UserFactory
from trustplatform.notifications.models import Notification, OutboundMessage
from trustplatform.partners.models import Membership, Partner
from trustplatform.partners.selectors import MANAGING_ROLES, is_member, partner_owner_phone
from trustplatform.partners.services import partner_notify

pytestmark = pytest.mark.django_db(transaction=False)


def _verified(**kwargs):
    return UserFactory(phone_verified_at=timezone.now(), **kwargs)


@pytest.fixture
def team():
    partner = PartnerFactory(status=Partner.Status.APPROVED)
    people = {
        "owner": _verified(phone="+821011112222"),
        "manager": _verified(phone="+821033334444"),
        "staff": _verified(phone="+821055556666"),
    }
    for role, user in people.items():
        MembershipFactory(partner=partner, user=user, role=role)
    return partner, people


def test_owners_and_managers_are_told_by_default(team):
    partner, people = team
    told = partner_notify(partner=partner, title="새 예약이 들어왔습니다.", url="/portal/")
    assert told == 2
    told_users = Notification.objects.filter(title="새 예약이 들어왔습니다.").values_list("user", flat=True)
    assert set(told_users) == {people["owner"].pk, people["manager"].pk}


def test_every_member_when_asked_and_only_owners_when_asked(team):
    partner, people = team
    assert partner_notify(partner=partner, title="전원 공지", roles=None) == 3
    assert partner_notify(partner=partner, title="대표 공지", roles=[Membership.Role.OWNER]) == 1
    assert Notification.objects.get(title="대표 공지").user == people["owner"]


def test_a_keyed_text_goes_to_each_member_once(team, django_capture_on_commit_callbacks):
    partner, _people = team
    for _ in range(2):
        partner_notify(
            partner=partner, title="객실이 취소되었습니다.", sms_text=True, key="booking:7:cancelled"
        )
    texts = OutboundMessage.objects.filter(idempotency_key__startswith="booking:7:cancelled:")
    assert texts.count() == 2  # owner and manager, once each although told twice
    assert {text.body for text in texts} == {"[Ansim] 객실이 취소되었습니다."}


def test_membership_checks(team):
    partner, people = team
    outsider = UserFactory()
    assert is_member(user=people["staff"], partner=partner)
    assert is_member(user=people["staff"], partner=partner.pk)
    assert not is_member(user=people["staff"], partner=partner, roles=MANAGING_ROLES)
    assert is_member(user=people["manager"], partner=partner, roles=MANAGING_ROLES)
    assert not is_member(user=outsider, partner=partner)
    assert not is_member(user=None, partner=partner)
    pending = PartnerFactory(status=Partner.Status.APPLIED)
    MembershipFactory(partner=pending, user=outsider, role="owner")
    assert is_member(user=outsider, partner=pending)
    assert not is_member(user=outsider, partner=pending, approved=True)


def test_the_first_owner_with_a_phone_is_the_one_forwarded_to():
    partner = PartnerFactory()
    MembershipFactory(partner=partner, user=UserFactory(phone=""), role="owner")
    assert partner_owner_phone(partner=partner) == ""
    MembershipFactory(partner=partner, user=UserFactory(phone="+821077778888"), role="manager")
    assert partner_owner_phone(partner=partner) == ""  # a manager's phone is not the business's
    MembershipFactory(partner=partner, user=UserFactory(phone="+821099990000"), role="owner")
    MembershipFactory(partner=partner, user=UserFactory(phone="+821012121212"), role="owner")
    assert partner_owner_phone(partner=partner) == "+821099990000"
