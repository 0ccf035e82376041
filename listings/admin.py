"""Staff console for listings: report queue, inspections and campaigns, strikes, appeals, badge,
risk components. Nothing is edited directly; every button runs a service (lock, audit, notices)."""


from django import forms
from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from trustplatform import files
from trustplatform.admin_base import (
    QueueFilter,
    ReadOnlyAdmin,
    ReadOnlyInline,
    ServiceTransitionAdmin,
    readable_json,
    stored_word,
    stored_words_register,
)
from trustplatform.admin_dashboards import ChartData, Series, chart_by_month, dashboard_chart, month_starts
from trustplatform.transitions import transition_run

from . import selectors, services
from .forms import DecisionForm
from .models import (
    Appeal,
    AppealEvidence,
    BrokerStanding,
    Campaign,
    Inspection,
    InspectionPhoto,
    Listing,
    ListingContact,
    ListingPhoto,
    Report,
    ReporterStanding,
    RiskCalibration,
    RiskScore,
    Strike,
    Suspension,
    Verification,
    WastedTripClaim,
)
from .services.campaigns import campaign_open

# --- forms ------------------------------------------------------------------------------------------


class FakeConfirmForm(forms.Form):
    category = forms.ChoiceField(label=_("What was fake"), choices=Inspection.FakeCategory.choices)
    note = forms.CharField(label=_("How it was established"), widget=forms.Textarea(attrs={"rows": 3}))


class PhoneCheckForm(forms.Form):
    note = forms.CharField(label=_("What the owner said"), widget=forms.Textarea(attrs={"rows": 3}))


class RejectReportForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    false_report = forms.BooleanField(label=_("Proven false (bans the reporter for a while)"), required=False)


# What the stored risk parts, campaign parameters and verification facts are called on the page.
RISK_WORDS = {
    "price": _("Price below comparable homes"),
    "photo": _("Photo used elsewhere"),
    "let_live": _("Told it is already let"),
    "reports": _("Reports"),
    "broker": _("Brokerage's let-but-live answers"),
    "bumps": _("Bumped without a deal"),
    "strikes": _("Strikes"),
    "verification": _("Verification level"),
    "young": _("New brokerage"),
    "stale": _("No recent sign it is there"),
    "mandate": _("Same unit listed earlier by another brokerage, no owner's mandate shown"),
    "address": _("No other listing ever at this address"),
    "earlier": _("Other brokerages that listed the unit earlier"),
    "others": _("Other listings ever at this building"),
    "alone_share": _("Share of this building type's listings alone at their address"),
    "value": _("Part of the score (0-1)"),
    "z": _("Distance from comparable prices"),
    "peers": _("Listings compared"),
    "group": _("Comparison group (0 = the closest)"),
    "threshold": _("Distance where the price starts to count"),
    "median_krw_m2": _("Median price per m² (won)"),
    "partners": _("Other brokerages with the photo"),
    "told_gone": _("Callers told it is gone or offered another"),
    "no_viewing": _("Enquiries with no viewing"),
    "viewed": _("Viewings as listed"),
    "broker_contracted": _("Broker answered it is contracted"),
    "registry_changed": _("Registry changed since publishing"),
    "ratio": _("Against the market's rate"),
    "answers": _("Answered enquiries"),
    "count": _("Times bumped"),
    "habit": _("Against the brokerage's usual bumping"),
    "live_days": _("Days live"),
    "open": _("Open reports"),
    "weight": _("Report weight"),
    "points": _("Strike points"),
    "level": _("Level"),
    "age_days": _("Days since approval"),
    "days": _("Days since the last sign it is there"),
}
CAMPAIGN_WORDS = {
    "capacity": _("Inspections the team can do"),
    "top_areas": _("Most areas chosen"),
    "random_area": _("Area chosen at random"),
    "sample_percent": _("Sample (%)"),
    "broker_cap_percent": _("Most from one brokerage (%)"),
    "cooldown_months": _("Months before an area again"),
    "inspect_minutes": _("Minutes per inspection"),
    "travel_minutes": _("Minutes to reach an area"),
    "area_inspections": _("Inspections per swept area"),
    "lookback_days": _("Days of reports looked at"),
}
VERIFICATION_WORDS = {
    "owner_contact": _("Owner's number from"),
    "registry": _("the property registry"),
    "broker": _("the broker"),
    "answered_at": _("Owner answered at"),
}
stored_words_register(RiskScore, "components", RISK_WORDS)
stored_words_register(Inspection, "components", RISK_WORDS)
stored_words_register(Campaign, "parameters", CAMPAIGN_WORDS)
stored_words_register(Verification, "details", VERIFICATION_WORDS)
stored_words_register(Listing, "maintenance_includes", dict(Listing.FeeItem.choices))


