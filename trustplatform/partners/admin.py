from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from trustplatform.transitions import TransitionAdmin

from . import services
from .business_status import BusinessStatusUnavailable
from .models import Membership, Partner


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Partner)
class PartnerAdmin(TransitionAdmin):
    list_display = ["name", "kind", "registration_number_display", "status", "business_status",
                    "business_status_checked_at", "created_at"]
    list_filter = ["status", "kind", "business_status"]
    search_fields = ["name", "registration_number", "representative"]
    # The birth date stays encrypted and out of sight; the payout's holder lookup reads it itself.
    exclude = ["verified_birth_date"]
    readonly_fields = ["applied_by", "created_at", "decided_at", "decision_note", "business_status",
                       "business_status_checked_at", "identity_verification_id", "identity_verified_at",
                       "verified_name"]
    inlines = [MembershipInline]
    actions = ["business_status_recheck"]
    transition_services = {
        "approve": services.partner_approve,
        "reject": services.partner_reject,
        "suspend": services.partner_suspend,
        "reinstate": services.partner_reinstate,
    }

    def has_add_permission(self, request):
        # Partners come in through the application form, never typed in by staff.
        return False

    @admin.display(description=_("business registration number"), ordering="registration_number")
    def registration_number_display(self, partner) -> str:
        return partner.registration_number_display

    @admin.action(description=_("Re-check business status at the tax office"), permissions=["change"])
    def business_status_recheck(self, request, queryset):
        checked = unavailable = 0
        for partner_id in queryset.exclude(registration_number="").values_list("pk", flat=True):
            try:
                services.partner_business_status_refresh(partner_id=partner_id)
                checked += 1
            except BusinessStatusUnavailable:
                unavailable += 1
        if checked:
            self.message_user(request, ngettext("%(count)d business status checked.",
                                                "%(count)d business statuses checked.", checked)
                              % {"count": checked}, level=messages.SUCCESS)
        if unavailable:
            self.message_user(request, ngettext(
                "The tax office could not be asked for %(count)d partner; try again later.",
                "The tax office could not be asked for %(count)d partners; try again later.", unavailable)
                % {"count": unavailable}, level=messages.WARNING)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "partner", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__full_name", "partner__name"]
    autocomplete_fields = ["user", "partner"]
