import pytest
from django.contrib.auth.models import Permission
from django.db import DatabaseError, transaction
from django.urls import reverse

from trustplatform.audit.models import AuditEntry
from trustplatform.audit.services import audit_record

from ..factories import PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_database_refuses_update_and_delete_of_audit_rows():
    entry = audit_record(obj=PartnerFactory(), action="note", reason="checked by phone")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(reason="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.reason == "checked by phone"


def test_staff_can_read_but_not_change_or_delete_audit_in_admin(client):
    entry = audit_record(obj=PartnerFactory(), action="note")
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=[
        "view_auditentry", "change_auditentry", "delete_auditentry"]))
    client.force_login(staff)
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 200
    page = client.get(reverse("admin:audit_auditentry_change", args=[entry.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    delete_url = reverse("admin:audit_auditentry_delete", args=[entry.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_every_transition_of_every_lifecycle_has_words_for_the_audit_trail():
    from django.apps import apps
    from django_fsm import FSMFieldMixin

    from trustplatform.audit.words import ACTION_WORDS

    names = {
        (model._meta.label, transition.name)
        for model in apps.get_models()
        for field in model._meta.fields if isinstance(field, FSMFieldMixin)
        for transition in field.get_all_transitions(model)
    }
    assert names
    assert not {(label, name) for label, name in names if name not in ACTION_WORDS}


def test_an_audit_row_reads_in_words_in_korean():
    from django.utils import translation

    partner = PartnerFactory()
    entry = audit_record(obj=partner, action="suspend", field="status", source="approved", target="suspended")
    with translation.override("en"):
        words = f"Suspended {partner.Status.APPROVED.label} → {partner.Status.SUSPENDED.label}"
        assert str(entry) == f"{partner}: {words}"
    assert entry.actor_repr == "system"
