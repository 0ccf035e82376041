"""Reviews of real stays (services/reviews.py): once per completed stay, within the window; the property
answers once; reports; staff hide and show with a reason; the property's rating and review count are
the visible reviews' and feed the guarantee's upgrade filter."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from bookings.models import Booking, Property, Review, ReviewReport
from bookings.selectors import candidates_find
from bookings.services import reviews, stay_marks
from bookings.services.properties import property_save
from tests.factories import MembershipFactory, UserFactory
from trustplatform.audit.models import AuditEntry
from trustplatform.errors import DomainError
from trustplatform.notifications.models import Notification
from trustplatform.partners.models import Membership

from .factories import HAEUNDAE, PropertyFactory, RoomTypeFactory, confirmed_booking

pytestmark = pytest.mark.django_db


def refused(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def owner_of(prop: Property):
    return Membership.objects.get(partner=prop.partner, role=Membership.Role.OWNER).user


def completed_stay(prop: Property, **kwargs) -> Booking:
    booking = confirmed_booking(RoomTypeFactory(property=prop, **kwargs), days_ahead=0, nights=1)
    return stay_marks.booking_complete(booking=booking, actor=None)


def review(prop: Property, rating: int, text: str = "좋았어요") -> Review:
    booking = completed_stay(prop)
    return reviews.review_create(booking=booking, actor=booking.guest, rating=rating, text=text)


@pytest.fixture
def fresh():
    """A property nobody has reviewed yet (its rating is derived, so it starts at zero)."""
    return PropertyFactory(rating=0, review_count=0)


@pytest.fixture
def agent():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="agents"))
    return user


def test_a_guest_reviews_a_completed_stay_once_and_the_rating_follows(fresh):
    first = review(fresh, 5)
    fresh.refresh_from_db()
    assert (fresh.rating, fresh.review_count) == (Decimal("5.0"), 1)
    review(fresh, 4)
    review(fresh, 4)
    fresh.refresh_from_db()
    assert (fresh.rating, fresh.review_count) == (Decimal("4.3"), 3)  # 13 / 3 = 4.33…
    again = refused(
        lambda: reviews.review_create(booking=first.booking, actor=first.author, rating=1, text="x")
    )
    assert (again.status, again.code) == (409, "already_reviewed")
    assert Review.objects.filter(booking=first.booking).count() == 1
    assert first.author_shown.count("*") >= 1 and first.author.full_name not in first.author_shown
    # The property is told, in its portal.
    assert Notification.objects.filter(user=owner_of(fresh), url__endswith="/reviews/").exists()


def test_only_the_guest_of_a_completed_stay_reviews_it(fresh):
    upcoming = confirmed_booking(RoomTypeFactory(property=fresh), days_ahead=2, nights=1)
    error = refused(lambda: reviews.review_create(booking=upcoming, actor=upcoming.guest, rating=5, text="x"))
    assert error.code == "not_completed"
    done = completed_stay(fresh)
    error = refused(lambda: reviews.review_create(booking=done, actor=UserFactory(), rating=5, text="x"))
    assert error.status == 404


@pytest.mark.parametrize("rating", [0, 6, -1, "5", 4.5, True, None])
def test_a_rating_is_a_whole_number_of_stars_from_1_to_5(fresh, rating):
    done = completed_stay(fresh)
    error = refused(lambda: reviews.review_create(booking=done, actor=done.guest, rating=rating, text="x"))
    assert (error.code, list(error.fields)) == ("invalid_rating", ["rating"])


def test_the_text_is_required_and_bounded(fresh):
    done = completed_stay(fresh)
    assert refused(lambda: reviews.review_create(
        booking=done, actor=done.guest, rating=3, text="  ")).code == "text_required"
    assert refused(lambda: reviews.review_create(
        booking=done, actor=done.guest, rating=3, text="가" * 2001)).code == "text_too_long"


def test_reviews_close_after_the_window(fresh, settings):
    settings.BOOKINGS_REVIEW_DAYS = 30
    done = completed_stay(fresh)
    long_ago = timezone.localdate() - timedelta(days=31)
    Booking.objects.filter(pk=done.pk).update(check_in=long_ago - timedelta(days=1), check_out=long_ago)
    done.refresh_from_db()
    assert not reviews.review_open(done, user=done.guest)
    error = refused(lambda: reviews.review_create(booking=done, actor=done.guest, rating=5, text="x"))
    assert error.code == "review_window_closed"


def test_the_property_answers_once_owners_and_managers_only(fresh):
    written = review(fresh, 2, "방이 추웠어요")
    desk = MembershipFactory(partner=fresh.partner, role=Membership.Role.STAFF).user
    assert refused(lambda: reviews.review_answer(review=written, actor=desk, text="죄송합니다")).status == 403
    stranger = MembershipFactory(role=Membership.Role.OWNER).user
    assert refused(lambda: reviews.review_answer(review=written, actor=stranger, text="x")).status == 403
    manager = MembershipFactory(partner=fresh.partner, role=Membership.Role.MANAGER).user
    answered = reviews.review_answer(review=written, actor=manager, text="난방을 점검했습니다")
    assert answered.answer == "난방을 점검했습니다" and answered.answered_by == manager
    again = refused(lambda: reviews.review_answer(review=written, actor=owner_of(fresh), text="또"))
    assert again.code == "already_answered"
    assert Review.objects.get(pk=written.pk).answer == "난방을 점검했습니다"
    assert Notification.objects.filter(user=written.author, title__contains=fresh.name).exists()


def test_anyone_signed_in_reports_a_review_once_and_agents_are_told(fresh, agent):
    written = review(fresh, 1, "최악")
    reader = UserFactory()
    reviews.review_report(review=written, actor=reader, reason="욕설")
    assert refused(lambda: reviews.review_report(review=written, actor=reader, reason="또")).code == \
        "already_reported"
    # The property reports from its portal: its own reviews only, any member.
    desk = MembershipFactory(partner=fresh.partner, role=Membership.Role.STAFF).user
    report = reviews.review_report(review=written, actor=desk, reason="허위 리뷰", partner=fresh.partner)
    assert report.partner == fresh.partner
    other = PropertyFactory()
    outsider = MembershipFactory(partner=other.partner, role=Membership.Role.OWNER).user
    assert refused(lambda: reviews.review_report(
        review=written, actor=outsider, reason="x", partner=other.partner)).status == 404
    assert ReviewReport.objects.filter(review=written).count() == 2
    # One notice to agents for the first open report, not one per report.
    assert Notification.objects.filter(user=agent, url__endswith=f"/review/{written.pk}/change/").count() == 1


def test_a_hidden_review_leaves_the_rating_and_comes_back_when_shown(fresh, agent):
    kept = review(fresh, 5)
    hidden = review(fresh, 1, "광고 문구")
    reviews.review_report(review=hidden, actor=UserFactory(), reason="광고")
    fresh.refresh_from_db()
    assert (fresh.rating, fresh.review_count) == (Decimal("3.0"), 2)
    reviews.review_hide(review=hidden, actor=agent, reason="광고성 리뷰")
    fresh.refresh_from_db()
    assert (fresh.rating, fresh.review_count) == (Decimal("5.0"), 1)
    assert ReviewReport.objects.get(review=hidden).handled_at is not None
    assert AuditEntry.objects.filter(object_id=str(hidden.pk), action="hidden", reason="광고성 리뷰").exists()
    assert Notification.objects.filter(user=hidden.author, title__contains="광고성 리뷰").exists()
    reviews.review_show(review=hidden, actor=agent, reason="재검토 결과 정상")
    fresh.refresh_from_db()
    assert (fresh.rating, fresh.review_count) == (Decimal("3.0"), 2)
    assert kept.pk != hidden.pk


def test_only_moderators_hide_and_always_with_a_reason(fresh, agent):
    written = review(fresh, 3)
    for who in (written.author, owner_of(fresh), UserFactory(is_staff=True)):
        error = refused(lambda who=who: reviews.review_hide(review=written, actor=who, reason="x"))
        assert (error.status, error.code) == (403, "not_a_moderator")
    error = refused(lambda: reviews.review_hide(review=written, actor=agent, reason=""))
    assert error.code == "reason_required"
    assert not Review.objects.get(pk=written.pk).is_hidden


def test_the_owner_saving_the_property_never_writes_back_an_old_rating(fresh):
    stale = Property.objects.get(pk=fresh.pk)  # loaded by the owner's form before the review came in
    review(fresh, 5)
    stale.name = "새 이름"
    property_save(prop=stale, actor=owner_of(fresh))
    fresh.refresh_from_db()
    assert (fresh.name, fresh.rating, fresh.review_count) == ("새 이름", Decimal("5.0"), 1)


def test_the_guarantee_upgrade_filter_reads_the_ratings_reviews_make(settings):
    """A neighbour qualifies for the upgrade only with enough reviews rating it ≥ original − 0.1."""
    settings.BOOKINGS_MIN_REVIEWS = 3
    original = PropertyFactory(rating=0, review_count=0)
    for stars in (4, 4, 5):
        review(original, stars)  # 4.3
    neighbour = PropertyFactory(rating=0, review_count=0, latitude=HAEUNDAE[0] + 0.002)
    room = RoomTypeFactory(property=neighbour, grade=2, price_krw=100_000)
    booking = confirmed_booking(RoomTypeFactory(property=original, grade=1), days_ahead=3, nights=1)

    def found() -> bool:
        return any(c.room_type_id == room.pk for c in candidates_find(booking=booking, budget_krw=300_000))

    for stars in (5, 4):
        review(neighbour, stars)
    assert not found()  # two reviews: not enough yet
    review(neighbour, 4)  # 13 / 3 = 4.3 ≥ 4.2
    assert found()
    lowered = review(neighbour, 1)  # 14 / 4 = 3.5: below
    assert not found()
    agent = UserFactory(is_staff=True)
    agent.groups.add(Group.objects.get(name="agents"))
    reviews.review_hide(review=lowered, actor=agent, reason="숙박과 무관한 내용")
    assert found()


@pytest.mark.parametrize(
    ("name", "shown"),
    [("김여행", "김*행"), ("남궁민수", "남**수"), ("이준", "이*"), ("이", "이"), ("김 민 지", "김*지")],
)
def test_a_reviewer_is_shown_as_korean_sites_show_strangers(name, shown):
    from trustplatform.pii import mask_name

    assert mask_name(name) == shown
