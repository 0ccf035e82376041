from .bookings import Booking, BookingPayment, PaymentEvent
from .channels import CalendarFeed, Conflict, ImportedBlock
from .guarantee import CaseNote, GuaranteeCandidate, GuaranteeCase
from .inventory import Night, Property, PropertyPhoto, RoomType

__all__ = [
    "Booking",
    "BookingPayment",
    "CalendarFeed",
    "CaseNote",
    "Conflict",
    "GuaranteeCandidate",
    "GuaranteeCase",
    "ImportedBlock",
    "Night",
    "PaymentEvent",
    "Property",
    "PropertyPhoto",
    "RoomType",
]
