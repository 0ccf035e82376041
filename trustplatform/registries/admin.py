"""The sandbox registry in the admin: agents add a lien here to see a release stop."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import SandboxRegistryRecord


class SandboxRegistryRecordForm(forms.ModelForm):
    liens_text = forms.CharField(
        label=_("Liens"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("One per line, e.g. 근저당권 설정 2026-11-23 채권최고액 1억원."),
    )

    class Meta:
        model = SandboxRegistryRecord
        fields = ["address", "owner_name", "owner_phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["liens_text"].initial = "\n".join(self.instance.liens or [])

    def save(self, commit=True):
        lines = self.cleaned_data.get("liens_text", "").splitlines()
        self.instance.liens = [line.strip() for line in lines if line.strip()]
        return super().save(commit)


@admin.register(SandboxRegistryRecord)
class SandboxRegistryRecordAdmin(admin.ModelAdmin):
    """The sandbox registry the registry check reads: staff add a lien here to see a release stop."""

    form = SandboxRegistryRecordForm
    list_display = ["address", "owner_name", "lien_count", "updated_at"]
    search_fields = ["address", "owner_name"]
    fields = ["address", "owner_name", "owner_phone", "liens_text", "updated_at"]
    readonly_fields = ["updated_at"]

    @admin.display(description=_("liens"))
    def lien_count(self, obj) -> int:
        return len(obj.liens or [])
