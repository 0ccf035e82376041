"""Consumer pages, owner portal and admin: what each audience sees, and never a real number."""

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from masking import services
from masking.models import Block, Preference
from trustplatform import pii
from trustplatform.audit.models import AuditEntry
from trustplatform.notifications.models import Notification

from ..factories import MembershipFactory, UserFactory
from .conftest import mobile, numbers_of

pytestmark = pytest.mark.django_db

CONSUMER, RIDER = mobile(51), mobile(52)
REAL_FORMS = ["2000-0051", "20000051", "2000-0052", "20000052"]


def _verified(user, phone):
    user.phone, user.phone_index, user.phone_hint = phone, pii.blind_index(phone), pii.mask_phone(phone)
    user.phone_verified_at = timezone.now()
    user.save()
    return user


@pytest.fixture
def scene(pool, client):
    pool(3)
    consumer = _verified(UserFactory(), CONSUMER)
    membership = MembershipFactory()
    session = services.session_open(
        partner=membership.partner, reference="A-1", consumer=services.Party(phone=CONSUMER, label="고객"),
        business=services.Party(phone=RIDER, label="라이더"),
        expires_at=timezone.now() + timezone.timedelta(hours=2))
    return consumer, membership, session


def _no_real_number(response):
    body = response.content.decode()
    assert response.status_code == 200
    assert not [form for form in REAL_FORMS if form in body]
    return body


def test_my_safe_numbers_lists_the_number_to_call_and_blocks(client, scene):
    consumer, _membership, session = scene
    client.force_login(consumer)
    body = _no_real_number(client.get("/safe-numbers/"))
    assert numbers_of(session)["consumer"][3:6] in body.replace("-", "")
    assert client.post(f"/safe-numbers/{session.pk}/block/").status_code == 302
    block = Block.objects.get()
    assert block.owner_index == pii.blind_index(CONSUMER)
    _no_real_number(client.get("/safe-numbers/"))
    client.post(f"/safe-numbers/blocks/{block.pk}/delete/")
    assert not Block.objects.exists()
    client.post("/safe-numbers/preference/", {})
    assert Preference.objects.get(user=consumer).use_safe_number is False


def test_a_consumer_cannot_block_in_someone_elses_session(client, scene):
    _consumer, _membership, session = scene
    client.force_login(UserFactory())
    assert client.post(f"/safe-numbers/{session.pk}/block/").status_code == 404


def test_the_portal_shows_proxy_numbers_only_and_calls_and_texts(client, scene,
                                                                django_capture_on_commit_callbacks):
    _consumer, membership, session = scene
    client.force_login(membership.user)
    body = _no_real_number(client.get("/portal/safe-numbers/"))
    assert "고객" in body
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/portal/safe-numbers/{session.pk}/call/")
        client.post(f"/portal/safe-numbers/{session.pk}/text/", {"body": "곧 도착합니다"})
    assert sorted(session.interactions.values_list("outcome", flat=True)) == ["ringing", "sent"]
    outsider = MembershipFactory()
    client.force_login(outsider.user)
    assert client.post(f"/portal/safe-numbers/{session.pk}/call/").status_code == 404


def test_the_simulator_bridges_a_call_and_masks_the_callee(client, scene, settings):
    _consumer, _membership, session = scene
    client.force_login(UserFactory(is_staff=True))  # with DEBUG off the simulator is staff-only
    response = client.post("/safe-numbers/simulator/", {"kind": "call", "caller": "010-2000-0051",
                                                        "proxy": numbers_of(session)["consumer"]})
    body = response.content.decode()  # the form shows back the caller's own number, as typed
    # the callee's real number in any form; "0052" alone can be the tail of a proxy number too
    assert "010-****-****" in body and not any(form in body for form in REAL_FORMS[2:])
    refused = client.post("/safe-numbers/simulator/", {"kind": "call", "caller": "010-9999-0000",
                                                       "proxy": numbers_of(session)["consumer"]})
    assert "masking-outcome refused" in refused.content.decode()


def test_the_demo_checkout_opens_a_session_when_the_consumer_opts_in(client, scene):
    consumer, membership, _session = scene
    _verified(membership.user, mobile(60))
    consumer.is_staff = True  # with DEBUG off the demo checkout is a tester's, staff-only
    consumer.save(update_fields=["is_staff"])
    client.force_login(consumer)
    client.post("/safe-numbers/try/", {"partner": membership.partner.pk, "use_safe_number": "on"})
    assert membership.partner.masked_sessions.count() == 2
    client.post("/safe-numbers/try/", {"partner": membership.partner.pk})
    assert membership.partner.masked_sessions.count() == 2


def test_admin_pages_show_utilisation_and_no_real_number(client, scene, admin_user):
    _consumer, _membership, session = scene
    client.force_login(admin_user)
    body = _no_real_number(client.get("/admin/masking/proxynumber/"))
    assert "masking-usage" in body
    _no_real_number(client.get(f"/admin/masking/maskedsession/{session.pk}/change/"))
    _no_real_number(client.get("/admin/masking/maskedsession/"))
    _no_real_number(client.get("/admin/masking/interaction/"))
    response = client.post("/admin/masking/proxynumber/add/", {"e164": "0505-100-7777", "note": "new"})
    assert response.status_code == 302


def test_admin_revoke_goes_through_the_service_with_a_reason(client, scene, admin_user):
    _consumer, _membership, session = scene
    client.force_login(admin_user)
    client.post(f"/admin/masking/maskedsession/{session.pk}/change/",
                {"_fsm_transition_to": "revoke", "reason": "abuse report"})
    session.refresh_from_db()
    if session.status == "open":  # the FSM admin asks for the reason on its own form first
        client.post(f"/admin/masking/maskedsession/{session.pk}/transition/revoke/",
                    {"reason": "abuse report"})
        session.refresh_from_db()
    assert session.close_reason == "revoked"
    assert AuditEntry.objects.filter(action="revoke", reason="abuse report").exists()


def test_the_pool_alert_tells_staff_once(scene, open_session, settings, django_capture_on_commit_callbacks):
    agents, _created = Group.objects.get_or_create(name="agents")
    agent = UserFactory(is_staff=True)
    agent.groups.add(agents)
    settings.MASKING_POOL_ALERT_PERCENT = 50
    with django_capture_on_commit_callbacks(execute=True):
        open_session(consumer=mobile(70), business=RIDER)  # the rider now holds 2 of 3
    assert services.pool_check() is False  # already alerted by the opening above
    assert Notification.objects.filter(user=agent).count() == 1
    assert AuditEntry.objects.filter(action="pool_alert").count() == 1
