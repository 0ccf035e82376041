"""The evidence review queue: document conditions waiting for staff, with their files and SHA-256.

Accept and refuse go through escrow.services.release.condition_review, which checks
the review_document permission and the condition's state.
"""

from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from escrow.models import Condition, DisputeAnswer, EscrowAgreement, Evidence
from escrow.services import release
from trustplatform import files
from trustplatform.admin_base import QueueFilter, ReadOnlyAdmin, ReadOnlyInline, ServiceTransitionAdmin
from trustplatform.errors import DomainError

from .forms import BulkReasonForm, ReasonForm

# --- evidence --------------------------------------------------------------------------------

EVIDENCE_READERS = ("escrow.review_document", "escrow.decide_dispute", "escrow.decide_claim")


def _download_link(evidence: Evidence) -> str:
    url = reverse("admin:escrow_evidence_download", args=[evidence.pk])
    return format_html('<a href="{}">{}</a>', url, evidence.original_name)


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    fields = ["file_link", "sha256", "size_bytes", "description", "uploaded_by", "uploaded_at"]

    @admin.display(description=_("file"))
    def file_link(self, obj) -> str:
        return _download_link(obj)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or any(map(request.user.has_perm, EVIDENCE_READERS))


class ConditionEvidenceInline(EvidenceInline):
    fk_name = "condition"


class DisputeEvidenceInline(EvidenceInline):
    fk_name = "dispute"


class ClaimEvidenceInline(EvidenceInline):
    fk_name = "claim"


class DisputeAnswerInline(ReadOnlyInline):
    """The other side's answers, words first, each with its file if one came with it."""

    model = DisputeAnswer
    fields = ["side", "author", "text", "file_link", "answered_at"]
    verbose_name_plural = _("answers from the other side")

    @admin.display(description=_("file"))
    def file_link(self, obj) -> str:
        return _download_link(obj.evidence) if obj.evidence_id else "—"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author", "evidence")

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or any(map(request.user.has_perm, EVIDENCE_READERS))


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = [
        "original_name",
        "sha256",
        "size_bytes",
        "condition",
        "dispute",
        "claim",
        "uploaded_by",
        "uploaded_at",
    ]
    search_fields = ["original_name", "sha256"]
    list_select_related = ["condition", "dispute", "claim", "uploaded_by"]
    date_hierarchy = "uploaded_at"
    exclude = ["file"]  # a private file has no URL: it is shown as the download link

    def get_readonly_fields(self, request, obj=None):
        return ["file_link" if name == "file" else name for name in super().get_readonly_fields(request, obj)]

    @admin.display(description=_("file"))
    def file_link(self, obj) -> str:
        return _download_link(obj)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or any(map(request.user.has_perm, EVIDENCE_READERS))

    def get_urls(self):
        return [
            path(
                "<int:evidence_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="escrow_evidence_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, evidence_id: int):
        # Staff who may not read evidence are told nothing, not even that the file exists.
        if not self.has_view_permission(request):
            raise Http404
        evidence = get_object_or_404(Evidence, pk=evidence_id)
        return files.attachment_response(evidence.file, filename=evidence.original_name)


# --- evidence review -------------------------------------------------------------------------


def _accept_document(*, instance, actor, **kwargs):
    return release.condition_review(condition=instance, actor=actor, accept=True)


def _refuse_document(*, instance, actor, reason: str):
    return release.condition_review(condition=instance, actor=actor, accept=False, reason=reason)


class ConditionQueue(QueueFilter):
    title = _("queue")
    default = "review"
    queues = {
        "review": (
            _("Evidence review: documents waiting"),
            {
                "kind": Condition.Kind.DOCUMENT,
                "status": Condition.Status.PENDING,
                "agreement__status__in": [EscrowAgreement.Status.AGREED, EscrowAgreement.Status.FUNDED],
            },
        ),
        "all": (_("All conditions"), None),
    }


@admin.register(Condition)
class ConditionAdmin(ServiceTransitionAdmin):
    """The evidence review queue: document conditions waiting for staff, with their files' SHA-256."""

    list_display = ["label", "agreement", "kind", "status", "evidence_files", "decided_at"]
    list_filter = [ConditionQueue, "kind", "status"]
    search_fields = ["label", "=agreement__id", "agreement__title"]
    fields = [
        "agreement",
        "milestone",
        "kind",
        "label",
        "confirmer",
        "due_date",
        "status",
        "decided_by",
        "decided_at",
        "note",
    ]
    inlines = [ConditionEvidenceInline]
    actions = ["accept_documents", "refuse_documents"]
    action_permissions = ("escrow.review_document",)
    transition_services = {"satisfy": _accept_document, "fail": _refuse_document}
    transition_labels = {"satisfy": _("Accept document"), "fail": _("Refuse document")}
    fsm_forms = {"fail": ReasonForm}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agreement").prefetch_related("evidence")

    def transitions_apply_to(self, obj) -> bool:
        return obj.kind == Condition.Kind.DOCUMENT

    def has_review_permission(self, request) -> bool:
        return request.user.has_perm("escrow.review_document")

    def changelist_view(self, request, extra_context=None):
        if request.GET.get(ConditionQueue.parameter_name, ConditionQueue.default) == "review":
            extra_context = {**(extra_context or {}), "title": _("Evidence review")}
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("evidence (SHA-256)"))
    def evidence_files(self, obj) -> str:
        files = list(obj.evidence.all())
        if not files:
            return "—"
        rows = ((_download_link(item), item.sha256) for item in files)
        return format_html_join(mark_safe("<br>"), "{} <code>{}</code>", rows)

    def _review(self, request, conditions, *, accept: bool, reason: str = "") -> None:
        done, refused = 0, []
        for condition in conditions:
            try:
                release.condition_review(
                    condition=condition, actor=request.user, accept=accept, reason=reason
                )
                done += 1
            except DomainError as exc:
                refused.append(f"{condition}: {exc.detail}")
        if done:
            self.message_user(
                request, _("%(count)s document(s) reviewed.") % {"count": done}, messages.SUCCESS
            )
        for problem in refused:
            self.message_user(request, problem, messages.ERROR)

    @admin.action(description=_("Accept document"), permissions=["review"])
    def accept_documents(self, request, queryset):
        self._review(request, queryset, accept=True)

    @admin.action(description=_("Refuse document (with a reason)"), permissions=["review"])
    def refuse_documents(self, request, queryset):
        selected = [str(pk) for pk in queryset.values_list("pk", flat=True)]
        data = request.POST if "confirm" in request.POST else None
        form = BulkReasonForm(data, action="refuse_documents", selected=selected)
        if form.is_valid():
            self._review(request, queryset, accept=False, reason=form.cleaned_data["reason"])
            return None
        return self.render_form_page(
            request,
            title=_("Refuse documents"),
            form=form,
            items=[str(c) for c in queryset],
            intro=_("The parties see the reason and can upload a new document."),
            submit=_("Refuse"),
        )
