"""The listings API: consumer (public), brokerage (partner-scoped) and staff views."""

from .partner import (
    PartnerAppealApi,
    PartnerListingCloseApi,
    PartnerListingDetailApi,
    PartnerListingListApi,
    PartnerListingPublishApi,
    PartnerListingRefreshApi,
    PartnerPhotoAddApi,
    PartnerReportListApi,
    PartnerReportRespondApi,
    PartnerStandingApi,
    PartnerStrikeListApi,
    PartnerVerificationApi,
)
from .public import (
    ContactApi,
    DepositStartApi,
    ListingDetailApi,
    ListingSearchApi,
    MyReportListApi,
    ReportCreateApi,
    WastedTripClaimApi,
)
from .staff import CampaignListApi, InspectionQueueApi, InspectionRecordApi, RiskApi

__all__ = [
    "CampaignListApi",
    "ContactApi",
    "DepositStartApi",
    "InspectionQueueApi",
    "InspectionRecordApi",
    "ListingDetailApi",
    "ListingSearchApi",
    "MyReportListApi",
    "PartnerAppealApi",
    "PartnerListingCloseApi",
    "PartnerListingDetailApi",
    "PartnerListingListApi",
    "PartnerListingPublishApi",
    "PartnerListingRefreshApi",
    "PartnerPhotoAddApi",
    "PartnerReportListApi",
    "PartnerReportRespondApi",
    "PartnerStandingApi",
    "PartnerStrikeListApi",
    "PartnerVerificationApi",
    "ReportCreateApi",
    "RiskApi",
    "WastedTripClaimApi",
]
