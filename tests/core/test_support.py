"""Consumers reach the agents' team: a question about one of their own objects (never another
person's), a daily limit per person, the agents' queue, and a reply that reaches the consumer."""

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, transaction

from listings import services as listings_services
from tests.bookings.factories import RoomTypeFactory, confirmed_booking
from tests.escrow.factories import agreed_rental
from tests.factories import UserFactory, VerifiedUserFactory
from tests.listings.conftest import listing_data
from tests.listings.factories import BrokerageFactory
from trustplatform.errors import DomainError
from trustplatform.notifications.models import Notification, OutboundMessage
from trustplatform.support import services
from trustplatform.support.errors import SupportConflict, SupportError, SupportNotFound
from trustplatform.support.models import Inquiry, InquiryMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def guest():
    return VerifiedUserFactory(full_name="김민지")


@pytest.fixture
def agent():
    user = UserFactory(is_staff=True, full_name="상담원 이")
    user.groups.add(Group.objects.get(name="agents"))
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def booking(guest):
    return confirmed_booking(RoomTypeFactory(rooms=2), user=guest)


@pytest.fixture
def strangers_booking():
    return confirmed_booking(RoomTypeFactory(rooms=2), user=VerifiedUserFactory())


def _ask(user, **overrides) -> Inquiry:
    data = {"category": "stay", "message": "체크인 때 방이 없다고 합니다.", **overrides}
    return services.inquiry_open(user=user, **data)


def test_a_guest_asks_about_their_own_booking_from_its_page_and_the_agents_are_told(
    client, guest, booking, agent
):
    client.force_login(guest)
    page = client.get(f"/stays/bookings/{booking.code}/").content.decode()
    assert f"/help/ask/?about=booking:{booking.pk}" in page
    form = client.get(f"/help/ask/?about=booking:{booking.pk}").content.decode()
    assert booking.code in form
    sent = client.post(
        f"/help/ask/?about=booking:{booking.pk}",
        {"category": "stay", "about": f"booking:{booking.pk}", "message": "숙소가 입실을 거부했습니다."},
    )
    inquiry = Inquiry.objects.get()
    assert sent.status_code == 302 and sent["Location"] == f"/help/{inquiry.pk}/"
    assert (inquiry.requester, inquiry.subject, inquiry.status) == (guest, booking, Inquiry.Status.OPEN)
    assert booking.code in inquiry.subject_label
    assert inquiry.messages.get().body == "숙소가 입실을 거부했습니다."
    notice = Notification.objects.get(user=agent)
    assert notice.url == f"/admin/support/inquiry/{inquiry.pk}/change/" and f"#{inquiry.pk}" in notice.title


def test_another_persons_booking_cannot_be_named(client, guest, booking, strangers_booking):
    with pytest.raises(SupportNotFound) as refused:
        _ask(guest, about=f"booking:{strangers_booking.pk}")
    assert refused.value.code == "unknown_subject" and refused.value.status == 404
    client.force_login(guest)
    form = client.get(f"/help/ask/?about=booking:{strangers_booking.pk}").content.decode()
    assert strangers_booking.code not in form and booking.code in form
    sent = client.post(
        f"/help/ask/?about=booking:{strangers_booking.pk}",
        {"category": "stay", "about": f"booking:{strangers_booking.pk}", "message": "남의 예약"},
    )
    assert sent.status_code == 400
    assert not Inquiry.objects.exists()


@pytest.mark.parametrize(
    "about", ["booking:abc", "nope:1", "booking:", "booking:99999999999999999999999", ":"]
)
def test_malformed_subjects_are_refused_not_errors(guest, about):
    with pytest.raises(SupportNotFound):
        _ask(guest, about=about)


@pytest.mark.parametrize(
    "overrides, code",
    [
        ({"message": "   "}, "message_required"),
        ({"message": "가" * 3001}, "message_too_long"),
        ({"category": "gossip"}, "invalid_category"),
    ],
)
def test_bad_input_is_a_clear_refusal(guest, overrides, code):
    with pytest.raises(SupportError) as refused:
        _ask(guest, **overrides)
    assert refused.value.code == code and refused.value.status == 400


def test_a_deposit_page_links_to_the_form_for_that_deposit(client):
    agreement, tenant, _landlord = agreed_rental()
    client.force_login(tenant)
    assert (
        f"/help/ask/?about=agreement:{agreement.pk}"
        in client.get(f"/deposits/{agreement.pk}/").content.decode()
    )
    inquiry = _ask(tenant, category="deposit", about=f"agreement:{agreement.pk}")
    assert inquiry.subject == agreement
    with pytest.raises(SupportNotFound):
        _ask(UserFactory(), about=f"agreement:{agreement.pk}")


def test_a_listing_can_be_named_once_the_consumer_dealt_with_it(guest):
    brokerage = BrokerageFactory()
    listing = listings_services.listing_create(
        partner=brokerage, actor=brokerage.owner, data=listing_data(), publish=True
    )
    with pytest.raises(SupportNotFound):
        _ask(guest, category="home", about=f"listing:{listing.pk}")
    listings_services.report_file(listing=listing, reporter=guest, reason="gone")
    assert _ask(guest, category="home", about=f"listing:{listing.pk}").subject == listing


