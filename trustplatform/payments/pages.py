"""The sandbox provider's checkout page, one for every app: what is paid, to whom, and the button
that makes the sandbox send its signed webhook as a real provider would."""

from dataclasses import dataclass
from datetime import date, datetime

from django.shortcuts import render

from .models import Payment


@dataclass(frozen=True)
class Checkout:
    merchant: str  # who is paid, in the payer's words ("Ansim escrow (held in trust)")
    subject: str  # what for
    back_url: str
    back_label: str
    not_payable: str  # why the page offers no button, when the subject cannot be paid now
    pay_by: date | datetime | None = None  # a virtual account's deadline
    held_until: datetime | None = None  # what is held for the payer meanwhile (a room)


def checkout_page(request, *, payment: Payment, payable: bool, checkout: Checkout):
    return render(request, "payments/checkout.html", {"payment": payment, "payable": payable,
                                                      "checkout": checkout})
