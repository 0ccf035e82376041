"""Staff admin: properties (with the owner's cancellation history), bookings, guarantee cases and the
agents' queue ordered by time to check-in, candidates with scores, manual rebooking, notes."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from trustplatform.admin_base import (
    FORM_TEMPLATE,
    QueueFilter,
    ReadOnlyFieldsMixin,
    ReadOnlyInline,
    stored_words_register,
)
from trustplatform.ledger.reasons import reasons_register
from trustplatform.pages import refusal_shown
from trustplatform.transitions import TransitionAdmin
from trustplatform.ui import korean

from . import (
    admin_stays,  # noqa: F401  (no-show disputes and reviews register their admin pages)
    selectors,
)
from .admin_cases import CaseAgentFilter, CaseCloseForm, CaseWorkAdminMixin, close_with_outcome
from .admin_refusals import RefusalCaseAdminMixin
from .models import (
    AMENITIES,
    AMENITIES_CODES,
    Booking,
    CalendarFeed,
    CaseNote,
    Conflict,
    GuaranteeCandidate,
    GuaranteeCase,
    Property,
    RoomType,
)
from .services import compensation, guarantee, properties, stay_marks, stays

# The ledger reasons bookings' services write, shown translated (trustplatform/ledger/reasons.py).
reasons_register(
    gettext_noop("booking %(code)s paid"),
    gettext_noop("cancellation fee %(code)s"),
    gettext_noop("the guarantee's share of %(code)s returns"),
    gettext_noop("complete %(code)s"),
    gettext_noop("completed automatically %(code)s"),
    gettext_noop("guarantee charges of %(partner)s recovered from its payouts"),
    gettext_noop("guarantee case #%(id)s"),
    gettext_noop("guarantee charge for cancelling %(code)s"),
    gettext_noop("guest's payment moves from %(old)s to %(new)s"),
    gettext_noop("guarantee fund pays the difference for %(code)s"),
    gettext_noop("fund's share of a cheaper room returns"),
    gettext_noop("fund's share returns"),
    gettext_noop("swap %(old)s → %(new)s"),
    gettext_noop("fund pays the swap's difference"),
    gettext_noop("a cheaper swap returns money to the fund"),
    gettext_noop("guarantee charge for the swap of case #%(id)s"),
    gettext_noop("the swap of case #%(id)s cost less: charge returned"),
)
stored_words_register(Property, "amenities", AMENITIES)
stored_words_register(RoomType, "amenities", AMENITIES)
stored_words_register(Booking, "must_have", AMENITIES)


class PropertyForm(forms.ModelForm):
    # Ticked from the amenities guests filter by, not typed as JSON.
    amenities = forms.MultipleChoiceField(
        label=_("amenities"), choices=AMENITIES_CODES, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Property
        fields = ["amenities"]  # the admin adds the rest


class RoomTypeInline(admin.TabularInline):
    model = RoomType
    extra = 0
    fields = ["name", "grade", "capacity", "price_krw", "rooms", "is_active"]


@admin.register(Property)
class PropertyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "partner",
        "city",
        "star_class",
        "rating",
        "review_count",
        "cancellations",
        "is_active",
    ]
    list_filter = ["is_active", "city", "star_class"]
    search_fields = ["name", "address", "partner__name"]
    form = PropertyForm
    exclude = ["contact_phone"]
    # The rating and review count are derived from guests' reviews: shown, never typed.
    readonly_fields = ["rating", "review_count", "contact_phone_hint", "cancellation_history"]
    inlines = [RoomTypeInline]

    def save_model(self, request, obj, form, change):
        properties.property_store(prop=obj)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("partner")
            .annotate(
                cancel_count=Count(
                    "bookings", filter=Q(bookings__status=Booking.Status.CANCELLED_BY_PROPERTY)
                )
            )
        )

    @admin.display(description=_("cancellations by the owner"), ordering="cancel_count")
    def cancellations(self, obj):
        return obj.cancel_count

    @admin.display(description=_("owner's cancellation history"))
    def cancellation_history(self, obj):
        rows = list(selectors.property_cancellations(property_obj=obj)[:50])
        if not rows:
            return _("No cancellations.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} · {} · {} → {} · “{}”</li>",
                (
                    (
                        korean.moment(b.cancelled_at, with_year=True),
                        b.code,
                        korean.day(b.check_in),
                        korean.day(b.check_out),
                        b.cancel_reason,
                    )
                    for b in rows
                ),
            ),
        )


def _check_in(*, instance, actor, **kwargs):
    return stay_marks.booking_check_in(booking=instance, actor=actor)


def _complete(*, instance, actor, **kwargs):
    return stay_marks.booking_complete(booking=instance, actor=actor)


def _no_show(*, instance, actor, **kwargs):
    return stay_marks.booking_no_show(booking=instance, actor=actor)


def _guest_cancel(*, instance, actor, **kwargs):
    return stays.booking_cancel_by_guest(
        booking=instance, actor=actor, reason="cancelled by staff for the guest"
    )


@admin.register(Booking)
class BookingAdmin(ReadOnlyFieldsMixin, TransitionAdmin):
    list_display = [
        "code",
        "property",
        "room_type",
        "check_in",
        "check_out",
        "guests",
        "status",
        "source",
        "price_total_krw",
    ]
    list_filter = ["status", "source"]
    search_fields = ["=code", "property__name", "guest__email"]
    date_hierarchy = "check_in"
    exclude = ["guest_phone"]
    transition_services = {
        "check_in_guest": _check_in,
        "complete": _complete,
        "mark_no_show": _no_show,
        "cancel_by_guest": _guest_cancel,
    }

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("property", "room_type")

    def get_readonly_fields(self, request, obj=None):
        return [f for f in super().get_readonly_fields(request, obj) if f != "guest_phone"]


class CandidateInline(admin.TabularInline):
    model = GuaranteeCandidate
    extra = 0
    can_delete = False
    fields = [
        "rank",
        "room_type",
        "score",
        "same_property",
        "distance_m",
        "price_total_krw",
        "extra_cost_krw",
        "status",
        "booking",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("room_type__property", "booking")


class NoteInline(ReadOnlyInline):
    """The case's notes, oldest first: who wrote what and when (new ones come from the work panel)."""

    model = CaseNote
    fields = ["created_at", "author", "text"]


