"""The end of a stay and reviews on the pages: the portal records arrival, departure and no-show after a
confirmation naming what happens, the guest reviews and disputes (each confirmed first), the property
answers once, the property page shows real reviews only; agents decide in the admin."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from bookings.models import Booking, NoShowDispute, Review
from bookings.services import no_shows, reviews, stay_marks
from tests.factories import MembershipFactory, UserFactory
from trustplatform.ledger.services import partner_payable
from trustplatform.partners.models import Membership

from .factories import LodgingPartnerFactory, PropertyFactory, RoomTypeFactory, confirmed_booking

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    """A signed-in browser that asks for English (the texts checked here are the English source)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def owner(prop):
    return Membership.objects.get(partner=prop.partner, role=Membership.Role.OWNER).user


def began_yesterday(policy: str = "flexible") -> Booking:
    """A paid one-night stay whose check-in was yesterday (the property may record anything now)."""
    prop = PropertyFactory(cancellation_policy=policy, name="광안 호텔")
    booking = confirmed_booking(RoomTypeFactory(property=prop, price_krw=120_000), days_ahead=0, nights=1)
    yesterday = timezone.localdate() - timedelta(days=1)
    Booking.objects.filter(pk=booking.pk).update(check_in=yesterday, check_out=timezone.localdate())
    booking.refresh_from_db()
    return booking


def completed(prop=None) -> Booking:
    prop = prop or PropertyFactory(name="해운대 리뷰 호텔", rating=0, review_count=0)
    booking = confirmed_booking(RoomTypeFactory(property=prop), days_ahead=0, nights=1)
    return stay_marks.booking_complete(booking=booking, actor=None)


def test_the_owner_records_a_no_show_only_after_the_page_names_what_happens():
    booking = began_yesterday(policy="flexible")
    client = login(owner(booking.property))
    page = client.get(f"/portal/stays/bookings/{booking.code}/").content.decode()
    assert 'id="mark-no-show"' in page and 'id="mark-check-in"' in page
    url = f"/portal/stays/bookings/{booking.code}/stay/"
    confirm = client.post(url, {"action": "no_show"})
    text = confirm.content.decode()
    assert confirm.status_code == 200 and 'id="stay-confirm"' in text
    # Flexible policy, check-in day: 50 % back to the guest, the rest to the property, after 72 hours.
    assert "₩60,000" in text and "72 hours" in text and "cannot be undone" in text
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CONFIRMED
    done = client.post(url, {"action": "no_show", "confirmed": "on"})
    assert done.status_code == 302
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.NO_SHOW
    page = client.get(f"/portal/stays/bookings/{booking.code}/").content.decode()
    assert "Held until" in page and 'id="mark-no-show"' not in page


def test_front_desk_staff_see_no_no_show_button_and_cannot_post_one():
    booking = began_yesterday()
    desk = MembershipFactory(partner=booking.property.partner, role=Membership.Role.STAFF).user
    client = login(desk)
    page = client.get(f"/portal/stays/bookings/{booking.code}/").content.decode()
    assert 'id="mark-check-in"' in page and 'id="mark-no-show"' not in page
    answer = client.post(f"/portal/stays/bookings/{booking.code}/stay/",
                         {"action": "no_show", "confirmed": "on"}, follow=True)
    assert "Only an owner or a manager" in answer.content.decode()
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CONFIRMED
    # Arrival and departure are the front desk's, and the stay's money then shows as released.
    client.post(f"/portal/stays/bookings/{booking.code}/stay/", {"action": "check_in", "confirmed": "on"})
    client.post(f"/portal/stays/bookings/{booking.code}/stay/", {"action": "check_out", "confirmed": "on"})
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.COMPLETED
    page = client.get(f"/portal/stays/bookings/{booking.code}/").content.decode()
    assert "Released to your payouts" in page
    assert partner_payable(booking.property.partner).balance_krw == 120_000


def test_an_unknown_mark_changes_nothing():
    booking = began_yesterday()
    client = login(owner(booking.property))
    url = f"/portal/stays/bookings/{booking.code}/stay/"
    answer = client.post(url, {"action": "cancel", "confirmed": "on"})
    assert answer.status_code == 302
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CONFIRMED


