"""Writes of the listings app: `<noun>_<verb>(*, ...)`, keyword-only."""

from .badges import badge_decision_lift, badge_grant, badge_revoke, badge_rule_apply, badges_evaluate
from .contact import SafeContact, contact_open, deposit_start
from .inspections import inspection_claim, inspection_queue_open, inspection_record, is_inspector
from .landlord import listing_landlord_claim, listing_landlord_unlink
from .listings import (
    listing_close,
    listing_create,
    listing_publish,
    listing_refresh,
    listing_update,
    photo_add,
    photo_remove,
)
from .report_decisions import report_decide
from .reports import (
    inspection_for_reports,
    report_file,
    report_phone_check,
    report_respond,
    report_staff_decide,
    reports_review_due,
)
from .standing import appeal_decide, appeal_file, fake_confirm, strikes_expire_due
from .verification import (
    levels_expire_due,
    listing_levels_refresh,
    owner_link_answer,
    owner_link_token,
    owner_link_verification,
    phone_check_record,
    registry_check,
    verification_request,
)
from .wasted_trips import claim_file, claim_pay, claim_reject

__all__ = [
    "SafeContact",
    "appeal_decide",
    "appeal_file",
    "badge_decision_lift",
    "badge_grant",
    "badge_revoke",
    "badge_rule_apply",
    "badges_evaluate",
    "claim_file",
    "claim_pay",
    "claim_reject",
    "contact_open",
    "deposit_start",
    "fake_confirm",
    "inspection_claim",
    "inspection_for_reports",
    "inspection_queue_open",
    "inspection_record",
    "is_inspector",
    "levels_expire_due",
    "listing_close",
    "listing_create",
    "listing_landlord_claim",
    "listing_landlord_unlink",
    "listing_levels_refresh",
    "listing_publish",
    "listing_refresh",
    "listing_update",
    "owner_link_answer",
    "owner_link_token",
    "owner_link_verification",
    "phone_check_record",
    "photo_add",
    "photo_remove",
    "registry_check",
    "report_decide",
    "report_file",
    "report_phone_check",
    "report_respond",
    "report_staff_decide",
    "reports_review_due",
    "strikes_expire_due",
    "verification_request",
]
