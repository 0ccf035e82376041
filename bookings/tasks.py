"""Celery tasks of the bookings app: ids in, a service call; each is safe to run twice."""

from celery import shared_task


@shared_task
def case_search_task(case_id: int) -> str:
    from .services.guarantee import case_search

    return case_search(case_id=case_id)


@shared_task
def case_answer_due_task(case_id: int) -> str:
    """Sent with the report, due when the property's time to answer runs out."""
    from .services.refusals import case_answer_lapse

    return case_answer_lapse(case_id=case_id)


@shared_task
def case_answers_due() -> int:
    from .services.refusals import case_answers_due as due

    return due()


@shared_task
def booking_confirmed_task(booking_id: int) -> None:
    from .services.stays import booking_announce

    booking_announce(booking_id=booking_id)


@shared_task
def holds_expire() -> int:
    from .services.stays import holds_expire_due

    return holds_expire_due()


@shared_task
def offers_due() -> int:
    """Book the best held room when the guest did not answer; restart searches whose task was lost."""
    from .services.guarantee import cases_requeue_stuck, offers_due

    for case_id in cases_requeue_stuck():
        case_search_task.delay(case_id)
    return offers_due()


@shared_task
def feeds_import_due() -> int:
    from .services.channels import feeds_due

    for feed_id in feeds_due():
        feed_import_task.delay(feed_id)
    return 0


@shared_task
def feed_import_task(feed_id: int) -> str:
    from .services.channels import feed_import

    return feed_import(feed_id=feed_id)


@shared_task
def conflicts_due() -> int:
    from .services.channels import conflicts_due as due

    return due()


@shared_task
def calendars_extend() -> None:
    """Nightly: keep calendars open ahead, and open safe numbers that were too far ahead."""
    from .services.common import safe_numbers_open_due
    from .services.inventory import nights_extend_all

    nights_extend_all()
    safe_numbers_open_due()


@shared_task
def guest_phones_erase() -> int:
    from .services.common import guest_phones_erase_due

    return guest_phones_erase_due()


@shared_task
def stays_finish_due() -> int:
    """Complete the stays nobody marked after check-out; settle the no-shows nobody disputed."""
    from .services.no_shows import no_shows_settle_due
    from .services.stay_marks import stays_complete_due

    return stays_complete_due() + no_shows_settle_due()