def test_the_guest_reviews_after_seeing_it_back_and_it_shows_on_the_property_page():
    booking = completed()
    client = login(booking.guest)
    page = client.get(f"/stays/bookings/{booking.code}/").content.decode()
    assert 'id="write-review"' in page
    url = f"/stays/bookings/{booking.code}/review/"
    assert client.get(url).status_code == 200
    confirm = client.post(url, {"rating": "5", "text": "바다가 보여요\n직원도 친절해요"})
    assert 'id="review-confirm"' in confirm.content.decode() and Review.objects.count() == 0
    done = client.post(url, {"rating": "5", "text": "바다가 보여요\n직원도 친절해요", "confirmed": "on"})
    assert done.status_code == 302
    written = Review.objects.get(booking=booking)
    assert written.text == "바다가 보여요\n직원도 친절해요"
    assert 'id="my-review-text"' in client.get(f"/stays/bookings/{booking.code}/").content.decode()
    # Once: the form is no longer offered, and a second post is refused on the form.
    assert client.get(url).status_code == 302
    again = client.post(url, {"rating": "1", "text": "다시", "confirmed": "on"})
    assert "already reviewed" in again.content.decode() and Review.objects.count() == 1
    public = Client().get(f"/stays/p/{booking.property_id}/").content.decode()
    assert "바다가 보여요" in public and 'data-review-count="1"' in public
    assert written.author_shown in public and booking.guest.full_name not in public


def test_the_property_page_of_an_unreviewed_property_says_so_and_hidden_reviews_stay_off_it():
    prop = PropertyFactory(name="새 호텔", rating=0, review_count=0)
    assert "No reviews yet" in Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/stays/p/{prop.pk}/").content.decode()
    booking = completed(prop)
    written = reviews.review_create(booking=booking, actor=booking.guest, rating=1, text="광고입니다")
    agent = UserFactory(is_staff=True)
    agent.groups.add(Group.objects.get(name="agents"))
    reviews.review_hide(review=written, actor=agent, reason="광고")
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/stays/p/{prop.pk}/").content.decode()
    assert "광고입니다" not in page and "No reviews yet" in page


def test_a_signed_in_reader_reports_a_review_from_the_property_page():
    booking = completed()
    written = reviews.review_create(booking=booking, actor=booking.guest, rating=2, text="별로")
    reader = login(UserFactory())
    answer = reader.post(f"/stays/reviews/{written.pk}/report/", {"reason": "욕설"})
    assert answer.status_code == 302 and answer.url.endswith("#reviews")
    assert written.reports.count() == 1
    assert Client().post(f"/stays/reviews/{written.pk}/report/", {"reason": "x"}).status_code == 302
    assert written.reports.count() == 1  # anonymous: sent to log in, nothing recorded


def test_the_property_answers_in_the_portal_once_after_seeing_it_back():
    booking = completed()
    written = reviews.review_create(booking=booking, actor=booking.guest, rating=3, text="보통")
    client = login(owner(booking.property))
    page = client.get("/portal/stays/reviews/").content.decode()
    assert f'data-review="{written.pk}"' in page and "보통" in page
    url = f"/portal/stays/reviews/{written.pk}/answer/"
    confirm = client.post(url, {"answer": "감사합니다"})
    assert 'id="answer-confirm"' in confirm.content.decode()
    assert Review.objects.get(pk=written.pk).answer == ""
    assert client.post(url, {"answer": "감사합니다", "confirmed": "on"}).status_code == 302
    assert Review.objects.get(pk=written.pk).answer == "감사합니다"
    assert "answered already" in client.get(url).content.decode()
    # The portal's report form: the property's own reviews only.
    assert client.post(f"/portal/stays/reviews/{written.pk}/report/", {"reason": "허위"}).status_code == 302
    assert written.reports.filter(partner=booking.property.partner).count() == 1
    other = LodgingPartnerFactory()
    assert login(other.owner).get(url).status_code == 404


