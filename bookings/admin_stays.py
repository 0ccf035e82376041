"""Staff admin for the end of stays and for reviews: the agents' queue of disputed no-shows (each
decision a service call that moves the money), and reported reviews hidden or shown with a reason."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from trustplatform.admin_base import (
    FORM_TEMPLATE,
    QueueFilter,
    ReadOnlyFieldsMixin,
    ReadOnlyInline,
    ServiceTransitionAdmin,
)
from trustplatform.pages import refusal_shown

from .models import NoShowDispute, Review, ReviewReport
from .services import money, no_shows, reviews


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Grounds (the guest and the property read them)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )


def _stayed(*, instance, actor, reason: str, **kwargs):
    return no_shows.no_show_dispute_decide(dispute=instance, actor=actor, stayed=True, reason=reason)


def _no_show(*, instance, actor, reason: str, **kwargs):
    return no_shows.no_show_dispute_decide(dispute=instance, actor=actor, stayed=False, reason=reason)


class DisputeQueue(QueueFilter):
    title = _("queue")
    default = "open"
    queues = {
        "open": (_("Waiting for an agent"), {"status": NoShowDispute.Status.OPEN}),
        "all": (_("All no-show disputes"), None),
    }


@admin.register(NoShowDispute)
class NoShowDisputeAdmin(ServiceTransitionAdmin):
    """The agents' queue: the guest's statement, the stay, what each decision does with the money."""

    list_display = ["__str__", "booking", "property", "check_in", "status", "opened_at"]
    list_filter = [DisputeQueue, "status"]
    search_fields = ["=booking__code", "booking__property__name"]
    fields = [
        "booking", "property", "check_in", "statement", "money", "status", "decision_reason",
        "decided_by", "opened_at", "decided_at",
    ]
    extra_readonly_fields = ("property", "check_in", "money")
    action_permissions = ("bookings.decide_noshowdispute",)
    transition_services = {"decide_stayed": _stayed, "decide_no_show": _no_show}
    transition_labels = {
        "decide_stayed": _("The guest stayed: complete the stay, pay the property in full…"),
        "decide_no_show": _("A no-show: refund the guest by the property's policy, pay the rest…"),
    }
    fsm_forms = {"decide_stayed": DecisionForm, "decide_no_show": DecisionForm}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("booking__property", "decided_by")

    @admin.display(description=_("property"))
    def property(self, obj):
        return obj.booking.property

    @admin.display(description=_("check-in"), ordering="booking__check_in")
    def check_in(self, obj):
        return obj.booking.check_in

    @admin.display(description=_("money held"))
    def money(self, obj) -> str:
        booking = obj.booking
        held = money.held_account(booking).available_krw
        refund, rest = no_shows.no_show_split(booking, held_krw=held)
        return _(
            "₩%(held)s held. The guest stayed: all of it to the property. A no-show: ₩%(refund)s back to "
            "the guest (the property's %(policy)s policy for the check-in day), ₩%(rest)s to the property."
        ) % {
            "held": f"{held:,}",
            "refund": f"{refund:,}",
            "rest": f"{rest:,}",
            "policy": booking.property.get_cancellation_policy_display(),
        }


class ReportInline(ReadOnlyInline):
    model = ReviewReport
    fields = ["reporter", "partner", "reason", "created_at", "handled_at"]


def _reported(queryset):
    open_reports = ReviewReport.objects.filter(review=OuterRef("pk"), handled_at__isnull=True)
    return queryset.filter(Exists(open_reports))


class ReviewQueue(QueueFilter):
    title = _("queue")
    default = "reported"
    queues = {
        "reported": (_("Reported, waiting for an agent"), _reported),
        "hidden": (_("Hidden"), {"hidden_at__isnull": False}),
        "all": (_("All reviews"), None),
    }


class ModerationForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=300)


@admin.register(Review)
class ReviewAdmin(ReadOnlyFieldsMixin, admin.ModelAdmin):
    """Reviews as guests wrote them; agents hide one with a reason (it leaves the rating) or show it."""

    list_display = ["__str__", "property", "rating", "author_shown", "created_at", "answered_at", "hidden_at"]
    list_filter = [ReviewQueue, "rating"]
    search_fields = ["=booking__code", "property__name", "text"]
    inlines = [ReportInline]
    actions_on_review = {
        "hide": (reviews.review_hide, _("Hide this review"), _("Hidden; the rating no longer counts it.")),
        "show": (reviews.review_show, _("Show this review again"), _("Shown; the rating counts it again.")),
        "dismiss": (
            reviews.review_reports_dismiss, _("Keep it and close its reports"), _("Reports closed."),
        ),
    }

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("property", "booking")

    def has_change_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "moderation"]

    @admin.display(description=_("moderation"))
    def moderation(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "—"
        names = ["show"] if obj.is_hidden else ["hide", "dismiss"]
        links = (
            (reverse("admin:bookings_review_moderate", args=[obj.pk, name]), self.actions_on_review[name][1])
            for name in names
        )
        return format_html_join(" ", '<a class="button" href="{}">{}</a>', links)

    def get_urls(self):
        return [
            path(
                "<int:review_id>/moderate/<str:action>/",
                self.admin_site.admin_view(self.moderate_view),
                name="bookings_review_moderate",
            ),
            *super().get_urls(),
        ]

    def moderate_view(self, request, review_id: int, action: str):
        """A reason first, then the service (which checks the permission again)."""
        if action not in self.actions_on_review or not request.user.has_perm("bookings.moderate_review"):
            raise PermissionDenied
        review = get_object_or_404(Review.objects.select_related("property"), pk=review_id)
        service, title, done = self.actions_on_review[action]
        change = reverse("admin:bookings_review_change", args=[review.pk])
        form = ModerationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            with refusal_shown(form=form):
                service(review=review, actor=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, done)
                return HttpResponseRedirect(change)
        return TemplateResponse(request, FORM_TEMPLATE, {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"{title}: {review}",
            "intro": f"★{review.rating} · {review.property} · {review.author_shown}\n\n{review.text}",
            "form": form,
            "submit_label": title,
        })
