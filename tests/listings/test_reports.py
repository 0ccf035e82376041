from datetime import timedelta

import pytest
from django.utils import timezone

from listings import services
from listings.errors import ListingError
from listings.models import Inspection, Listing, Report, ReporterStanding
from tests.factories import UserFactory
from trustplatform.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_report_is_weighted_and_the_broker_is_told_without_the_reporter(listing, consumer, broker):
    report = services.report_file(listing=listing, reporter=consumer, reason="price", details="가격이 달라요")
    assert report.status == Report.Status.AWAITING_BROKER
    assert report.weight == 1.0
    notice = Notification.objects.get(user=broker)
    assert consumer.full_name not in notice.title + notice.body
    assert consumer.email not in notice.title + notice.body


def test_one_open_report_per_consumer_per_listing(listing, consumer):
    services.report_file(listing=listing, reporter=consumer, reason="gone")
    with pytest.raises(ListingError) as refused:
        services.report_file(listing=listing, reporter=consumer, reason="price")
    assert refused.value.code == "already_reported"
    assert refused.value.status == 409


def test_a_decided_report_allows_a_new_one(listing, consumer, agent):
    first = services.report_file(listing=listing, reporter=consumer, reason="gone")
    services.report_decide(instance=first, actor=agent, uphold=False, reason="확인 결과 정상")
    assert services.report_file(listing=listing, reporter=consumer, reason="price").pk != first.pk


def test_banned_reporter_is_refused(listing, make_listing, brokerage, consumer, agent):
    first = services.report_file(listing=listing, reporter=consumer, reason="not_exist")
    services.report_decide(
        instance=first, actor=agent, uphold=False, reason="악의적 허위 신고", false_report=True
    )
    standing = ReporterStanding.objects.get(user=consumer)
    assert standing.is_banned and standing.weight == 0
    with pytest.raises(ListingError) as refused:
        services.report_file(listing=make_listing(brokerage), reporter=consumer, reason="gone")
    assert refused.value.code == "reporter_banned"


def test_reports_are_rate_limited_per_day(brokerage, make_listing, consumer, settings):
    settings.LISTINGS_REPORTS_PER_DAY = 2
    listings = [make_listing(brokerage) for _ in range(3)]
    services.report_file(listing=listings[0], reporter=consumer, reason="gone")
    services.report_file(listing=listings[1], reporter=consumer, reason="gone")
    with pytest.raises(ListingError) as refused:
        services.report_file(listing=listings[2], reporter=consumer, reason="gone")
    assert refused.value.code == "report_rate_limited"


def test_track_record_moves_the_weight(brokerage, make_listing, consumer, agent):
    for uphold in (True, True, False):
        report = services.report_file(listing=make_listing(brokerage), reporter=consumer, reason="gone")
        services.report_decide(instance=report, actor=agent, uphold=uphold, reason="결정")
    standing = ReporterStanding.objects.get(user=consumer)
    assert standing.weight == pytest.approx(2 * 3 / 5)
    assert (
        services.report_file(listing=make_listing(brokerage), reporter=consumer, reason="gone").weight == 1.2
    )


def test_broker_marks_gone_first_and_the_report_is_upheld_without_a_strike(listing, consumer, broker):
    report = services.report_file(listing=listing, reporter=consumer, reason="gone")
    services.report_respond(report=report, actor=broker, action="gone", response="계약 완료되었습니다")
    report.refresh_from_db()
    listing.refresh_from_db()
    assert report.status == Report.Status.UPHELD
    assert listing.status == Listing.Status.ARCHIVED and listing.archive_reason == "gone"
    assert not listing.partner.listing_strikes.exists()


def test_broker_disputes_then_phone_check_then_on_site(listing, consumer, broker, agent):
    report = services.report_file(listing=listing, reporter=consumer, reason="not_exist")
    services.report_respond(report=report, actor=broker, action="disputed", response="실제 있는 매물입니다")
    report.refresh_from_db()
    assert report.status == Report.Status.IN_REVIEW
    services.report_phone_check(instance=report, actor=agent, outcome="on_site", note="소유주 연락 안 됨")
    report.refresh_from_db()
    assert report.status == Report.Status.ON_SITE
    inspection = Inspection.objects.get(listing=listing, status="queued")
    assert inspection.priority == pytest.approx(10.0)


def test_only_the_listing_brokerage_can_answer(listing, consumer):
    report = services.report_file(listing=listing, reporter=consumer, reason="gone")
    with pytest.raises(ListingError) as refused:
        services.report_respond(report=report, actor=UserFactory(), action="gone")
    assert refused.value.status == 404


def test_unanswered_reports_go_to_staff_after_the_deadline(listing, consumer):
    report = services.report_file(listing=listing, reporter=consumer, reason="gone")
    Report.objects.filter(pk=report.pk).update(respond_by=timezone.now() - timedelta(minutes=1))
    assert services.reports_review_due() == 1
    report.refresh_from_db()
    assert report.status == Report.Status.IN_REVIEW


def test_reports_alone_never_penalise_the_broker(brokerage, listing, make_user):
    for _ in range(6):
        services.report_file(listing=listing, reporter=make_user(), reason="not_exist")
    listing.refresh_from_db()
    assert listing.is_live
    assert not brokerage.listing_strikes.exists()


def test_a_broker_cannot_report_own_listing(listing, broker):
    with pytest.raises(ListingError) as refused:
        services.report_file(listing=listing, reporter=broker, reason="gone")
    assert refused.value.code == "own_listing"


def test_staff_wait_for_the_brokers_turn(listing, consumer, agent):
    report = services.report_file(listing=listing, reporter=consumer, reason="gone")
    for act in (
        lambda: services.report_phone_check(instance=report, actor=agent, outcome="on_site"),
        lambda: services.report_staff_decide(instance=report, actor=agent, uphold=True, reason="x"),
    ):
        with pytest.raises(ListingError) as refused:
            act()
        assert refused.value.code == "broker_answers_first"
    Report.objects.filter(pk=report.pk).update(respond_by=timezone.now() - timedelta(seconds=1))
    report.refresh_from_db()
    assert (
        services.report_staff_decide(instance=report, actor=agent, uphold=True, reason="확인").status
        == "upheld"
    )
