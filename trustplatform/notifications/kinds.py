"""What each message is about (`OutboundMessage.kind`, its key without the ids) in words for staff; the
stored kind stays the code a 알림톡 template is chosen by."""

from django.utils.translation import pgettext_lazy

KIND_WORDS = {
    "notification": pgettext_lazy("message kind", "Notice by text"),
    "phone-verification": pgettext_lazy("message kind", "Phone verification code"),
    "second-factor-enrolled": pgettext_lazy("message kind", "Second factor set up"),
    "escrow-invitation": pgettext_lazy("message kind", "Escrow invitation"),
    "listings:owner-link": pgettext_lazy("message kind", "Owner confirmation link"),
    "listing-contact": pgettext_lazy("message kind", "Enquiry about a home"),
    "listings:appeal": pgettext_lazy("message kind", "Appeal decided"),
    "listings:badge:rule-grant": pgettext_lazy("message kind", "Badge granted"),
    "listings:badge:rule-revoke": pgettext_lazy("message kind", "Badge withdrawn"),
    "listings:badge:staff-grant": pgettext_lazy("message kind", "Badge granted by staff"),
    "listings:badge:staff-lift": pgettext_lazy("message kind", "Staff badge decision lifted"),
    "listings:badge:staff-revoke": pgettext_lazy("message kind", "Badge withheld by staff"),
    "listings:badge-restored": pgettext_lazy("message kind", "Badge restored"),
    "listings:badge-revoked": pgettext_lazy("message kind", "Badge revoked"),
    "listings:removed": pgettext_lazy("message kind", "Removed from the programme"),
    "listings:report": pgettext_lazy("message kind", "Report about a listing"),
    "listings:strike": pgettext_lazy("message kind", "Strike issued"),
    "listings:suspended": pgettext_lazy("message kind", "Posting suspended"),
    "booking:confirmed:guest": pgettext_lazy("message kind", "Booking confirmed (guest)"),
    "booking:confirmed:property": pgettext_lazy("message kind", "Booking confirmed (property)"),
    "booking:guest-cancelled": pgettext_lazy("message kind", "Booking cancelled by the guest"),
    "booking:auto-completed": pgettext_lazy("message kind", "Stay completed"),
    "booking:no-show:guest": pgettext_lazy("message kind", "No-show recorded (guest)"),
    "booking:no-show-disputed": pgettext_lazy("message kind", "No-show disputed"),
    "booking:no-show-decided": pgettext_lazy("message kind", "No-show decided (property)"),
    "booking:no-show-decided:guest": pgettext_lazy("message kind", "No-show decided (guest)"),
    "booking:no-show-settled": pgettext_lazy("message kind", "No-show settled"),
    "case:opened": pgettext_lazy("message kind", "Booking guarantee opened"),
    "case:offered": pgettext_lazy("message kind", "Replacement room offered"),
    "case:rebooked": pgettext_lazy("message kind", "Guest rebooked"),
    "case:refunded": pgettext_lazy("message kind", "Guest refunded"),
    "case:compensation": pgettext_lazy("message kind", "Compensation"),
    "case:contested": pgettext_lazy("message kind", "Refusal contested"),
    "case:dismissed": pgettext_lazy("message kind", "Case dismissed"),
    "case:lapsed": pgettext_lazy("message kind", "Answer time passed"),
    "case:reported": pgettext_lazy("message kind", "Refusal reported (property)"),
    "case:reported:guest": pgettext_lazy("message kind", "Refusal reported (guest)"),
    "conflict": pgettext_lazy("message kind", "Calendar conflict"),
    "feed:failing": pgettext_lazy("message kind", "Calendar feed failing"),
    "payout-account": pgettext_lazy("message kind", "Payout account"),
    "payout-bounced": pgettext_lazy("message kind", "Payout bounced"),
    "review:posted": pgettext_lazy("message kind", "New review"),
    "support:reply": pgettext_lazy("message kind", "Reply to an inquiry"),
}


def kind_words(kind: str) -> str:
    """A message's kind in words; an unknown kind as stored, so that nothing is hidden."""
    return str(KIND_WORDS.get(kind, kind)) if kind else "—"
