"""An audit row as staff read it: the action code ("mark_paid", "campaign_opened"), the state codes
("open → decided") and the field ("status") in words; the stored codes stay as they are.

Every transition name of every lifecycle and every action code passed to `audit_record` has its words
here (tests/core/test_audit.py checks the transitions); the context keeps them apart from button labels."""

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

SYSTEM_ACTOR = "system"

ACTION_WORDS = {
    "account_given": pgettext_lazy("audit action", "Refund account given"),
    "agree": pgettext_lazy("audit action", "Agreed"),
    "answer": pgettext_lazy("audit action", "Answered"),
    "approve": pgettext_lazy("audit action", "Approved"),
    "archive": pgettext_lazy("audit action", "Archived"),
    "cancel": pgettext_lazy("audit action", "Cancelled"),
    "cancel_by_guest": pgettext_lazy("audit action", "Cancelled by the guest"),
    "cancel_by_property": pgettext_lazy("audit action", "Cancelled by the property"),
    "check_in_guest": pgettext_lazy("audit action", "Guest checked in"),
    "clear": pgettext_lazy("audit action", "Cleared"),
    "close": pgettext_lazy("audit action", "Closed"),
    "complete": pgettext_lazy("audit action", "Completed"),
    "confirm": pgettext_lazy("audit action", "Confirmed"),
    "contest": pgettext_lazy("audit action", "Contested"),
    "decide": pgettext_lazy("audit action", "Decided"),
    "decide_no_show": pgettext_lazy("audit action", "Decided: a no-show"),
    "decide_stayed": pgettext_lazy("audit action", "Decided: the guest stayed"),
    "dismiss": pgettext_lazy("audit action", "Dismissed"),
    "dispute": pgettext_lazy("audit action", "Dispute opened"),
    "escalate": pgettext_lazy("audit action", "Escalated"),
    "execute": pgettext_lazy("audit action", "Executed"),
    "expire": pgettext_lazy("audit action", "Expired"),
    "fail": pgettext_lazy("audit action", "Failed"),
    "flag": pgettext_lazy("audit action", "Flagged for review"),
    "fund": pgettext_lazy("audit action", "Funded"),
    "grant": pgettext_lazy("audit action", "Badge granted"),
    "lapse": pgettext_lazy("audit action", "Verification lapsed"),
    "mark_done": pgettext_lazy("audit action", "Done"),
    "mark_failed": pgettext_lazy("audit action", "Failed"),
    "mark_no_show": pgettext_lazy("audit action", "Marked as a no-show"),
    "mark_paid": pgettext_lazy("audit action", "Paid out"),
    "mark_refunded": pgettext_lazy("audit action", "Refunded"),
    "mark_released": pgettext_lazy("audit action", "Released to the payee"),
    "offer": pgettext_lazy("audit action", "Room offered"),
    "overrule": pgettext_lazy("audit action", "Overruled"),
    "overturn_no_show": pgettext_lazy("audit action", "No-show overturned"),
    "pay": pgettext_lazy("audit action", "Paid out"),
    "post": pgettext_lazy("audit action", "Posted"),
    "propose": pgettext_lazy("audit action", "Proposed"),
    "publish": pgettext_lazy("audit action", "Published"),
    "reactivate": pgettext_lazy("audit action", "Reactivated"),
    "rebook": pgettext_lazy("audit action", "Rebooked"),
    "record": pgettext_lazy("audit action", "Result recorded"),
    "refund": pgettext_lazy("audit action", "Refunded"),
    "reinstate": pgettext_lazy("audit action", "Reinstated"),
    "reject": pgettext_lazy("audit action", "Rejected"),
    "release": pgettext_lazy("audit action", "Released to the payee"),
    "remove": pgettext_lazy("audit action", "Removed"),
    "reopen": pgettext_lazy("audit action", "Reopened"),
    "resolve": pgettext_lazy("audit action", "Resolved"),
    "respond": pgettext_lazy("audit action", "Owner responded"),
    "restore": pgettext_lazy("audit action", "Badge restored"),
    "resume": pgettext_lazy("audit action", "Resumed"),
    "retire": pgettext_lazy("audit action", "Retired"),
    "review": pgettext_lazy("audit action", "Review started"),
    "revoke": pgettext_lazy("audit action", "Revoked"),
    "satisfy": pgettext_lazy("audit action", "Satisfied"),
    "scrub": pgettext_lazy("audit action", "Numbers erased"),
    "search": pgettext_lazy("audit action", "Room search started"),
    "send_back": pgettext_lazy("audit action", "Sent back"),
    "staff_grant": pgettext_lazy("audit action", "Badge granted by staff"),
    "staff_grant_void": pgettext_lazy("audit action", "Staff grant voided"),
    "staff_lift": pgettext_lazy("audit action", "Staff decision lifted"),
    "staff_revoke": pgettext_lazy("audit action", "Badge withheld by staff"),
    "submit": pgettext_lazy("audit action", "Submitted"),
    "suspend": pgettext_lazy("audit action", "Suspended"),
    "swap": pgettext_lazy("audit action", "Room swapped"),
    "uphold": pgettext_lazy("audit action", "Upheld"),
    "verify": pgettext_lazy("audit action", "Verified"),
    "void": pgettext_lazy("audit action", "Voided"),
    "withdraw": pgettext_lazy("audit action", "Withdrawn"),
    "add": pgettext_lazy("audit action", "Number added"),
    "appeal_filed": pgettext_lazy("audit action", "Appeal filed"),
    "badge_rule_granted": pgettext_lazy("audit action", "Badge granted by the rules"),
    "badge_rule_revoked": pgettext_lazy("audit action", "Badge withdrawn by the rules"),
    "block": pgettext_lazy("audit action", "Number blocked"),
    "campaign_opened": pgettext_lazy("audit action", "Campaign opened"),
    "risk_calibrated": pgettext_lazy("audit action", "Risk weights learned from inspections"),
    "capital_in": pgettext_lazy("audit action", "Capital paid in"),
    "case_assigned": pgettext_lazy("audit action", "Case assigned"),
    "case_contact": pgettext_lazy("audit action", "Contact logged"),
    "case_note": pgettext_lazy("audit action", "Note added"),
    "click_to_call": pgettext_lazy("audit action", "Call placed"),
    "compensation_paid": pgettext_lazy("audit action", "Compensation paid"),
    "compensation_refused": pgettext_lazy("audit action", "Compensation refused"),
    "contact_phone_changed": pgettext_lazy("audit action", "Contact number changed"),
    "created": pgettext_lazy("audit action", "Created"),
    "edited": pgettext_lazy("audit action", "Edited"),
    "fees_swept": pgettext_lazy("audit action", "Fees transferred"),
    "fund_below_floor": pgettext_lazy("audit action", "Fund below its floor"),
    "guest_flag_cleared": pgettext_lazy("audit action", "Guest flag cleared"),
    "guest_flagged": pgettext_lazy("audit action", "Guest flagged"),
    "hidden": pgettext_lazy("audit action", "Hidden"),
    "inquiry_assigned": pgettext_lazy("audit action", "Inquiry assigned"),
    "inquiry_opened": pgettext_lazy("audit action", "Inquiry opened"),
    "landlord_linked": pgettext_lazy("audit action", "Landlord linked"),
    "landlord_unlinked": pgettext_lazy("audit action", "Landlord unlinked"),
    "ledger_reconcile_failed": pgettext_lazy("audit action", "Ledger reconciliation failed"),
    "manual_rebook": pgettext_lazy("audit action", "Rebooked by hand"),
    "opened": pgettext_lazy("audit action", "Opened"),
    "photo_removed": pgettext_lazy("audit action", "Photo removed"),
    "pool_alert": pgettext_lazy("audit action", "Number pool running low"),
    "posting_suspended": pgettext_lazy("audit action", "Posting suspended"),
    "public_notice": pgettext_lazy("audit action", "Public notice posted"),
    "public_notice_withdrawn": pgettext_lazy("audit action", "Public notice withdrawn"),
    "reinstated_in_programme": pgettext_lazy("audit action", "Back in the programme"),
    "removed_from_programme": pgettext_lazy("audit action", "Removed from the programme"),
    "report_filed": pgettext_lazy("audit action", "Report filed"),
    "reported": pgettext_lazy("audit action", "Reported"),
    "reporter_banned": pgettext_lazy("audit action", "Reporter banned"),
    "reports_dismissed": pgettext_lazy("audit action", "Reports dismissed"),
    "request": pgettext_lazy("audit action", "Requested"),
    "shown": pgettext_lazy("audit action", "Shown again"),
    "status_text": pgettext_lazy("audit action", "Status text sent"),
    "strike_issued": pgettext_lazy("audit action", "Strike issued"),
    "suspension_lifted": pgettext_lazy("audit action", "Suspension lifted"),
    "unblock": pgettext_lazy("audit action", "Number unblocked"),
}

# Where one code means something else on one model.
MODEL_ACTION_WORDS = {
    ("payments.Payment", "mark_paid"): pgettext_lazy("audit action", "Payment received"),
}


def action_words(model, code: str) -> str:
    """An action code of `model` in words, as stored if unknown."""
    label = getattr(getattr(model, "_meta", None), "label", "")
    return str(MODEL_ACTION_WORDS.get((label, code)) or ACTION_WORDS.get(code, code))


def _field(model, name: str):
    try:
        return model._meta.get_field(name or "status") if model else None
    except FieldDoesNotExist:
        return None


def state_words(model, field_name: str, code: str) -> str:
    """A state code of `model` ("escalated") as the words its model gives it ("With an agent")."""
    if not code:
        return ""
    return str(dict(getattr(_field(model, field_name), "flatchoices", None) or ()).get(code, code))


def field_words(model, field_name: str) -> str:
    """The name of the lifecycle field a transition moved ("status"), as the model names it."""
    if not field_name:
        return ""
    field = _field(model, field_name)
    return str(field.verbose_name) if field is not None else field_name


def actor_words(actor_repr: str) -> str:
    return str(_("System")) if actor_repr == SYSTEM_ACTOR else actor_repr
