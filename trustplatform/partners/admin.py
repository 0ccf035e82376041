from django.contrib import admin

from trustplatform.transitions import TransitionAdmin

from . import services
from .models import Membership, Partner


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Partner)
class PartnerAdmin(TransitionAdmin):
    list_display = ["name", "kind", "registration_number_display", "status", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["name", "registration_number", "representative"]
    readonly_fields = ["applied_by", "created_at", "decided_at", "decision_note"]
    inlines = [MembershipInline]
    transition_services = {
        "approve": services.partner_approve,
        "reject": services.partner_reject,
        "suspend": services.partner_suspend,
        "reinstate": services.partner_reinstate,
    }

    def has_add_permission(self, request):
        # Partners come in through the application form, never typed in by staff.
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "partner", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__full_name", "partner__name"]
    autocomplete_fields = ["user", "partner"]
