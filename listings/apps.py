from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListingsConfig(AppConfig):
    name = "listings"
    verbose_name = _("Verified listings")
    # Inspectors record inspections; agents decide reports, appeals and wasted-trip claims.
    staff_permissions = {
        "inspectors": [
            "record_inspection", "view_inspection", "change_inspection", "view_listing", "view_campaign",
            "view_riskscore", "view_report",
        ],
        "agents": [
            "decide_listing", "decide_appeal", "pay_wasted_trip", "view_listing", "change_listing",
            "view_report", "change_report", "view_strike", "view_appeal", "change_appeal",
            "view_brokerstanding", "change_brokerstanding", "view_campaign", "view_inspection",
            "view_riskscore", "view_verification", "change_verification", "view_wastedtripclaim",
            "change_wastedtripclaim", "view_reporterstanding",
        ],
    }

    def ready(self) -> None:
        # A consumer may ask the agents' team about a listing they reported or asked about.
        from trustplatform.support.subjects import InquirySubject, subject_register

        from .selectors import consumer_listings

        subject_register(
            InquirySubject(kind="listing", label=_("Homes"), category="home", mine=consumer_listings)
        )