def _components(score: RiskScore | None) -> str:
    if score is None:
        return "—"
    rows = format_html_join(
        "",
        "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
        (
            (stored_word(name, RISK_WORDS), detail.get("value"),
             readable_json({k: v for k, v in detail.items() if k != "value"}, RISK_WORDS))
            for name, detail in score.components.items()
        ),
    )
    return format_html(
        "<p>{} ({}, {})</p><table>{}</table>",
        score.score,
        score.version,
        score.computed_at,
        rows,
    )


# --- listings --------------------------------------------------------------------------------------


class PhotoInline(ReadOnlyInline):
    model = ListingPhoto
    fields = ["photo_link", "dhash", "width", "height", "uploaded_at"]

    @admin.display(description=_("photo"))
    def photo_link(self, obj) -> str:
        # The file's storage name ("listings/…/photo.jpg") means nothing to staff: a link does.
        return format_html('<a href="{}">{}</a>', obj.image.url, _("View the photo")) if obj.image else "—"


class VerificationInline(ReadOnlyInline):
    model = Verification
    fields = ["level", "status", "owner_phone_hint", "requested_at", "expires_at"]


class ContactInline(ReadOnlyInline):
    """Enquiries and how they turned out, by both sides' answers: a let-but-live listing shows here first."""

    model = ListingContact
    fields = ["created_at", "outcome", "outcome_at", "broker_answer", "broker_answer_at"]
    ordering = ["-created_at"]


class ListingQueue(QueueFilter):
    title = _("queue")
    default = "live"
    queues = {
        "live": (_("Live"), {"status__in": ["published", "verified", "flagged"]}),
        "flagged": (_("Under review"), {"status": "flagged"}),
        "all": (_("All listings"), None),
    }


@admin.register(Listing)
class ListingAdmin(ServiceTransitionAdmin):
    list_display = [
        "id",
        "title",
        "partner",
        "status",
        "deal_type",
        "headline_krw",
        "verification_level",
        "refresh_count",
        "risk_score",
    ]
    list_filter = [ListingQueue, "deal_type", "building_type", "sigungu_code"]
    search_fields = ["=id", "title", "address", "partner__name"]
    extra_readonly_fields = ("risk_components",)
    exclude = ("building_key",)  # a hash of the address, for the photo check only
    inlines = [PhotoInline, VerificationInline, ContactInline]

    def get_readonly_fields(self, request, obj=None):
        return [name for name in super().get_readonly_fields(request, obj) if name not in self.exclude]
    action_permissions = ("listings.decide_listing",)
    actions = ["send_for_inspection"]
    transition_services = {
        "flag": lambda *, instance, actor, **kw: transition_run(instance=instance, name="flag", actor=actor),
        "clear": lambda *, instance, actor, **kw: transition_run(
            instance=instance, name="clear", actor=actor
        ),
        "remove": lambda *, instance, actor, category, note, **kw: services.fake_confirm(
            listing=instance, actor=actor, category=category, note=note
        ),
    }
    transition_labels = {
        "flag": _("Flag for review"),
        "clear": _("Clear"),
        "remove": _("Confirm fake (strike)…"),
    }
    fsm_forms = {"remove": FakeConfirmForm}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("partner", "risk")

    @admin.display(description=_("risk"), ordering="risk__score")
    def risk_score(self, obj):
        return getattr(getattr(obj, "risk", None), "score", None)

    @admin.display(description=_("risk components"))
    def risk_components(self, obj):
        return _components(getattr(obj, "risk", None))

    @admin.action(description=_("Send for an on-site inspection"), permissions=["act"])
    def send_for_inspection(self, request, queryset):
        for listing in queryset:
            services.inspection_queue_open(listing=listing, actor=request.user)
        self.message_user(request, _("Queued for inspectors."), messages.SUCCESS)

    def has_act_permission(self, request):
        return self.can_act(request)


