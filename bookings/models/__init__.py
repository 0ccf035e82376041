from .bookings import Booking, BookingPayment, PaymentEvent
from .channels import CalendarFeed, Conflict, ImportedBlock
from .guarantee import CaseNote, GuaranteeCandidate, GuaranteeCase
from .inventory import AMENITIES, AMENITIES_CODES, Night, Property, PropertyPhoto, RoomType

__all__ = [
    "AMENITIES",
    "AMENITIES_CODES",
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
