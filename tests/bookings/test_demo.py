import pytest

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_every_surface_and_runs_again_unchanged():
    from bookings import demo
    from bookings.models import Booking, Conflict, GuaranteeCase, Property, Review
    from escrow import demo as escrow_demo
    from masking import demo as masking_demo
    from trustplatform import demo as core_demo
    from trustplatform.ledger.selectors import ledger_reconcile

    core_demo.seed()
    masking_demo.seed()
    escrow_demo.seed()
    demo.seed()
    counts = (Booking.objects.count(), GuaranteeCase.objects.count(), Conflict.objects.count(),
              Review.objects.count())
    demo.seed()
    assert (Booking.objects.count(), GuaranteeCase.objects.count(), Conflict.objects.count(),
            Review.objects.count()) == counts
    # Every rating comes from reviews of completed stays, written through the review service.
    assert Review.objects.exists() and not Review.objects.exclude(booking__status="completed").exists()
    for prop in Property.objects.all():
        assert prop.review_count == prop.reviews.filter(hidden_at__isnull=True).count() > 0, prop.name
    assert set(GuaranteeCase.objects.values_list("status", flat=True)) == {"rebooked", "offered", "escalated"}
    assert Conflict.objects.filter(status="open").count() == 1
    assert ledger_reconcile() == []