@admin.register(RiskScore)
class RiskScoreAdmin(ReadOnlyAdmin):
    list_display = ["listing", "score", "version", "computed_at"]
    ordering = ["-score"]
    readonly_fields = ["listing", "score", "version", "computed_at", "explained"]
    fields = readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields

    @admin.display(description=_("components"))
    def explained(self, obj):
        return _components(obj)


@admin.register(RiskCalibration)
class RiskCalibrationAdmin(ReadOnlyAdmin):
    """The weights learned from inspections (services.calibration); the newest is in use."""

    list_display = ["fitted_at", "samples", "fakes", "intercept", "slope"]
    readonly_fields = ["fitted_at", "samples", "fakes", "intercept", "slope", "weights_table"]
    fields = readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields

    @admin.display(description=_("weights"))
    def weights_table(self, obj):
        return format_html(
            "<table>{}</table>",
            format_html_join(
                "", "<tr><th>{}</th><td>{}</td></tr>",
                ((RISK_WORDS.get(name, name), weight) for name, weight in obj.weights.items()),
            ),
        )


@admin.register(Verification)
class VerificationAdmin(ServiceTransitionAdmin):
    list_display = ["id", "listing", "level", "status", "owner_phone_hint", "requested_at", "expires_at"]
    list_filter = ["status", "level"]
    exclude = ["owner_phone"]
    action_permissions = ("listings.decide_listing",)
    transition_services = {
        "confirm": lambda *, instance, actor, note, **kw: services.phone_check_record(
            instance=instance, actor=actor, confirmed=True, note=note
        ),
        "fail": lambda *, instance, actor, note, **kw: services.phone_check_record(
            instance=instance, actor=actor, confirmed=False, note=note
        ),
    }
    transition_labels = {"confirm": _("Owner confirmed by phone…"), "fail": _("Owner did not confirm…")}
    fsm_forms = {"confirm": PhoneCheckForm, "fail": PhoneCheckForm}

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "owner_phone"]

    def transitions_apply_to(self, obj) -> bool:
        return obj.level == Verification.Level.PHONE


# --- reports ----------------------------------------------------------------------------------------


class ReportQueue(QueueFilter):
    title = _("queue")
    default = "check"
    queues = {
        "check": (_("To check by phone"), {"status": "in_review"}),
        "broker": (_("Waiting for the broker"), {"status": "awaiting_broker"}),
        "on_site": (_("Sent on site"), {"status": "on_site"}),
        "all": (_("All reports"), None),
    }


@admin.register(Report)
class ReportAdmin(ServiceTransitionAdmin):
    list_display = [
        "id",
        "listing",
        "reason",
        "status",
        "weight",
        "respond_by",
        "broker_action",
        "created_at",
    ]
    list_filter = [ReportQueue, "reason"]
    search_fields = ["=id", "=listing__id", "details"]
    action_permissions = ("listings.decide_listing",)
    transition_services = {
        "escalate": lambda *, instance, actor, note, **kw: services.report_phone_check(
            instance=instance, actor=actor, outcome="on_site", note=note
        ),
        "reject": lambda *, instance, actor, reason, false_report=False, **kw: services.report_staff_decide(
            instance=instance, actor=actor, uphold=False, reason=reason, false_report=false_report
        ),
        "uphold": lambda *, instance, actor, reason, **kw: services.report_staff_decide(
            instance=instance, actor=actor, uphold=True, reason=reason
        ),
    }
    transition_labels = {
        "escalate": _("Phone check inconclusive: send on site…"),
        "reject": _("Not upheld…"),
        "uphold": _("Uphold…"),
    }
    fsm_forms = {"escalate": PhoneCheckForm, "reject": RejectReportForm, "uphold": DecisionForm}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("listing")