def test_messages_are_limited_per_person_per_day(client, guest, settings):
    settings.SUPPORT_MESSAGES_PER_DAY = 2
    first = _ask(guest)
    services.inquiry_follow_up(inquiry=first, user=guest, message="추가로 말씀드립니다.")
    with pytest.raises(SupportError) as refused:
        _ask(guest)
    assert refused.value.code == "rate_limited" and refused.value.status == 429
    with pytest.raises(SupportError):
        services.inquiry_follow_up(inquiry=first, user=guest, message="한 번 더")
    assert _ask(UserFactory()).pk  # someone else is not held back
    client.force_login(guest)
    page = client.post("/help/ask/", {"category": "other", "message": "세 번째"})
    assert page.status_code == 400 and Inquiry.objects.filter(requester=guest).count() == 1


def test_an_agents_reply_tells_the_consumer_in_the_app_and_by_text(client, guest, agent):
    inquiry = _ask(guest)
    client.force_login(agent)
    queue = client.get("/admin/support/inquiry/").content.decode()
    assert f"/admin/support/inquiry/{inquiry.pk}/change/" in queue
    assert client.get(f"/admin/support/inquiry/{inquiry.pk}/change/").status_code == 200
    client.post(
        f"/admin/support/inquiry/{inquiry.pk}/transition/answer/", {"body": "대체 객실을 찾아 드렸습니다."}
    )
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.ANSWERED and inquiry.assignee == agent
    assert inquiry.messages.filter(from_staff=True, author=agent).count() == 1
    notice = Notification.objects.get(user=guest)
    assert notice.url == f"/help/{inquiry.pk}/" and notice.body == "대체 객실을 찾아 드렸습니다."
    text = OutboundMessage.objects.get(notification=notice)
    assert f"#{inquiry.pk}" in text.body
    client.force_login(guest)
    thread = client.get(f"/help/{inquiry.pk}/").content.decode()
    assert "대체 객실을 찾아 드렸습니다." in thread and 'data-from="staff"' in thread


def test_the_consumer_writes_back_and_the_question_waits_for_its_agent_again(client, guest, agent):
    inquiry = _ask(guest)
    services.inquiry_reply(inquiry=inquiry, actor=agent, body="예약번호를 알려 주세요.")
    client.force_login(guest)
    assert client.post(f"/help/{inquiry.pk}/", {"message": "B-1234 입니다."}).status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.OPEN
    assert Notification.objects.filter(user=agent, title__contains=f"#{inquiry.pk}").count() == 2


def test_a_closed_question_takes_no_more_messages(guest, agent):
    inquiry = _ask(guest)
    services.inquiry_close(inquiry=inquiry, actor=agent, reason="해결되었습니다.")
    with pytest.raises(SupportConflict) as refused:
        services.inquiry_follow_up(inquiry=inquiry, user=guest, message="하나 더")
    assert refused.value.code == "inquiry_closed"


def test_another_persons_question_is_not_found(client, guest):
    inquiry = _ask(guest)
    client.force_login(UserFactory())
    assert client.get(f"/help/{inquiry.pk}/").status_code == 404
    assert client.post(f"/help/{inquiry.pk}/", {"message": "끼어들기"}).status_code == 404
    assert inquiry.messages.count() == 1
    with pytest.raises(SupportNotFound):
        services.inquiry_follow_up(inquiry=inquiry, user=UserFactory(), message="끼어들기")


def test_only_agents_answer_and_only_agents_are_assigned(guest, agent):
    inquiry = _ask(guest)
    clerk = UserFactory(is_staff=True)
    with pytest.raises(DomainError) as refused:
        services.inquiry_reply(inquiry=inquiry, actor=clerk, body="답변")
    assert refused.value.code == "transition_forbidden"
    with pytest.raises(SupportError) as refused:
        services.inquiry_assign(inquiry=inquiry, actor=agent, assignee=clerk)
    assert refused.value.code == "not_an_agent"


def test_agents_assign_from_the_queue(client, guest, agent):
    other = UserFactory(is_staff=True, full_name="상담원 박")
    other.groups.add(Group.objects.get(name="agents"))
    inquiry = _ask(guest)
    client.force_login(agent)
    client.post("/admin/support/inquiry/", {"action": "assign_to_me", "_selected_action": [inquiry.pk]})
    inquiry.refresh_from_db()
    assert inquiry.assignee == agent
    change = f"/admin/support/inquiry/{inquiry.pk}/change/"
    assert change in client.get("/admin/support/inquiry/?agent=me").content.decode()
    assert change not in client.get("/admin/support/inquiry/?agent=nobody").content.decode()
    client.post(f"/admin/support/inquiry/{inquiry.pk}/assign/", {"assignee": other.pk})
    inquiry.refresh_from_db()
    assert inquiry.assignee == other
    assert Notification.objects.filter(user=other, title__contains=f"#{inquiry.pk}").exists()


def test_messages_are_never_changed(guest):
    message = _ask(guest).messages.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        InquiryMessage.objects.filter(pk=message.pk).update(body="고쳐 쓰기")


def test_the_navigation_leads_to_my_reports_and_to_the_agents(client, guest):
    footer = client.get("/").content.decode()
    assert "/help/ask/" in footer  # a guest sees the way in; the form asks them to log in
    assert client.get("/help/ask/")["Location"].startswith("/accounts/login/")
    client.force_login(guest)
    nav = client.get("/").content.decode()
    assert 'href="/homes/my-reports/"' in nav and 'href="/help/"' in nav
    assert client.get("/homes/my-reports/").status_code == 200


def test_my_questions_lists_only_mine(client, guest):
    mine = _ask(guest)
    theirs = _ask(UserFactory())
    client.force_login(guest)
    page = client.get("/help/").content.decode()
    assert f'data-inquiry="{mine.pk}"' in page and f'data-inquiry="{theirs.pk}"' not in page
