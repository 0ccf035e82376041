"""Payments, refunds, payouts and provider events: read-only; money moves only through services."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from trustplatform.admin_base import ReadOnlyAdmin, ReadOnlyGenericInline, stored_words_register
from trustplatform.pii import mask_account

from .banks import bank_name
from .models import Payment, Payout, PayoutAccount, ProviderEvent, Refund
from .words import DETAIL_WORDS, event_type_words, outcome_words, provider_words

stored_words_register(ProviderEvent, "payload", DETAIL_WORDS)
stored_words_register(ProviderEvent, "facts", DETAIL_WORDS)


def _words_filter(field_name: str, title, words):
    """A list filter over the codes found in `field_name`, each shown in words."""

    class WordsFilter(admin.SimpleListFilter):
        parameter_name = field_name

        def lookups(self, request, model_admin):
            codes = model_admin.model.objects.order_by(field_name).values_list(field_name, flat=True)
            codes = codes.distinct()
            return [(code, words(code)) for code in codes if code]

        def queryset(self, request, queryset):
            return queryset.filter(**{field_name: self.value()}) if self.value() else queryset

    WordsFilter.title = title
    return WordsFilter


class CodesInWordsMixin:
    """Fields that hold a provider's codes are shown through `shown_fields` (field -> display method)."""

    shown_fields = {"provider": "provider_shown"}

    def get_readonly_fields(self, request, obj=None):
        return [self.shown_fields.get(name, name) for name in super().get_readonly_fields(request, obj)]

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or ()), *self.shown_fields]

    @admin.display(description=_("provider"), ordering="provider")
    def provider_shown(self, obj) -> str:
        return provider_words(obj.provider)


_PROVIDER_FILTER = _words_filter("provider", _("provider"), provider_words)


class PaymentInline(ReadOnlyGenericInline):
    """A subject's payments, on its own admin page (an agreement, a booking)."""

    model = Payment
    ct_field, ct_fk_field = "subject_type", "subject_id"
    fields = [
        "provider_payment_id", "method", "amount_krw", "refunded_krw", "status", "created_at", "paid_at",
    ]


@admin.register(Payment)
class PaymentAdmin(CodesInWordsMixin, ReadOnlyAdmin):
    list_display = [
        "provider_payment_id", "subject_type", "subject_id", "payer", "method", "amount_krw",
        "refunded_krw", "status", "created_at", "paid_at",
    ]
    list_filter = ["status", "method", _PROVIDER_FILTER, "subject_type"]
    search_fields = ["provider_payment_id", "=subject_id", "virtual_account"]
    list_select_related = ["subject_type", "payer"]
    date_hierarchy = "created_at"


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["provider_refund_id", "payment", "amount_krw", "status", "reason", "created_at",
                    "settled_at"]
    list_filter = ["status"]
    exclude = ["refund_account"]  # an account number: never shown in full
    readonly_fields = ["refund_account_masked"]
    search_fields = ["provider_refund_id", "key", "payment__provider_payment_id"]
    list_select_related = ["payment"]
    date_hierarchy = "created_at"

    @admin.display(description=_("refund account"))
    def refund_account_masked(self, obj) -> str:
        if not obj.refund_account:
            return "—"
        bank, number, holder = obj.refund_account.split("|", 2)
        return f"{bank_name(bank)} {mask_account(number)} ({holder})"


@admin.register(Payout)
class PayoutAdmin(CodesInWordsMixin, ReadOnlyAdmin):
    list_display = ["id", "partner", "user", "amount_krw", "account", "status", "failure",
                    "provider_payout_id",
                    "created_at", "settled_at"]
    list_filter = ["status", _PROVIDER_FILTER]
    search_fields = ["provider_payout_id", "partner__name", "user__email"]
    list_select_related = ["partner", "user", "account"]
    date_hierarchy = "created_at"


@admin.register(PayoutAccount)
class PayoutAccountAdmin(CodesInWordsMixin, ReadOnlyAdmin):
    """Where payees are paid: the number masked, who registered it, when its payouts may start."""

    list_display = ["__str__", "partner", "user", "verified_at", "payouts_from", "registered_by",
                    "replaced_at"]
    list_filter = [_PROVIDER_FILTER, ("replaced_at", admin.EmptyFieldListFilter)]
    exclude = ["number"]  # never shown in full
    search_fields = ["partner__name", "user__email", "holder"]
    list_select_related = ["partner", "user", "registered_by"]


@admin.register(ProviderEvent)
class ProviderEventAdmin(CodesInWordsMixin, ReadOnlyAdmin):
    list_display = ["received_at", "provider_shown", "event_id", "event_type_shown", "outcome_shown"]
    list_filter = [
        _PROVIDER_FILTER,
        _words_filter("event_type", _("event type"), event_type_words),
        _words_filter("outcome", _("outcome"), outcome_words),
    ]
    search_fields = ["event_id"]
    date_hierarchy = "received_at"
    shown_fields = {
        "provider": "provider_shown", "event_type": "event_type_shown", "outcome": "outcome_shown",
    }

    @admin.display(description=_("event type"), ordering="event_type")
    def event_type_shown(self, event) -> str:
        return event_type_words(event.event_type)

    @admin.display(description=_("outcome"), ordering="outcome")
    def outcome_shown(self, event) -> str:
        return outcome_words(event.outcome)