@admin.register(ReporterStanding)
class ReporterStandingAdmin(ReadOnlyAdmin):
    list_display = ["user", "upheld_count", "rejected_count", "false_count", "banned_until"]


@admin.register(WastedTripClaim)
class WastedTripClaimAdmin(ServiceTransitionAdmin):
    list_display = ["id", "listing", "status", "amount_krw", "evidence", "visited_on", "created_at"]
    list_filter = ["status"]
    action_permissions = ("listings.pay_wasted_trip",)
    transition_services = {
        "pay": lambda *, instance, actor, **kw: services.claim_pay(instance=instance, actor=actor),
        "reject": lambda *, instance, actor, reason, **kw: services.claim_reject(
            instance=instance, actor=actor, reason=reason
        ),
    }
    transition_labels = {"pay": _("Pay from the guarantee fund"), "reject": _("Reject…")}
    fsm_forms = {"reject": DecisionForm}


# --- inspections and campaigns ------------------------------------------------------------------------


def _download_link(url: str) -> str:
    return format_html('<a href="{}">{}</a>', url, _("Download"))


class InspectionPhotoInline(ReadOnlyInline):
    model = InspectionPhoto
    fields = ["photo_link", "uploaded_at"]  # a private file has no URL: only the scoped download

    @admin.display(description=_("photo"))
    def photo_link(self, obj) -> str:
        return _download_link(reverse("admin:listings_inspection_photo", args=[obj.inspection_id, obj.pk]))

    def has_view_permission(self, request, obj=None):
        # Whoever sees the inspection (inspectors, agents) sees its photos.
        return request.user.has_perm("listings.view_inspection")


class InspectionQueue(QueueFilter):
    title = _("queue")
    default = "queued"
    queues = {
        "queued": (_("Queued"), {"status": "queued"}),
        "unassigned": (_("Queued, no inspector"), {"status": "queued", "inspector__isnull": True}),
        "done": (_("Done"), {"status": "done"}),
        "all": (_("All inspections"), None),
    }


@admin.register(Inspection)
class InspectionAdmin(ServiceTransitionAdmin):
    list_display = ["id", "listing", "reason", "priority", "inspector", "status", "outcome", "campaign"]
    list_filter = [InspectionQueue, "inspector", "reason", "outcome", "campaign"]
    inlines = [InspectionPhotoInline]
    action_permissions = ("listings.decide_listing",)
    transition_services = {
        "cancel": lambda *, instance, actor, **kw: transition_run(
            instance=instance, name="cancel", actor=actor
        ),
    }
    transition_labels = {"cancel": _("Cancel")}

    def get_urls(self):
        return [
            path(
                "<int:inspection_id>/photos/<int:photo_id>/",
                self.admin_site.admin_view(self.photo_view),
                name="listings_inspection_photo",
            ),
            *super().get_urls(),
        ]

    def photo_view(self, request, inspection_id: int, photo_id: int):
        # Inspectors and agents see inspections; other staff are told nothing, not even that it exists.
        if not self.has_view_permission(request):
            raise Http404
        photo = get_object_or_404(InspectionPhoto, pk=photo_id, inspection_id=inspection_id)
        return files.attachment_response(photo.image, filename=f"inspection-{inspection_id}-{photo.pk}")


class CampaignOpenForm(forms.ModelForm):
    seed = forms.IntegerField(label=_("Seed (leave empty for a random one)"), required=False)
    capacity = forms.IntegerField(
        label=_("Capacity (empty: inspectors × per-inspector)"), required=False, min_value=1
    )

    class Meta:
        model = Campaign
        fields = ["month"]


class CampaignInspectionInline(ReadOnlyInline):
    model = Inspection
    fields = ["listing", "reason", "priority", "inspector", "status", "outcome"]