class CaseQueue(QueueFilter):
    """Opens on the agents' queue: cases still open, soonest check-in first."""

    title = _("queue")
    default = "open"
    queues = {
        "open": (_("Open (agents' queue)"), {"status__in": [
            GuaranteeCase.Status.OPENED, GuaranteeCase.Status.SEARCHING,
            GuaranteeCase.Status.OFFERED, GuaranteeCase.Status.ESCALATED,
            GuaranteeCase.Status.CONTESTED, GuaranteeCase.Status.REPORTED,
        ]}),
        "contested": (_("Reports to decide"), {"status": GuaranteeCase.Status.CONTESTED}),
        "compensation": (_("Compensation waiting for an agent"), {"compensation_due_krw__gt": 0}),
        "all": (_("All cases"), None),
    }


class RebookForm(forms.Form):
    room_type = forms.ModelChoiceField(label=_("room"), queryset=RoomType.objects.none())

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        near = selectors.properties_near(
            lat=case.booking.property.latitude,
            lng=case.booking.property.longitude,
            radius_m=selectors.guarantee_radius_m(case.booking.property) * 3,
        )
        self.fields["room_type"].queryset = (
            RoomType.objects.filter(
                property_id__in=list(near), is_active=True, capacity__gte=case.booking.guests
            )
            .select_related("property")
            .order_by("property__name", "-grade")
        )


class CompensationForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[("pay", _("Pay the compensation")), ("refuse", _("Refuse the compensation"))],
        widget=forms.RadioSelect,
    )
    amount_krw = forms.IntegerField(
        label=_("amount to pay (KRW)"), min_value=1, required=False,
        help_text=_("At most what the case waits for and what this month's cap leaves."),
    )
    reason = forms.CharField(label=_("grounds"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "pay" and not data.get("amount_krw"):
            self.add_error("amount_krw", _("Required."))
        return data


def _escalate(*, instance, actor, **kwargs):
    return guarantee.case_escalate(instance=instance, actor=actor, reason="escalated by staff")


@admin.register(GuaranteeCase)
class GuaranteeCaseAdmin(CaseWorkAdminMixin, RefusalCaseAdminMixin, ReadOnlyFieldsMixin, TransitionAdmin):
    list_display = [
        "__str__",
        "check_in",
        "property",
        "status",
        "agent",
        "mode",
        "origin",
        "best_score",
        "extra_cost_krw",
        "opened_at",
    ]
    list_filter = [CaseQueue, CaseAgentFilter, "status", "origin", "mode"]
    search_fields = ["=id", "=booking__code", "booking__property__name"]
    inlines = [CandidateInline, NoteInline]
    actions = ["assign_to_me"]
    transition_services = {"escalate": _escalate, "close": close_with_outcome}
    fsm_forms = {"close": CaseCloseForm}
    change_form_template = "admin/bookings/guaranteecase/change_form.html"

    def get_queryset(self, request):
        # The queue: the guest who arrives soonest first.
        return (
            super()
            .get_queryset(request)
            .select_related("booking__property", "rebooked", "agent")
            .order_by("booking__check_in", "opened_at")
        )

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "owner_history"]

    @admin.display(description=_("check-in"), ordering="booking__check_in")
    def check_in(self, obj):
        return obj.booking.check_in

    @admin.display(description=_("property"))
    def property(self, obj):
        return obj.booking.property

    @admin.display(description=_("best score"))
    def best_score(self, obj):
        best = obj.candidates.order_by("rank").first()
        return f"{best.score:.1f}" if best else "—"

    @admin.display(description=_("owner's cancellation history"))
    def owner_history(self, obj):
        return PropertyAdmin.cancellation_history(None, obj.booking.property)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = self.get_object(request, object_id)
        # Nothing on the page is edited in place: the work panel and the buttons act.
        extra_context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False,
                         "show_save_and_add_another": False, "show_delete": False}
        if case is not None:
            extra_context.update(self.casework_context(request, case))
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            *self.casework_urls(),
            path(
                "<int:case_id>/rebook/",
                self.admin_site.admin_view(self.rebook_view),
                name="bookings_guaranteecase_rebook",
            ),
            path(
                "<int:case_id>/compensation/",
                self.admin_site.admin_view(self.compensation_view),
                name="bookings_guaranteecase_compensation",
            ),
            *super().get_urls(),
        ]

    def rebook_view(self, request, case_id: int):
        case = get_object_or_404(GuaranteeCase.objects.select_related("booking__property"), pk=case_id)
        if not request.user.has_perm("bookings.work_case"):
            messages.error(request, _("You are not allowed to do this."))
            return HttpResponseRedirect(reverse("admin:bookings_guaranteecase_change", args=[case.pk]))
        form = RebookForm(request.POST or None, case=case)
        if request.method == "POST" and form.is_valid():
            with refusal_shown(form=form):
                new = guarantee.case_rebook_manual(
                    case=case, room_type=form.cleaned_data["room_type"], actor=request.user
                )
                messages.success(request, _("Booked %(code)s for the guest.") % {"code": new.code})
                return HttpResponseRedirect(reverse("admin:bookings_guaranteecase_change", args=[case.pk]))
        return TemplateResponse(
            request,
            "admin/bookings/rebook_form.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Rebook by hand"),
                "case": case,
                "form": form,
                "opts": self.model._meta,
            },
        )


    def compensation_view(self, request, case_id: int):
        """An agent pays or refuses the compensation an outlier case waits for."""
        case = get_object_or_404(GuaranteeCase.objects.select_related("booking__property"), pk=case_id)
        change = reverse("admin:bookings_guaranteecase_change", args=[case.pk])
        if not request.user.has_perm("bookings.work_case"):
            messages.error(request, _("You are not allowed to do this."))
            return HttpResponseRedirect(change)
        form = CompensationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            with refusal_shown(form=form):
                if data["decision"] == "pay":
                    compensation.case_compensation_pay(
                        case=case, actor=request.user, amount_krw=data["amount_krw"], reason=data["reason"]
                    )
                    messages.success(request, _("Compensation paid."))
                else:
                    compensation.case_compensation_refuse(
                        case=case, actor=request.user, reason=data["reason"]
                    )
                    messages.success(request, _("Compensation refused."))
                return HttpResponseRedirect(change)
        return TemplateResponse(
            request,
            FORM_TEMPLATE,
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Compensation for %(case)s") % {"case": case},
                "intro": _(
                    "Waiting: ₩%(due)s (the property's price ₩%(price)s, its penalty ₩%(penalty)s).\n"
                    "Why an agent decides: %(why)s"
                ) % {
                    "due": f"{case.compensation_due_krw:,}",
                    "price": f"{case.booking.price_total_krw:,}",
                    "penalty": f"{case.penalty_krw:,}",
                    "why": case.compensation_review or "—",
                },
                "form": form,
                "submit_label": _("Decide"),
            },
        )


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["name", "room_type", "state", "last_success_at", "failures", "events"]
    list_filter = ["state"]
    readonly_fields = ["state", "last_fetch_at", "last_success_at", "last_error", "failures", "events"]


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):
    list_display = ["booking", "feed", "start", "end", "status", "deadline"]
    list_filter = ["status"]
    readonly_fields = [
        "booking",
        "feed",
        "uid",
        "start",
        "end",
        "summary_quoted",
        "status",
        "deadline",
        "detected_at",
        "resolved_at",
    ]
    exclude = ["summary"]

    @admin.display(description=_("summary"))
    def summary_quoted(self, conflict) -> str:
        # The other channel's own words ("Reserved"), quoted as it wrote them so staff can find the stay.
        return format_html('<q translate="no">{}</q>', conflict.summary) if conflict.summary else "—"

    def has_add_permission(self, request):
        return False
