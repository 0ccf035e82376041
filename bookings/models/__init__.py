from .bookings import Booking
from .channels import CalendarFeed, Conflict, ImportedBlock
from .guarantee import OPEN_STATUSES, CaseNote, GuaranteeCandidate, GuaranteeCase
from .guest_flags import GuestFlag
from .inventory import AMENITIES, AMENITIES_CODES, Night, Property, PropertyPhoto, RoomType
from .reviews import Review, ReviewReport
from .stays import NoShowDispute

__all__ = [
    "AMENITIES",
    "AMENITIES_CODES",
    "OPEN_STATUSES",
    "Booking",
    "CalendarFeed",
    "CaseNote",
    "Conflict",
    "GuaranteeCandidate",
    "GuaranteeCase",
    "GuestFlag",
    "ImportedBlock",
    "Night",
    "NoShowDispute",
    "Property",
    "PropertyPhoto",
    "Review",
    "ReviewReport",
    "RoomType",
]