@admin.register(Campaign)
class CampaignAdmin(ServiceTransitionAdmin):
    list_display = ["month", "status", "capacity", "broker_cap", "seed", "areas"]
    inlines = [CampaignInspectionInline]
    action_permissions = ("listings.decide_listing",)
    transition_services = {
        "close": lambda *, instance, actor, **kw: transition_run(
            instance=instance, name="close", actor=actor
        ),
    }
    transition_labels = {"close": _("Close")}

    @admin.display(description=_("areas"))
    def areas(self, obj):
        return ", ".join(obj.selected_areas)

    def has_add_permission(self, request):
        return self.can_act(request)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            return CampaignOpenForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else super().get_readonly_fields(request, obj)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["month", "seed", "capacity"]
        return super().get_fields(request, obj)

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def save_model(self, request, obj, form, change):
        if not change:
            campaign = campaign_open(
                month=form.cleaned_data["month"],
                seed=form.cleaned_data.get("seed"),
                capacity=form.cleaned_data.get("capacity"),
                actor=request.user,
            )
            obj.pk = campaign.pk


# --- standing, strikes, appeals ----------------------------------------------------------------------


@admin.register(BrokerStanding)
class BrokerStandingAdmin(ServiceTransitionAdmin):
    """The badge follows the nightly rule unless staff decide it here, with a reason; a staff decision
    holds until staff hand the badge back to the rule."""

    list_display = [
        "partner", "badge", "badge_decision", "posting_suspended_until", "removed_at", "public_notice_at"
    ]
    list_filter = ["badge", "badge_decision"]
    fsm_fields = ["badge_decision"]
    action_permissions = ("listings.decide_listing",)
    transition_services = {
        "staff_grant": lambda *, instance, actor, reason, **kw: services.badge_grant(
            instance=instance, actor=actor, reason=reason
        ),
        "staff_revoke": lambda *, instance, actor, reason, **kw: services.badge_revoke(
            instance=instance, actor=actor, reason=reason
        ),
        "staff_lift": lambda *, instance, actor, reason, **kw: services.badge_decision_lift(
            instance=instance, actor=actor, reason=reason
        ),
    }
    transition_labels = {
        "staff_grant": _("Grant the 안심중개사 badge (holds over the rule)…"),
        "staff_revoke": _("Revoke the 안심중개사 badge (holds over the rule)…"),
        "staff_lift": _("Hand the badge back to the rule…"),
    }
    fsm_forms = {"staff_grant": DecisionForm, "staff_revoke": DecisionForm, "staff_lift": DecisionForm}


class SuspensionInline(ReadOnlyInline):
    model = Suspension
    fields = ["starts_at", "ends_at", "lifted_at", "lifted_reason"]


class StrikeLabels:
    """A strike's codes in words: what was fake and what followed."""

    @admin.display(description=_("what was fake"), ordering="category")
    def category_words(self, strike) -> str:
        return strike.category_label

    @admin.display(description=_("consequence"), ordering="consequence")
    def consequence_words(self, strike) -> str:
        return strike.consequence_label or "—"


@admin.register(Strike)
class StrikeAdmin(StrikeLabels, ReadOnlyAdmin):
    list_display = [
        "id",
        "partner",
        "listing",
        "severity",
        "category_words",
        "status",
        "consequence_words",
        "issued_at",
        "expires_at",
    ]
    list_filter = ["status", "severity"]
    list_select_related = ["partner", "listing"]
    inlines = [SuspensionInline]
    exclude = ["category", "consequence"]  # shown in words instead (get_readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        words = {"category": "category_words", "consequence": "consequence_words"}
        return [words.get(name, name) for name in super().get_readonly_fields(request, obj)]


