from .inspections import Campaign, Inspection, InspectionPhoto, RiskCalibration
from .listings import LIVE_STATUSES, Listing, ListingContact, ListingPhoto, PhotoHash, RiskScore, Verification
from .reports import OPEN_REPORT_STATUSES, Report, ReporterStanding, WastedTripClaim
from .standing import Appeal, AppealEvidence, BrokerStanding, Strike, Suspension

__all__ = [
    "LIVE_STATUSES",
    "OPEN_REPORT_STATUSES",
    "Appeal",
    "AppealEvidence",
    "BrokerStanding",
    "Campaign",
    "Inspection",
    "InspectionPhoto",
    "Listing",
    "ListingContact",
    "ListingPhoto",
    "PhotoHash",
    "Report",
    "ReporterStanding",
    "RiskCalibration",
    "RiskScore",
    "Strike",
    "Suspension",
    "Verification",
    "WastedTripClaim",
]
