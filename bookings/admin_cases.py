"""The agents' work on a guarantee case in the admin: take it, call the guest or the property through
the safe number (its number as a tel: link, never the real one), write notes, close with an outcome.

Each button posts to a small view that calls one bookings.services.casework function; those check
`bookings.work_case` again and write the audit row."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from trustplatform.admin_base import AssignedFilter
from trustplatform.admin_dashboards import ChartData, Series, chart_by_week, dashboard_chart, week_starts
from trustplatform.pages import page_action

from . import selectors
from .models import GuaranteeCase
from .services import casework

WORK_CASE_PERMISSION = casework.WORK_CASE


def _note_field(label, *, required: bool = True, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=casework.MAX_NOTE_CHARS,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class CaseNoteForm(forms.Form):
    text = _note_field(_("New note"))


class CaseContactForm(forms.Form):
    side = forms.ChoiceField(
        label=_("Whom you called"),
        choices=[("guest", _("The guest")), ("property", _("The property"))],
        widget=forms.RadioSelect,
    )
    reached = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("1", _("Reached")), ("0", _("No answer"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    note = _note_field(_("What was said (optional)"), required=False, rows=2)


class CaseCloseForm(forms.Form):
    """Asked by the case's "Close…" button: what became of the guest."""

    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=GuaranteeCase.Outcome.choices, widget=forms.RadioSelect
    )
    note = _note_field(_("Closing note (optional)"), required=False)


class CaseAgentFilter(AssignedFilter):
    assignee_field = "agent"


def close_with_outcome(*, instance, actor, outcome: str, note: str = "", **kwargs):
    return casework.case_close_with_outcome(case=instance, actor=actor, outcome=outcome, note=note)


class CaseWorkAdminMixin:
    """Assign, contact, notes and the outcome form for GuaranteeCaseAdmin."""

    def can_work(self, request) -> bool:
        return request.user.has_perm(casework.WORK_CASE)

    @admin.action(description=_("Assign to me"), permissions=["work"])
    def assign_to_me(self, request, queryset):
        for case in queryset:
            page_action(
                request,
                lambda case=case: casework.case_assign(case=case, actor=request.user, assignee=request.user),
                _("%(case)s is yours.") % {"case": case},
            )

    def has_work_permission(self, request) -> bool:
        return self.can_work(request)

    def casework_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:case_id>/assign-to-me/", view(self.assign_view), name="bookings_guaranteecase_assign"),
            path("<int:case_id>/note/", view(self.note_view), name="bookings_guaranteecase_note"),
            path("<int:case_id>/contact/", view(self.contact_view), name="bookings_guaranteecase_contact"),
        ]

    def _case_for_work(self, request, case_id: int) -> GuaranteeCase:
        case = self.get_queryset(request).filter(pk=case_id).first()
        if case is None:
            raise Http404
        if not self.can_work(request):
            raise PermissionDenied
        return case

    def _back(self, case) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:bookings_guaranteecase_change", args=[case.pk]))

    def assign_view(self, request, case_id: int):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        case = self._case_for_work(request, case_id)
        page_action(
            request,
            lambda: casework.case_assign(case=case, actor=request.user, assignee=request.user),
            _("%(case)s is yours.") % {"case": case},
        )
        return self._back(case)

    def note_view(self, request, case_id: int):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        case = self._case_for_work(request, case_id)
        form = CaseNoteForm(request.POST)
        if form.is_valid():
            page_action(
                request,
                lambda: casework.case_note_write(
                    case=case, actor=request.user, text=form.cleaned_data["text"]
                ),
                _("Note added."),
            )
        else:
            self.message_user(request, _("Write the note first."), level="error")
        return self._back(case)

    def contact_view(self, request, case_id: int):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        case = self._case_for_work(request, case_id)
        form = CaseContactForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            page_action(
                request,
                lambda: casework.case_contact_record(
                    case=case, actor=request.user, side=data["side"], reached=data["reached"],
                    note=data["note"],
                ),
                _("Call recorded."),
            )
        else:
            self.message_user(request, _("Say whom you called and whether you reached them."), level="error")
        return self._back(case)

    def casework_context(self, request, case: GuaranteeCase) -> dict:
        numbers = casework.case_safe_numbers(case)
        return {
            "case_work": {
                "can_work": self.can_work(request),
                "mine": case.agent_id == request.user.pk,
                "agent": case.agent,
                "guest_number": numbers["guest"],
                "property_number": numbers["property"],
                "note_form": CaseNoteForm(auto_id="id_note_%s"),
                "contact_form": CaseContactForm(auto_id="id_contact_%s"),
                "notes": list(case.notes.select_related("author").order_by("-created_at")),
            }
        }



@dashboard_chart(
    key="guarantee-weeks",
    title=_("Guarantee cases per week and time to rebook"),
    permissions=("bookings.view_guaranteecase", WORK_CASE_PERMISSION),
    group=_("Stays"),
    order=10,
)
def _guarantee_weeks_chart() -> ChartData:
    starts = week_starts(weeks=12)
    rows = selectors.guarantee_weeks(starts=starts)
    opened = [count for count, _hours in rows]
    hours = [median for _count, median in rows]
    last_wait = next((value for value in reversed(hours) if value is not None), None)
    summary = ngettext(
        "%(total)s guarantee case in the last 12 weeks, %(now)s this week. "
        "Latest median time to rebook: %(wait)s.",
        "%(total)s guarantee cases in the last 12 weeks, %(now)s this week. "
        "Latest median time to rebook: %(wait)s.",
        sum(opened),
    ) % {
        "total": sum(opened),
        "now": opened[-1],
        "wait": _("%(hours)s h") % {"hours": last_wait} if last_wait is not None else "—",
    }
    return chart_by_week(
        starts=starts,
        series=[
            Series(label=_("cases opened"), values=opened),
            Series(label=_("median hours to rebook"), values=hours, kind="line", unit="hours"),
        ],
        summary=summary,
    )
