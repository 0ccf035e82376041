"""The checkout page, one for every app: what is paid, to whom, and how. With the sandbox a button
makes it send its signed webhook as a real provider would; with PortOne the provider's own payment
window opens (its browser SDK, served by this site) and the page then asks the server to fetch the
payment from PortOne, which is the only answer it trusts."""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from .models import Payment
from .providers import portone_window_csp, provider_enabled


@dataclass(frozen=True)
class Checkout:
    merchant: str  # who is paid, in the payer's words ("Ansim escrow (held in trust)")
    subject: str  # what for
    back_url: str
    back_label: str
    not_payable: str  # why the page offers no button, when the subject cannot be paid now
    pay_by: date | datetime | None = None  # a virtual account's deadline
    held_until: datetime | None = None  # what is held for the payer meanwhile (a room)
    processing: bool = False  # the payer already paid here: the provider's confirmation is on its way


# Payments the payer sent from the sandbox checkout, so pages say "processing" until the webhook.
SENT_SESSION_KEY = "payments_checkout_sent"


def checkout_sent_mark(request, payment: Payment) -> None:
    """Remember that the payer paid `payment` at the checkout; its pages wait for the provider."""
    sent = request.session.get(SENT_SESSION_KEY, [])
    if payment.pk not in sent:
        request.session[SENT_SESSION_KEY] = [*sent[-19:], payment.pk]


def payment_in_flight(request, payments) -> Payment | None:
    """The payer's payment among `payments` they paid at the checkout that is still waiting for the
    provider's confirmation, or None."""
    sent = request.session.get(SENT_SESSION_KEY, [])
    if not sent:
        return None
    return payments.filter(pk__in=sent, status=Payment.Status.PENDING).order_by("-pk").first()


def checkout_payment(payments, payment_id: int) -> Payment:
    """The payer's payment `payment_id` among `payments`; 404 when its provider is not enabled here
    (a sandbox payment on a server that takes real money has no checkout)."""
    payment = get_object_or_404(payments, pk=payment_id)
    if not provider_enabled(payment.provider):
        raise Http404
    return payment


def checkout_page(request, *, payment: Payment, payable: bool, checkout: Checkout):
    context = {"payment": payment, "payable": payable, "checkout": checkout}
    if payment.provider == "portone":
        context["portone"] = {
            "storeId": settings.PORTONE_STORE_ID,
            "channelKey": (settings.PORTONE_CHANNEL_KEY_VIRTUAL_ACCOUNT
                           if payment.method == Payment.Method.VIRTUAL_ACCOUNT
                           else settings.PORTONE_CHANNEL_KEY_CARD),
            "paymentId": payment.provider_payment_id,
            "orderName": checkout.subject[:100],
            "totalAmount": payment.amount_krw,
            "currency": "CURRENCY_KRW",
            "payMethod": "VIRTUAL_ACCOUNT" if payment.method == Payment.Method.VIRTUAL_ACCOUNT else "CARD",
            "redirectUrl": request.build_absolute_uri(checkout.back_url),
            "sdkUrl": settings.PORTONE_BROWSER_SDK_URL,
            "syncUrl": reverse("payments_pages:sync", args=[payment.pk]),
        }
        if payment.method == Payment.Method.VIRTUAL_ACCOUNT:
            context["portone"]["virtualAccount"] = {
                "accountExpiry": {"validHours": settings.PORTONE_VIRTUAL_ACCOUNT_HOURS}}
        response = render(request, "payments/checkout_portone.html", context)
        response._csp_update = portone_window_csp()
        return response
    return render(request, "payments/checkout.html", context)
