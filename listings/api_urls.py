from django.urls import path

from . import api

app_name = "listings_api"
urlpatterns = [
    path("", api.ListingSearchApi.as_view(), name="search"),
    path("<int:listing_id>/", api.ListingDetailApi.as_view(), name="listing"),
    path("<int:listing_id>/reports/", api.ReportCreateApi.as_view(), name="report_create"),
    path("<int:listing_id>/contact/", api.ContactApi.as_view(), name="contact"),
    path("<int:listing_id>/deposit/", api.DepositStartApi.as_view(), name="deposit"),
    path("<int:listing_id>/wasted-trip/", api.WastedTripClaimApi.as_view(), name="wasted_trip"),
    path("<int:listing_id>/risk/", api.RiskApi.as_view(), name="risk"),
    path("reports/mine/", api.MyReportListApi.as_view(), name="my_reports"),
    path("contacts/<int:contact_id>/outcome/", api.ContactOutcomeApi.as_view(), name="contact_outcome"),
    path("partner/listings/", api.PartnerListingListApi.as_view(), name="partner_listings"),
    path("partner/listings/<int:listing_id>/", api.PartnerListingDetailApi.as_view(), name="partner_listing"),
    path(
        "partner/listings/<int:listing_id>/publish/",
        api.PartnerListingPublishApi.as_view(),
        name="partner_publish",
    ),
    path(
        "partner/listings/<int:listing_id>/close/", api.PartnerListingCloseApi.as_view(), name="partner_close"
    ),
    path(
        "partner/listings/<int:listing_id>/refresh/",
        api.PartnerListingRefreshApi.as_view(),
        name="partner_refresh",
    ),
    path(
        "partner/listings/<int:listing_id>/photos/", api.PartnerPhotoAddApi.as_view(), name="partner_photos"
    ),
    path(
        "partner/listings/<int:listing_id>/contacts/",
        api.PartnerContactListApi.as_view(),
        name="partner_contacts",
    ),
    path(
        "partner/listings/<int:listing_id>/contacts/<int:contact_id>/answer/",
        api.PartnerContactAnswerApi.as_view(),
        name="partner_contact_answer",
    ),
    path(
        "partner/listings/<int:listing_id>/verifications/",
        api.PartnerVerificationApi.as_view(),
        name="partner_verifications",
    ),
    path("partner/reports/", api.PartnerReportListApi.as_view(), name="partner_reports"),
    path(
        "partner/reports/<int:report_id>/respond/",
        api.PartnerReportRespondApi.as_view(),
        name="partner_respond",
    ),
    path("landlord/listings/", api.LandlordListingListApi.as_view(), name="landlord_listings"),
    path(
        "landlord/listings/<int:listing_id>/unlink/",
        api.LandlordListingUnlinkApi.as_view(),
        name="landlord_unlink",
    ),
    path("partner/standing/", api.PartnerStandingApi.as_view(), name="partner_standing"),
    path("partner/strikes/", api.PartnerStrikeListApi.as_view(), name="partner_strikes"),
    path("partner/strikes/<int:strike_id>/appeal/", api.PartnerAppealApi.as_view(), name="partner_appeal"),
    path("inspections/", api.InspectionQueueApi.as_view(), name="inspections"),
    path(
        "inspections/<int:inspection_id>/record/", api.InspectionRecordApi.as_view(), name="inspection_record"
    ),
    path("campaigns/", api.CampaignListApi.as_view(), name="campaigns"),
    path("campaigns/open/", api.CampaignOpenApi.as_view(), name="campaign_open"),
    path("staff/reports/", api.StaffReportQueueApi.as_view(), name="staff_reports"),
    path(
        "staff/reports/<int:report_id>/decide/",
        api.StaffReportDecideApi.as_view(),
        name="staff_report_decide",
    ),
    path("staff/appeals/", api.StaffAppealQueueApi.as_view(), name="staff_appeals"),
    path(
        "staff/appeals/<int:appeal_id>/decide/",
        api.StaffAppealDecideApi.as_view(),
        name="staff_appeal_decide",
    ),
]
