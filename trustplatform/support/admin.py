"""The agents' queue of customer questions: assign, reply (the customer is told), close. Nothing is
edited directly; every button runs a service."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from trustplatform.admin_base import AssignedFilter, QueueFilter, ReadOnlyInline, ServiceTransitionAdmin
from trustplatform.pages import page_action

from . import services
from .forms import AssignForm, CloseForm, ReplyForm
from .models import Inquiry, InquiryMessage


class InquiryQueue(QueueFilter):
    title = _("queue")
    default = "waiting"
    queues = {
        "waiting": (_("Waiting for an answer"), {"status": Inquiry.Status.OPEN}),
        "answered": (_("Answered"), {"status": Inquiry.Status.ANSWERED}),
        "closed": (_("Closed"), {"status": Inquiry.Status.CLOSED}),
        "all": (_("All questions"), None),
    }


class InquiryMessageInline(ReadOnlyInline):
    model = InquiryMessage
    fields = ["created_at", "sender", "body"]

    @admin.display(description=_("written by"))
    def sender(self, obj) -> str:
        return format_html("{} ({})", obj.author, _("Ansim team")) if obj.from_staff else _("Customer")


@admin.register(Inquiry)
class InquiryAdmin(ServiceTransitionAdmin):
    list_display = [
        "id", "category", "requester", "subject_label", "status", "assignee", "last_message_at", "created_at"
    ]
    list_filter = [InquiryQueue, AssignedFilter, "category"]
    list_select_related = ["assignee"]
    inlines = [InquiryMessageInline]
    action_permissions = ("support.answer_inquiry",)
    extra_readonly_fields = ("subject_link", "assign_link")
    actions = ["assign_to_me"]
    transition_services = {
        "answer": lambda *, instance, actor, body, **kw: services.inquiry_reply(
            inquiry=instance, actor=actor, body=body
        ),
        "close": lambda *, instance, actor, reason="", **kw: services.inquiry_close(
            inquiry=instance, actor=actor, reason=reason
        ),
    }
    transition_labels = {"answer": _("Reply to the customer…"), "close": _("Close…")}
    fsm_forms = {"answer": ReplyForm, "close": CloseForm}

    @admin.display(description=_("concerning"))
    def subject_link(self, obj) -> str:
        if obj.subject_type_id is None:
            return "—"
        model = obj.subject_type
        try:
            url = reverse(f"admin:{model.app_label}_{model.model}_change", args=[obj.subject_id])
        except NoReverseMatch:
            return obj.subject_label
        return format_html('<a href="{}">{}</a>', url, obj.subject_label or obj.subject_id)

    @admin.display(description=_("assign"))
    def assign_link(self, obj) -> str:
        url = reverse("admin:support_inquiry_assign", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Give to an agent…"))

    @admin.action(description=_("Assign to me"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        for inquiry in queryset:
            page_action(
                request,
                lambda inquiry=inquiry: services.inquiry_assign(
                    inquiry=inquiry, actor=request.user, assignee=request.user
                ),
                _("#%(id)s is yours.") % {"id": inquiry.pk},
            )

    def get_urls(self):
        extra = [
            path(
                "<int:inquiry_id>/assign/",
                self.admin_site.admin_view(self.assign_view),
                name="support_inquiry_assign",
            )
        ]
        return extra + super().get_urls()

    def assign_view(self, request, inquiry_id: int):
        inquiry = self.get_queryset(request).filter(pk=inquiry_id).first()
        if inquiry is None:
            raise Http404
        if not self.has_change_permission(request, inquiry):
            raise PermissionDenied
        form = AssignForm(request.POST or None, initial={"assignee": inquiry.assignee_id})
        if request.method == "POST" and form.is_valid():
            assignee = form.cleaned_data["assignee"]
            done = page_action(
                request,
                lambda: services.inquiry_assign(inquiry=inquiry, actor=request.user, assignee=assignee),
                _("Assigned."),
            )
            if done:
                return HttpResponseRedirect(reverse("admin:support_inquiry_change", args=[inquiry.pk]))
        return self.render_form_page(
            request, title=_("Give question %(inquiry)s to an agent") % {"inquiry": inquiry}, form=form
        )