def test_the_guest_disputes_a_no_show_after_confirming_and_sees_it_waiting():
    booking = began_yesterday()
    stay_marks.booking_no_show(booking=booking, actor=None)
    client = login(booking.guest)
    page = client.get(f"/stays/bookings/{booking.code}/").content.decode()
    assert 'id="dispute-no-show"' in page
    url = f"/stays/bookings/{booking.code}/no-show/"
    confirm = client.post(url, {"statement": "밤 10시에 도착했습니다"})
    assert 'id="dispute-confirm"' in confirm.content.decode() and not NoShowDispute.objects.exists()
    assert client.post(url, {"statement": "밤 10시에 도착했습니다", "confirmed": "on"}).status_code == 302
    assert NoShowDispute.objects.get(booking=booking).statement == "밤 10시에 도착했습니다"
    page = client.get(f"/stays/bookings/{booking.code}/").content.decode()
    assert 'data-dispute="open"' in page and 'id="dispute-no-show"' not in page
    assert login(UserFactory()).get(url).status_code == 404


def test_the_agent_decides_from_the_admin_queue_with_grounds():
    booking = began_yesterday(policy="flexible")
    stay_marks.booking_no_show(booking=booking, actor=None)
    dispute = no_shows.no_show_dispute_open(booking=booking, actor=booking.guest, statement="갔어요")
    agent = UserFactory(is_staff=True)
    agent.groups.add(Group.objects.get(name="agents"))
    client = login(agent)
    queue = client.get("/admin/bookings/noshowdispute/").content.decode()
    assert booking.code in queue
    page = client.get(f"/admin/bookings/noshowdispute/{dispute.pk}/change/").content.decode()
    assert "₩60,000" in page and "decide_stayed" in page
    form = f"/admin/bookings/noshowdispute/{dispute.pk}/transition/decide_stayed/"
    assert client.get(form).status_code == 200
    assert client.post(form, {"reason": "객실 키 사용 기록 확인"}).status_code == 302
    assert NoShowDispute.objects.get(pk=dispute.pk).status == NoShowDispute.Status.STAYED
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.COMPLETED
    assert partner_payable(booking.property.partner).balance_krw == 120_000


def test_an_agent_hides_a_reported_review_with_a_reason_in_the_admin():
    booking = completed()
    written = reviews.review_create(booking=booking, actor=booking.guest, rating=1, text="광고 링크")
    reviews.review_report(review=written, actor=UserFactory(), reason="광고")
    agent = UserFactory(is_staff=True)
    agent.groups.add(Group.objects.get(name="agents"))
    client = login(agent)
    queue = client.get("/admin/bookings/review/").content.decode()
    assert f"/admin/bookings/review/{written.pk}/change/" in queue
    page = client.get(f"/admin/bookings/review/{written.pk}/change/").content.decode()
    hide = f"/admin/bookings/review/{written.pk}/moderate/hide/"
    assert hide in page and client.get(hide).status_code == 200
    assert client.post(hide, {"reason": "광고성"}).status_code == 302
    written.refresh_from_db()
    assert written.is_hidden and written.hidden_reason == "광고성"
    booking.property.refresh_from_db()
    assert booking.property.review_count == 0
    # Without the permission: refused.
    assert login(UserFactory(is_staff=True)).post(
        f"/admin/bookings/review/{written.pk}/moderate/show/", {"reason": "x"}).status_code in (302, 403)
    assert Review.objects.get(pk=written.pk).is_hidden


def test_staff_cannot_complete_a_stay_before_it_began_from_the_admin():
    later = confirmed_booking(RoomTypeFactory(property=PropertyFactory()), days_ahead=4, nights=1)
    agent = UserFactory(is_staff=True)
    agent.groups.add(Group.objects.get(name="agents"))
    client = login(agent)
    answer = client.post(f"/admin/bookings/booking/{later.pk}/change/", {"_fsm_transition_to": "complete"})
    assert answer.status_code == 302
    assert Booking.objects.get(pk=later.pk).status == Booking.Status.CONFIRMED
    assert partner_payable(later.property.partner).balance_krw == 0
