"""Booking payments and their provider events join the platform's payments module: every row is copied
into the one payments table and the one events inbox (a booking payment gets a new id there; its
booking, payer, amount, status and times come along), then bookings' own two tables go."""

from django.db import migrations

MERGED = ("bookingpayment", "paymentevent")


def merge(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    BookingPayment = apps.get_model("bookings", "BookingPayment")
    PaymentEvent = apps.get_model("bookings", "PaymentEvent")
    Payment = apps.get_model("payments", "Payment")
    ProviderEvent = apps.get_model("payments", "ProviderEvent")
    SandboxCharge = apps.get_model("payments", "SandboxCharge")
    if BookingPayment.objects.exists():
        booking_type, _ = ContentType.objects.get_or_create(app_label="bookings", model="booking")
        for old in BookingPayment.objects.select_related("booking").order_by("pk"):
            new = Payment.objects.create(
                subject_type_id=booking_type.pk, subject_id=old.booking_id, payer_id=old.booking.guest_id,
                amount_krw=old.amount_krw, method=old.method, provider=old.provider,
                provider_payment_id=old.provider_payment_id, status=old.status, paid_at=old.paid_at,
            )
            Payment.objects.filter(pk=new.pk).update(created_at=old.created_at)  # auto_now_add on create
            if old.provider == "sandbox":
                SandboxCharge.objects.get_or_create(
                    provider_payment_id=old.provider_payment_id,
                    defaults={"amount_krw": old.amount_krw, "method": old.method,
                              "status": "paid" if old.status == "paid" else "pending"},
                )
    for old in PaymentEvent.objects.order_by("pk"):
        event_id = old.event_id
        if ProviderEvent.objects.filter(provider=old.provider, event_id=event_id).exists():
            event_id = f"{event_id}#bookings"  # the same id seen by both old routes: both kept
        new = ProviderEvent.objects.create(
            provider=old.provider, event_id=event_id, event_type=old.event_type, payload=old.payload,
            outcome=old.outcome,
        )
        ProviderEvent.objects.filter(pk=new.pk).update(received_at=old.received_at)
    # The two models are gone: so are their content types and permissions (nothing else points there).
    ContentType.objects.filter(app_label="bookings", model__in=MERGED).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('bookings', '0002_staff_group_permissions'),
        ('payments', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.RunPython(merge, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='PaymentEvent',
        ),
        migrations.DeleteModel(
            name='BookingPayment',
        ),
    ]
