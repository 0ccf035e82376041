from .bookings import Booking
from .channels import CalendarFeed, Conflict, ImportedBlock
from .guarantee import CaseNote, GuaranteeCandidate, GuaranteeCase
from .inventory import AMENITIES, AMENITIES_CODES, Night, Property, PropertyPhoto, RoomType

__all__ = [
    "AMENITIES",
    "AMENITIES_CODES",
    "Booking",
    "CalendarFeed",
    "CaseNote",
    "Conflict",
    "GuaranteeCandidate",
    "GuaranteeCase",
    "ImportedBlock",
    "Night",
    "Property",
    "PropertyPhoto",
    "RoomType",
]
