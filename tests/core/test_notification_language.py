"""Notices and texts are written in the language of the person who reads them, not of whoever (or
whatever task) caused them."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from tests.factories import MembershipFactory, PartnerFactory, UserFactory
from trustplatform.accounts.models import User
from trustplatform.notifications.models import Notification, OutboundMessage
from trustplatform.notifications.services import Phrase, label_of, notification_send, staff_notify
from trustplatform.partners.models import Partner
from trustplatform.partners.services import partner_approve

pytestmark = pytest.mark.django_db


def _owner(language: str):
    return UserFactory(language=language, phone="+821024681357", phone_verified_at=timezone.now())


def test_a_partner_owner_reads_the_approval_in_their_own_language(django_capture_on_commit_callbacks):
    korean_owner, english_owner = _owner("ko"), UserFactory(language="en")
    partner = PartnerFactory(name="해운대 호텔", status=Partner.Status.APPLIED)
    MembershipFactory(partner=partner, user=korean_owner, role="owner")
    MembershipFactory(partner=partner, user=english_owner, role="owner")
    agent = UserFactory(is_staff=True, is_superuser=True, language="en")

    with translation.override("en"):  # the agent decides on an English admin page
        partner_approve(instance=partner, actor=agent)

    assert Notification.objects.get(user=korean_owner).title == (
        "해운대 호텔 업체가 승인되었습니다. 이제 사장님 포털을 이용하실 수 있습니다."
    )
    assert Notification.objects.get(user=english_owner).title == (
        "해운대 호텔 is approved: the owner portal is open."
    )
    # The text says the same as the notice, in the same language.
    text = OutboundMessage.objects.get()  # only the Korean owner's number is verified
    assert text.recipient == korean_owner.phone
    assert text.body == "[Ansim] 해운대 호텔 업체가 승인되었습니다. 이제 사장님 포털을 이용하실 수 있습니다."


def test_a_task_without_a_language_still_writes_english_to_an_english_reader():
    reader = UserFactory(language="en")
    with translation.override("ko"):  # e.g. a worker running in the platform's language
        notification_send(
            user=reader,
            title=Phrase(gettext_lazy("New partner application: %(name)s"), {"name": "안심숙박"}),
        )
    assert Notification.objects.get(user=reader).title == "New partner application: 안심숙박"


def test_staff_are_told_each_in_their_language():
    group, _ = Group.objects.get_or_create(name="agents")
    korean_agent = UserFactory(is_staff=True, language="ko")
    english_agent = UserFactory(is_staff=True, language="en")
    for agent in (korean_agent, english_agent):
        agent.groups.add(group)
    with translation.override("en"):
        staff_notify(group="agents", title=Phrase(gettext_lazy("New partner application: %(name)s"),
                                                  {"name": "안심숙박"}))
    assert Notification.objects.get(user=korean_agent).title == "새 파트너 신청: 안심숙박"
    assert Notification.objects.get(user=english_agent).title == "New partner application: 안심숙박"


def test_a_choice_label_in_a_phrase_follows_the_reader():
    partner = PartnerFactory(status=Partner.Status.APPROVED)
    words = Phrase(
        gettext_lazy("Your dispute was decided: %(outcome)s"), {"outcome": label_of(partner, "status")}
    )
    korean, english = UserFactory(language="ko"), UserFactory(language="en")
    with translation.override("en"):
        notification_send(user=korean, title=words)
    with translation.override("ko"):
        notification_send(user=english, title=words)
    assert Notification.objects.get(user=korean).title == "분쟁 결정이 내려졌습니다: 승인됨"
    assert Notification.objects.get(user=english).title == "Your dispute was decided: Approved"


def test_plain_text_is_stored_as_given():
    reader = UserFactory(language="en")
    notification_send(user=reader, title="예약이 확정되었습니다.")
    assert Notification.objects.get(user=reader).title == "예약이 확정되었습니다."


def test_the_language_switch_remembers_a_signed_in_persons_choice(client):
    user = UserFactory(language="ko")
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    # An unknown language changes nothing and is not stored.
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"


def _sign_up(client, email: str, full_name: str, phone: str) -> None:
    client.post(reverse("accounts:signup"), {"email": email})
    link = re.search(r"https?://[^/\s]+(/accounts/signup/\S+/)", mail.outbox[-1].body).group(1)
    client.post(link, {"full_name": full_name, "phone": phone,
                       "password1": "a-long-pass-phrase-42", "password2": "a-long-pass-phrase-42"})


def test_signing_up_in_english_keeps_english(client):
    client.cookies["django_language"] = "en"
    _sign_up(client, "jane@example.com", "Jane Doe", "010-2345-6789")
    assert User.objects.get(email="jane@example.com").language == "en"
    client.logout()  # also forgets the language cookie
    _sign_up(client, "minji@example.kr", "김민지", "010-3456-7890")
    assert User.objects.get(email="minji@example.kr").language == "ko"