class AppealEvidenceInline(ReadOnlyInline):
    model = AppealEvidence
    fields = ["file_link", "uploaded_at"]  # a private file has no URL: only the scoped download

    @admin.display(description=_("file"))
    def file_link(self, obj) -> str:
        url = reverse("admin:listings_appeal_evidence", args=[obj.appeal_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name or _("Download"))

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("listings.decide_appeal")  # the staff who decide appeals


class AppealQueue(QueueFilter):
    title = _("queue")
    default = "pending"
    queues = {"pending": (_("Pending"), {"status": "pending"}), "all": (_("All appeals"), None)}


@admin.register(Appeal)
class AppealAdmin(ServiceTransitionAdmin):
    list_display = ["id", "strike", "status", "filed_at", "decided_by"]
    list_filter = [AppealQueue]
    list_select_related = ["strike__partner", "decided_by"]
    inlines = [AppealEvidenceInline]
    extra_readonly_fields = ("case_file",)
    action_permissions = ("listings.decide_appeal",)
    transition_services = {
        "uphold": lambda *, instance, actor, reason, **kw: services.appeal_decide(
            instance=instance, actor=actor, uphold=True, reason=reason
        ),
        "reject": lambda *, instance, actor, reason, **kw: services.appeal_decide(
            instance=instance, actor=actor, uphold=False, reason=reason
        ),
    }
    transition_labels = {"uphold": _("Uphold (overrule the strike)…"), "reject": _("Reject…")}
    fsm_forms = {"uphold": DecisionForm, "reject": DecisionForm}

    def get_fields(self, request, obj=None):
        # What the decider weighs first: the strike and the broker's case, then the record.
        fields = [name for name in self.get_readonly_fields(request, obj) if name != "case_file"]
        return ["case_file", *fields]

    @admin.display(description=_("the broker's case"))
    def case_file(self, appeal) -> str:
        strike = appeal.strike
        evidence = [
            (
                reverse("admin:listings_appeal_evidence", args=[appeal.pk, item.pk]),
                item.original_name or _("Download"),
            )
            for item in appeal.evidence.all()
        ]
        return format_html(
            '<dl class="appeal-case"><dt>{}</dt><dd>{} · {}</dd><dt>{}</dt><dd>{}</dd>'
            "<dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd></dl>",
            _("Strike"),
            strike.category_label,
            strike.get_severity_display(),
            _("Grounds of the strike"),
            strike.note or "—",
            _("The broker's statement"),
            appeal.statement or "—",
            _("The broker's evidence"),
            format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a></li>', evidence))
            if evidence
            else _("No files attached."),
        )

    def get_urls(self):
        return [
            path(
                "<int:appeal_id>/evidence/<int:evidence_id>/",
                self.admin_site.admin_view(self.evidence_view),
                name="listings_appeal_evidence",
            ),
            *super().get_urls(),
        ]

    def evidence_view(self, request, appeal_id: int, evidence_id: int):
        # Only the staff who decide appeals open their evidence; others are told nothing.
        if not request.user.has_perm("listings.decide_appeal"):
            raise Http404
        evidence = get_object_or_404(AppealEvidence, pk=evidence_id, appeal_id=appeal_id)
        return files.attachment_response(evidence.file, filename=evidence.original_name)


@dashboard_chart(
    key="fakes-strikes",
    title=_("Confirmed fakes and strikes per month"),
    permissions=("listings.view_strike", "listings.view_report"),
    group=_("Homes"),
    order=30,
)
def _fakes_chart() -> ChartData:
    starts = month_starts(months=12)
    rows = selectors.fakes_and_strikes_months(starts=starts)
    fakes = [count for count, _strikes in rows]
    strikes = [count for _fakes, count in rows]
    summary = _(
        "In the last 12 months: %(fakes)s fake listings confirmed and %(strikes)s strikes issued; "
        "this month %(fakes_now)s and %(strikes_now)s."
    ) % {"fakes": sum(fakes), "strikes": sum(strikes), "fakes_now": fakes[-1], "strikes_now": strikes[-1]}
    return chart_by_month(
        starts=starts,
        series=[
            Series(label=_("fake listings confirmed"), values=fakes),
            Series(label=_("strikes issued"), values=strikes),
        ],
        summary=summary,
    )
