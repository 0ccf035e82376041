"""Agents' admin for the guarantee a guest calls in: open a case after a call on the guarantee line,
decide a contested report with both statements, and the guests flagged for dismissed reports."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform.admin_base import FORM_TEMPLATE, QueueFilter, ReadOnlyFieldsMixin
from trustplatform.pages import refusal_shown

from . import selectors
from .models import Booking, GuaranteeCase, GuestFlag
from .services import refusal_decisions, refusals


class CallForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("booking number"), max_length=12)
    note = forms.CharField(
        label=gettext_lazy("what the guest told you"),
        max_length=refusals.STATEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        booking = Booking.objects.select_related("property").filter(code=code).first()
        if booking is None:
            raise forms.ValidationError(_("No booking has this number."))
        self.booking = booking
        return code


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("decision"),
        choices=[
            ("uphold", gettext_lazy("Uphold: the property refused the guest; rehouse them at its cost")),
            ("dismiss", gettext_lazy("Dismiss: the booking stands as it was")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("grounds (both sides see them)"),
        max_length=refusals.STATEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _allowed(request, back: str):
    if request.user.has_perm("bookings.work_case"):
        return None
    messages.error(request, _("You are not allowed to do this."))
    return HttpResponseRedirect(back)


def _form_page(admin_site, request, *, opts, title, form, intro="", items=(), submit=""):
    return TemplateResponse(request, FORM_TEMPLATE, {
        **admin_site.each_context(request), "opts": opts, "title": title, "intro": intro,
        "items": items, "form": form, "submit_label": submit,
    })


class RefusalCaseAdminMixin:
    """For the guarantee cases' admin: the two pages of a reported case, linked from its templates."""

    change_list_template = "admin/bookings/guaranteecase/change_list.html"

    def get_urls(self):
        return [
            path("call/", self.admin_site.admin_view(self.call_view), name="bookings_guaranteecase_call"),
            path(
                "<int:case_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="bookings_guaranteecase_decide",
            ),
            *super().get_urls(),
        ]

    def call_view(self, request):
        """The guest called the guarantee line: the agent opens the case on their booking."""
        refused = _allowed(request, reverse("admin:bookings_guaranteecase_changelist"))
        if refused:
            return refused
        form = CallForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            with refusal_shown(form=form):
                case = refusals.case_report(
                    booking=form.booking, actor=request.user, note=form.cleaned_data["note"], by_agent=True
                )
                messages.success(request, _("Case opened; the property has been asked to answer."))
                return HttpResponseRedirect(reverse("admin:bookings_guaranteecase_change", args=[case.pk]))
        return _form_page(
            self.admin_site, request, opts=self.model._meta, form=form,
            title=_("Open a case after a call on the guarantee line"),
            intro=_("The guest says the property turned them away or has no room. The property is asked "
                    "to confirm or contest; its silence rehouses the guest."),
            submit=_("Open the case"),
        )

    def decide_view(self, request, case_id: int):
        """A contested report: the agent decides with both statements and the records of both sides."""
        case = get_object_or_404(
            GuaranteeCase.objects.select_related("booking__property", "booking__guest", "reported_by"),
            pk=case_id,
        )
        change = reverse("admin:bookings_guaranteecase_change", args=[case.pk])
        refused = _allowed(request, change)
        if refused:
            return refused
        form = DecideForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            with refusal_shown(form=form):
                refusal_decisions.case_decide(
                    case=case,
                    actor=request.user,
                    uphold=form.cleaned_data["decision"] == "uphold",
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, _("Decided."))
                return HttpResponseRedirect(change)
        return _form_page(
            self.admin_site, request, opts=self.model._meta, form=form,
            title=_("Decide %(case)s") % {"case": case},
            intro=_("Status: %(status)s. Decide only a contested report.") % {
                "status": case.get_status_display()},
            items=_decision_facts(case),
            submit=_("Decide"),
        )


def _decision_facts(case: GuaranteeCase) -> list[str]:
    booking = case.booking
    record = selectors.guest_report_record(guest=booking.guest)
    return [
        _("Booking %(code)s: %(property)s, %(check_in)s → %(check_out)s, %(status)s.") % {
            "code": booking.code, "property": booking.property.name, "check_in": booking.check_in,
            "check_out": booking.check_out, "status": booking.get_status_display()},
        _("Reported %(when)s (%(origin)s) by %(who)s.") % {
            "when": f"{case.opened_at:%Y-%m-%d %H:%M}", "origin": case.get_origin_display(),
            "who": case.reported_by or "—"},
        _("The guest says: %(text)s") % {"text": case.guest_statement or "—"},
        _("The property says: %(text)s") % {"text": case.property_statement or "—"},
        _("Why an agent: %(why)s") % {"why": case.escalation_reason or "—"},
        _("The guest's reports: %(reports)s, dismissed %(dismissed)s%(flag)s.") % {
            "reports": record["reports"], "dismissed": record["dismissed"],
            "flag": _(", flagged") if record["flagged"] else ""},
        _("The property's cancellations: %(n)s.") % {
            "n": selectors.property_cancellations(property_obj=booking.property).count()},
    ]


class FlagStanding(QueueFilter):
    title = gettext_lazy("standing")
    default = "flagged"
    queues = {
        "flagged": (gettext_lazy("Flagged"), {"cleared_at__isnull": True}),
        "all": (gettext_lazy("All"), None),
    }


class ClearForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("why"), max_length=300)


@admin.register(GuestFlag)
class GuestFlagAdmin(ReadOnlyFieldsMixin, admin.ModelAdmin):
    list_display = ["guest", "dismissed_reports", "flagged_at", "cleared_at"]
    list_filter = [FlagStanding]
    search_fields = ["guest__email"]
    change_form_template = "admin/bookings/guestflag/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("guest", "cleared_by")

    def get_urls(self):
        return [
            path("<int:flag_id>/clear/", self.admin_site.admin_view(self.clear_view),
                 name="bookings_guestflag_clear"),
            *super().get_urls(),
        ]

    def clear_view(self, request, flag_id: int):
        flag = get_object_or_404(GuestFlag.objects.select_related("guest"), pk=flag_id)
        change = reverse("admin:bookings_guestflag_change", args=[flag.pk])
        refused = _allowed(request, change)
        if refused:
            return refused
        form = ClearForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            with refusal_shown(form=form):
                refusal_decisions.guest_flag_clear(
                    flag=flag, actor=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("Flag cleared."))
                return HttpResponseRedirect(change)
        return _form_page(
            self.admin_site, request, opts=self.model._meta, form=form,
            title=_("Clear the flag of %(guest)s") % {"guest": flag.guest},
            intro=_("The property's silence will confirm this guest's reports again."),
            submit=_("Clear"),
        )
