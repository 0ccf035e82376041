"""The tax office's standing of a partner business (사업자 상태조회), at application and monthly.

A closed business is refused at application and suspended after approval, its owners and the agents
told; a suspended one is filed and flagged to the reviewer; a provider that cannot answer never
loses an application and never stops the monthly check of the other partners. Both providers: the
sandbox's documented table, and PortOne through its real SDK against the local fake of its API.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import IndividualLandlordFactory, MembershipFactory, PartnerFactory, UserFactory
from trustplatform.audit.models import AuditEntry
from trustplatform.errors import DomainError
from trustplatform.notifications.models import Notification
from trustplatform.partners import services, tasks
from trustplatform.partners.business_status import BusinessStatus, business_status_provider
from trustplatform.partners.models import Membership, Partner
from trustplatform.partners.selectors import partners_business_status_due

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """These tests read notices in English: their people are made, and told, in English whatever language
    an earlier test left active."""
    with translation.override("en"):
        yield

SANDBOX_SUSPENDED, SANDBOX_CLOSED, SANDBOX_UNREGISTERED = "9999900005", "9999900010", "9999900024"
ACTIVE_BRN = "1248100998"


def application(brn: str = ACTIVE_BRN) -> dict:
    return {"name": "한강 게스트하우스", "kind": "lodging", "registration_number": brn,
            "representative": "이서준", "contact_email": "stay@example.kr",
            "address": "서울특별시 용산구 한강대로 100"}


def agent():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="agents"))
    return user


@pytest.fixture
def retries(monkeypatch):
    """The partners whose check was handed to the retrying task (instead of a broker)."""
    sent = []
    for method in ("delay_on_commit", "delay"):
        monkeypatch.setattr(tasks.business_status_check, method, sent.append)
    return sent


# --- at application: the sandbox ------------------------------------------------------------------

def test_an_active_business_is_filed_with_its_standing_and_when_it_was_asked(consumer):
    partner = services.partner_apply(user=consumer, **application())
    assert partner.business_status == BusinessStatus.ACTIVE
    assert partner.business_status_checked_at is not None


def test_a_closed_business_is_refused_and_nothing_is_stored(consumer):
    staff = agent()
    with pytest.raises(DomainError) as refusal:
        services.partner_apply(user=consumer, **application(SANDBOX_CLOSED))
    assert refusal.value.code == "business_closed" and "폐업" in refusal.value.detail  # in either language
    assert not Partner.objects.exists() and not Notification.objects.filter(user=staff).exists()


def test_the_apply_page_shows_why_a_closed_business_is_refused(client, consumer):
    client.force_login(consumer)
    response = client.post(reverse("partners:apply"), application("999-99-00010"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()  # the refusal, in the page's language
    assert "lists this business as closed" in page or "국세청에 폐업한 사업자로 조회됩니다" in page
    assert not Partner.objects.exists()


def test_a_suspended_business_is_filed_and_flagged_to_the_reviewer(consumer):
    staff = agent()
    partner = services.partner_apply(user=consumer, **application(SANDBOX_SUSPENDED))
    assert partner.status == Partner.Status.APPLIED and partner.business_status == BusinessStatus.SUSPENDED
    notice = Notification.objects.get(user=staff)
    assert "suspended at the tax office" in notice.title


def test_a_number_the_tax_office_does_not_know_is_filed_as_unknown_after_asking(consumer):
    partner = services.partner_apply(user=consumer, **application(SANDBOX_UNREGISTERED))
    assert partner.business_status == BusinessStatus.UNKNOWN and partner.business_status_checked_at


# --- at application: PortOne, through the SDK ------------------------------------------------------

@pytest.mark.parametrize("answer, stored", [("IN_BUSINESS", BusinessStatus.ACTIVE),
                                            ("SUSPENDED", BusinessStatus.SUSPENDED)])
def test_portone_standing_is_stored_at_application(consumer, portone, answer, stored):
    portone.businesses[ACTIVE_BRN] = answer
    partner = services.partner_apply(user=consumer, **application())
    assert partner.business_status == stored
    assert ("POST", "/b2b/companies/business-info", {"brnList": [ACTIVE_BRN]}) in portone.requests


def test_portone_closed_business_is_refused(consumer, portone):
    portone.businesses[ACTIVE_BRN] = "CLOSED"
    with pytest.raises(DomainError) as refusal:
        services.partner_apply(user=consumer, **application())
    assert refusal.value.code == "business_closed"
    assert not Partner.objects.exists()


@pytest.mark.parametrize("fault", ["500", "timeout", "html"])
def test_portone_unavailable_keeps_the_application_and_asks_again_later(consumer, portone, retries, fault):
    portone.businesses[ACTIVE_BRN] = "CLOSED"
    portone.fail_next("POST", "/b2b/companies/business-info", fault)
    partner = services.partner_apply(user=consumer, **application())
    assert partner.status == Partner.Status.APPLIED
    assert partner.business_status == BusinessStatus.UNKNOWN and partner.business_status_checked_at is None
    assert retries == [partner.pk]

    # The retrying task, once PortOne answers, refuses the closed business and tells its owner.
    assert tasks.business_status_check.run(partner.pk) == "closed:reject"
    partner.refresh_from_db()
    assert partner.status == Partner.Status.REJECTED and partner.business_status == BusinessStatus.CLOSED
    assert "closed" in Notification.objects.get(user=consumer).title


def test_portone_unregistered_number_is_unknown(portone):
    assert business_status_provider().status(registration_number="2208162517") == BusinessStatus.UNKNOWN


# --- monthly, after approval -----------------------------------------------------------------------

@pytest.fixture
def closed_partner(portone):
    """An approved partner PortOne now lists as closed, with two owners and a manager."""
    partner = PartnerFactory(registration_number=ACTIVE_BRN)
    owners = [MembershipFactory(partner=partner).user, MembershipFactory(partner=partner).user]
    manager = MembershipFactory(partner=partner, role=Membership.Role.MANAGER).user
    portone.businesses[ACTIVE_BRN] = "CLOSED"
    return partner, owners, manager


def test_the_monthly_check_suspends_a_closed_partner_and_tells_its_owners_and_agents(closed_partner, portone):
    partner, owners, manager = closed_partner
    active = PartnerFactory(registration_number="2208162517")
    portone.businesses["2208162517"] = "IN_BUSINESS"
    staff = agent()

    assert tasks.business_status_sweep.run() == {"checked": 2, "closed": 1, "unavailable": 0}

    partner.refresh_from_db()
    assert partner.status == Partner.Status.SUSPENDED and partner.business_status == BusinessStatus.CLOSED
    assert "폐업" in partner.decision_note  # "closed (폐업)" in either language
    audit = AuditEntry.objects.get(action="suspend")
    assert (audit.source, audit.target, audit.actor) == ("approved", "suspended", None)
    assert "폐업" in audit.reason
    for owner in owners:
        assert "suspended" in Notification.objects.get(user=owner).title
    assert not Notification.objects.filter(user=manager).exists()
    assert Notification.objects.filter(user=staff, title__contains=partner.name).count() == 1
    active.refresh_from_db()
    assert active.status == Partner.Status.APPROVED and active.business_status == BusinessStatus.ACTIVE


def test_checking_a_closed_partner_again_suspends_and_tells_once(closed_partner):
    partner, owners, _manager = closed_partner
    assert services.partner_business_status_refresh(partner_id=partner.pk) == "closed:suspend"
    assert services.partner_business_status_refresh(partner_id=partner.pk) == BusinessStatus.CLOSED
    assert AuditEntry.objects.filter(action="suspend").count() == 1
    assert Notification.objects.filter(user=owners[0]).count() == 1


def test_one_partners_provider_error_does_not_stop_the_others(closed_partner, portone, retries):
    partner, _owners, _manager = closed_partner
    other = PartnerFactory(registration_number="1018100340")
    portone.businesses["1018100340"] = "CLOSED"
    # The sweep asks in id order: the first partner's request meets a PortOne outage.
    portone.fail_next("POST", "/b2b/companies/business-info", "500")

    assert tasks.business_status_sweep.run() == {"checked": 1, "closed": 1, "unavailable": 1}
    assert retries == [partner.pk]
    partner.refresh_from_db()
    other.refresh_from_db()
    assert partner.status == Partner.Status.APPROVED and partner.business_status_checked_at is None
    assert other.status == Partner.Status.SUSPENDED


def test_due_are_approved_partners_with_a_number_not_checked_lately_and_unchecked_applications():
    stale = PartnerFactory(business_status_checked_at=timezone.now() - timedelta(days=40))
    never = PartnerFactory()
    PartnerFactory(business_status_checked_at=timezone.now())  # checked this month
    unchecked_application = PartnerFactory(status=Partner.Status.APPLIED)
    PartnerFactory(status=Partner.Status.APPLIED, business_status_checked_at=timezone.now())
    PartnerFactory(status=Partner.Status.SUSPENDED)
    IndividualLandlordFactory()  # no business number: nothing to ask
    assert partners_business_status_due() == sorted([stale.pk, never.pk, unchecked_application.pk])


def test_the_monthly_check_is_on_the_beat_schedule(settings):
    from trustplatform.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["partners-business-status-monthly"]
    assert entry["task"] == tasks.business_status_sweep.name
    assert entry["task"] in app.tasks


# --- the admin --------------------------------------------------------------------------------------

def test_the_admin_shows_the_standing_and_rechecks_it(client):
    partner = PartnerFactory(registration_number=SANDBOX_CLOSED)
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(
        codename__in=["view_partner", "change_partner", "decide_partner"]))
    client.force_login(staff)
    changelist = reverse("admin:partners_partner_changelist")

    action = {"action": "business_status_recheck", "_selected_action": [partner.pk]}
    response = client.post(changelist, action, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "1 business status checked." in response.content.decode()
    partner.refresh_from_db()
    assert partner.business_status == BusinessStatus.CLOSED and partner.status == Partner.Status.SUSPENDED
    page = client.get(reverse("admin:partners_partner_change", args=[partner.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Closed (폐업)" in page.content.decode() and "Business status checked at" in page.content.decode()
