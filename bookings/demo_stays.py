"""Demo history of stays that ended: past stays of demo guests, completed and reviewed through the same
services a guest and a property use, so every property's rating and review count are real (the
guarantee's "rating ≥ original − 0.1 with enough reviews" reads them). 김민지 has a stay to review and
이준호 a no-show he may still dispute.

A past stay cannot be booked today, so each step runs with the clock set back to when it happened: the
demo's way of having a history, never the application's. Safe to rerun: a property with its reviews
is left alone, and each stay is found again by guest, room and dates.
"""

import contextlib
import itertools
from datetime import datetime, time, timedelta

from django.utils import timezone

from trustplatform import pii
from trustplatform.accounts.models import User
from trustplatform.payments.providers import SandboxProvider
from trustplatform.payments.services import provider_event_receive

from .models import Booking, Property, Review, RoomType
from .services import payments, reviews, stay_marks, stays

REVIEWERS = ["박서연", "최도윤", "정하은", "강민준", "윤지우", "장서준", "임수아", "한예준"]
TEXTS = {
    5: [
        "바다가 바로 보여서 너무 좋았어요. 직원분들도 친절했습니다.",
        "객실이 깨끗하고 침구가 편안했어요. 또 올게요.",
        "위치가 최고예요. 해변까지 걸어서 2분!",
    ],
    4: ["전반적으로 만족합니다. 주차가 조금 불편했어요.", "깔끔하고 조용했어요. 조식은 평범했습니다."],
    3: ["가격 대비 무난했어요. 방음이 아쉬웠습니다."],
}
ANSWER = "소중한 후기 감사합니다. 다음 방문 때도 편안히 머무실 수 있도록 준비하겠습니다."


@contextlib.contextmanager
def _clock(at: datetime):
    """Django's clock reads `at` inside the block (timezone.now and everything built on it)."""
    real = timezone.now
    timezone.now = lambda: at
    try:
        yield
    finally:
        timezone.now = real


def _at(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def _reviewer(index: int) -> User:
    email = f"guest{index + 1}@demo.ansim.kr"
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": REVIEWERS[index]})
    if created:
        phone = f"+82106660{index:04d}"
        user.set_unusable_password()  # guests of the past: nobody logs in as them
        user.phone, user.phone_index, user.phone_hint = phone, pii.blind_index(phone), pii.mask_phone(phone)
        user.phone_verified_at = timezone.now()
        user.save()
    return user


def _past_stay(*, guest: User, room_type: RoomType, days_ago: int) -> Booking:
    """A one-night stay that began `days_ago` days ago, booked and paid that morning."""
    check_in = timezone.localdate() - timedelta(days=days_ago)
    existing = Booking.objects.filter(guest=guest, room_type=room_type, check_in=check_in).first()
    if existing is not None:
        return existing
    with _clock(_at(check_in, 9)):
        booking = stays.booking_hold(
            guest=guest, room_type=room_type, check_in=check_in, check_out=check_in + timedelta(days=1),
            guests=min(2, room_type.capacity),
        )
        payment = payments.payment_start(booking=booking, actor=guest)
        provider = SandboxProvider()
        body, headers = provider.pay(provider_payment_id=payment.provider_payment_id)
        event = provider.parse_webhook(body=body, headers=headers)
        provider_event_receive(provider=provider.name, event=event)
    booking.refresh_from_db()
    return booking


def _ratings(mean: str, count: int) -> list[int]:
    """`count` ratings of 3 to 5 stars whose mean rounds to `mean` (fives first, then fours, threes)."""
    extra = round(float(mean) * count) - 4 * count
    return [5] * max(0, extra) + [4] * (count - abs(extra)) + [3] * max(0, -extra)


def _reviewed(prop: Property, owner: User, mean: str, count: int) -> None:
    """Give the property `count` reviewed past stays averaging `mean` (the property answers a few)."""
    if prop.reviews.count() >= count:
        return
    room_type = prop.room_types.order_by("grade", "pk").first()
    guests = itertools.cycle(range(len(REVIEWERS)))
    for index, rating in enumerate(_ratings(mean, count)):
        booking = _past_stay(guest=_reviewer(next(guests)), room_type=room_type, days_ago=4 + index)
        if booking.status == Booking.Status.CONFIRMED:
            with _clock(_at(booking.check_out, 11)):
                booking = stay_marks.booking_complete(booking=booking, actor=owner)
        if booking.status != Booking.Status.COMPLETED or Review.objects.filter(booking=booking).exists():
            continue
        with _clock(_at(booking.check_out, 20)):
            text = TEXTS[rating][index % len(TEXTS[rating])]
            review = reviews.review_create(booking=booking, actor=booking.guest, rating=rating, text=text)
            if index % 4 == 0:
                reviews.review_answer(review=review, actor=owner, text=ANSWER)


def seed(
    *, props: dict[str, Property], ratings: dict[str, tuple[str, int]], owners: dict[str, User], minji: User,
    junho: User,
) -> None:
    """Reviews for every property (`ratings`: name → the mean its guests give, how many reviews), then
    김민지's stay to review and 이준호's no-show he may still dispute."""
    for name, (mean, count) in ratings.items():
        _reviewed(props[name], owners[name], mean, count)
    marine, seomyeon = "해운대 마린 레지던스", "서면 센트럴 호텔"
    to_review = _past_stay(guest=minji, room_type=props[marine].room_types.first(), days_ago=3)
    if to_review.status == Booking.Status.CONFIRMED:
        with _clock(_at(to_review.check_out, 10)):
            stay_marks.booking_complete(booking=to_review, actor=owners[marine])
    missed = _past_stay(guest=junho, room_type=props[seomyeon].room_types.first(), days_ago=1)
    if missed.status == Booking.Status.CONFIRMED:
        with _clock(_at(missed.check_in, 23)):
            stay_marks.booking_no_show(booking=missed, actor=owners[seomyeon])
