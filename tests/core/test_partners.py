import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from trustplatform.audit.models import AuditEntry
from trustplatform.errors import DomainError
from trustplatform.notifications.models import Notification
from trustplatform.partners import services
from trustplatform.partners.brn import brn_is_valid, validate_brn
from trustplatform.partners.models import Membership, Partner

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

APPLICATION = {"name": "한강 게스트하우스", "kind": "lodging", "registration_number": "124-81-00998",
               "representative": "이서준", "contact_email": "stay@example.kr",
               "address": "서울특별시 용산구 한강대로 100"}


def _decider():
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="decide_partner"))
    return type(staff).objects.get(pk=staff.pk)  # drop the permission cache


@pytest.mark.parametrize("number, valid", [
    ("1248100998", True), ("2208162517", True), ("1248100999", False), ("0000000001", False),
])
def test_registration_number_checksum(number, valid):
    assert brn_is_valid(number) is valid


def test_wrong_checksum_is_refused_with_a_message_naming_the_check_digit():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        validate_brn("124-81-00999")
    assert exc.value.code == "brn_checksum"


def test_apply_form_shows_the_checksum_error_and_stores_nothing(client, consumer):
    client.force_login(consumer)
    response = client.post(reverse("partners:apply"), {**APPLICATION, "registration_number": "124-81-00999"},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "check digit" in response.content.decode()
    assert not Partner.objects.exists()


def test_application_lifecycle_with_one_audit_row_per_transition(consumer):
    partner = services.partner_apply(user=consumer, **APPLICATION)
    assert partner.status == Partner.Status.APPLIED
    assert Membership.objects.get(partner=partner).role == Membership.Role.OWNER
    staff = _decider()

    partner = services.partner_approve(instance=partner, actor=staff)
    partner = services.partner_suspend(instance=partner, actor=staff, reason="민원 다수")
    partner = services.partner_reinstate(instance=partner, actor=staff)
    assert partner.status == Partner.Status.APPROVED

    rows = list(AuditEntry.objects.order_by("id")
                .values_list("action", "source", "target", "actor", "reason"))
    assert rows == [
        ("approve", "applied", "approved", staff.pk, ""),
        ("suspend", "approved", "suspended", staff.pk, "민원 다수"),
        ("reinstate", "suspended", "approved", staff.pk, ""),
    ]
    # The owner hears about each decision.
    assert Notification.objects.filter(user=consumer).count() == 3


def test_rejection_is_final_and_a_second_decision_is_a_conflict(consumer):
    partner = services.partner_apply(user=consumer, **APPLICATION)
    staff = _decider()
    services.partner_reject(instance=partner, actor=staff, reason="등록번호 불일치")
    with pytest.raises(DomainError) as exc:
        services.partner_approve(instance=partner, actor=staff)
    assert exc.value.code == "invalid_transition" and exc.value.status == 409
    assert AuditEntry.objects.count() == 1


def test_staff_without_the_permission_cannot_decide(consumer):
    partner = services.partner_apply(user=consumer, **APPLICATION)
    plain_staff = UserFactory(is_staff=True)
    with pytest.raises(DomainError) as exc:
        services.partner_approve(instance=partner, actor=plain_staff)
    assert exc.value.status == 403
    partner.refresh_from_db()
    assert partner.status == Partner.Status.APPLIED and not AuditEntry.objects.exists()


def test_status_cannot_be_edited_directly(consumer):
    partner = services.partner_apply(user=consumer, **APPLICATION)
    with pytest.raises(AttributeError):
        partner.status = Partner.Status.APPROVED


def test_a_live_registration_number_cannot_apply_twice_but_may_after_rejection(consumer):
    partner = services.partner_apply(user=consumer, **APPLICATION)
    with pytest.raises(DomainError) as exc:
        services.partner_apply(user=UserFactory(), **APPLICATION)
    assert exc.value.code == "brn_taken" and exc.value.status == 409
    services.partner_reject(instance=partner, actor=_decider(), reason="서류 미비")
    again = services.partner_apply(user=consumer, **APPLICATION)
    assert again.status == Partner.Status.APPLIED


def test_admin_approve_button_runs_the_transition_with_audit(client, consumer):
    partner = services.partner_apply(user=consumer, **APPLICATION)
    staff = _decider()
    for codename in ("view_partner", "change_partner"):
        staff.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(staff)
    url = reverse("admin:partners_partner_change", args=[partner.pk])
    page = client.get(url)
    assert page.status_code == 200 and b'value="approve"' in page.content
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"_fsm_transition_to": "approve", "memberships-TOTAL_FORMS": "1",
                 "memberships-INITIAL_FORMS": "1", "memberships-0-id": partner.memberships.get().pk,
                 "memberships-0-partner": partner.pk, "memberships-0-user": consumer.pk,
                 "memberships-0-role": "owner"})
    response = client.post(url, data)
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.status == Partner.Status.APPROVED
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_id) == ("approve", staff.pk)


def test_staff_groups_exist_with_their_permissions():
    from django.contrib.auth.models import Group

    agents = Group.objects.get(name="agents")
    assert agents.permissions.filter(codename="decide_partner").exists()
    assert {"agents", "inspectors", "finance"} <= set(Group.objects.values_list("name", flat=True))


@pytest.mark.parametrize("name", ["delete", "save", "__init__"])
def test_admin_refuses_a_posted_name_that_is_not_a_button(client, consumer, name):
    partner = services.partner_apply(user=consumer, **APPLICATION)
    staff = _decider()
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_partner", "change_partner"]))
    client.force_login(staff)
    url = reverse("admin:partners_partner_change", args=[partner.pk])
    form = client.get(url).context["adminform"].form
    data = {field: form[field].value() or "" for field in form.fields}
    data.update({"_fsm_transition_to": name, "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "1",
                 "memberships-0-id": partner.memberships.get().pk, "memberships-0-partner": partner.pk,
                 "memberships-0-user": consumer.pk, "memberships-0-role": "owner"})
    assert client.post(url, data).status_code == 302
    partner.refresh_from_db()
    assert partner.status == Partner.Status.APPLIED and not AuditEntry.objects.exists()
