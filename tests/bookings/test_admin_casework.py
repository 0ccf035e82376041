"""An agent works a guarantee case in the admin: takes it, calls the guest and the property through the
safe number, writes notes and closes it with an outcome, each step audited; staff without the
permission to work cases see the case but none of its buttons, and cannot act by posting."""

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from bookings.models import CaseNote, GuaranteeCase
from bookings.services import guarantee
from bookings.services.stays import booking_cancel_by_property
from tests.factories import UserFactory
from trustplatform.audit.models import AuditEntry
from trustplatform.ui import korean

from .factories import PropertyFactory, RoomTypeFactory, confirmed_booking, fund_guarantee

pytestmark = pytest.mark.django_db


def staff_client(group: str, **kwargs) -> Client:
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def agent():
    return staff_client("agents", full_name="상담원 이")


@pytest.fixture
def finance():
    return staff_client("finance", full_name="재무 김")


@pytest.fixture
def case():
    """A case the guarantee could not rehouse by itself: with an agent, ready to be worked and closed."""
    fund_guarantee()
    booking = confirmed_booking(RoomTypeFactory(property=PropertyFactory(), grade=2), days_ahead=4)
    case = booking_cancel_by_property(booking=booking, actor=None, reason="overbooked")
    guarantee.case_search(case_id=case.pk)
    case.refresh_from_db()
    if case.status != GuaranteeCase.Status.ESCALATED:
        guarantee.case_escalate(instance=case, actor=None, reason="call the guest")
    case.refresh_from_db()
    return case


def change_url(case) -> str:
    return reverse("admin:bookings_guaranteecase_change", args=[case.pk])


def audited(case, action: str):
    return AuditEntry.objects.filter(
        content_type__model="guaranteecase", object_id=str(case.pk), action=action
    )


def test_an_agent_takes_the_case_and_the_queue_shows_it_as_theirs(agent, case):
    page = agent.get(change_url(case)).content.decode()
    assert "data-assign-to-me" in page

    agent.post(reverse("admin:bookings_guaranteecase_assign", args=[case.pk]))

    case.refresh_from_db()
    assert case.agent == agent.user
    entry = audited(case, "case_assigned").get()
    assert entry.actor == agent.user and entry.target == str(agent.user.pk)
    mine = agent.get(reverse("admin:bookings_guaranteecase_changelist") + "?agent=me").content.decode()
    assert case.booking.code in mine
    assert "data-assign-to-me" not in agent.get(change_url(case)).content.decode()


def test_assign_to_me_from_the_queue_takes_every_selected_case(agent, case):
    agent.post(
        reverse("admin:bookings_guaranteecase_changelist"),
        {"action": "assign_to_me", "_selected_action": [case.pk]},
    )
    case.refresh_from_db()
    assert case.agent == agent.user


def test_notes_keep_who_wrote_them_and_when(agent, case):
    agent.post(reverse("admin:bookings_guaranteecase_note", args=[case.pk]), {"text": "고객과 통화 예정"})

    note = CaseNote.objects.get(case=case)
    assert note.author == agent.user and note.text == "고객과 통화 예정"
    assert audited(case, "case_note").get().actor == agent.user
    page = agent.get(change_url(case)).content.decode()
    assert "고객과 통화 예정" in page and str(agent.user) in page
    assert korean.moment(note.created_at, with_year=True) in page


def test_an_empty_note_is_refused_with_a_message(agent, case):
    note = reverse("admin:bookings_guaranteecase_note", args=[case.pk])
    response = agent.post(note, {"text": "  "}, follow=True)
    assert response.status_code == 200 and not CaseNote.objects.filter(case=case).exists()


def test_the_page_offers_safe_numbers_as_tel_links_and_records_a_call(agent, case):
    page = agent.get(change_url(case)).content.decode()
    booking = case.booking
    # Real numbers never appear; any number shown is a safe one, as a link a phone can dial.
    assert booking.guest_phone not in page and booking.property.contact_phone not in page
    for number in re.findall(r'href="tel:([^"]+)"', page):
        assert number.startswith("+8250") or number.startswith("+82505")

    agent.post(
        reverse("admin:bookings_guaranteecase_contact", args=[case.pk]),
        {"side": "guest", "reached": "1", "note": "대체 숙소 안내"},
    )

    entry = audited(case, "case_contact").get()
    assert entry.actor == agent.user and entry.extra["side"] == "guest" and entry.extra["reached"] is True
    note = CaseNote.objects.get(case=case)
    assert "대체 숙소 안내" in note.text and note.author == agent.user


def test_closing_asks_the_outcome_and_keeps_it(agent, case):
    page = agent.get(change_url(case)).content.decode()
    assert 'value="close"' in page
    form = agent.get(reverse("admin:bookings_guaranteecase_transition", args=[case.pk, "close"]))
    assert form.status_code == 200 and 'name="outcome"' in form.content.decode()
    assert "None" not in re.sub(r"<script.*?</script>", "", form.content.decode(), flags=re.S)

    agent.post(
        reverse("admin:bookings_guaranteecase_transition", args=[case.pk, "close"]),
        {"outcome": GuaranteeCase.Outcome.OWN_ARRANGEMENTS, "note": "고객이 직접 숙소를 구함"},
    )

    case.refresh_from_db()
    assert case.status == GuaranteeCase.Status.CLOSED
    assert case.outcome == GuaranteeCase.Outcome.OWN_ARRANGEMENTS and case.closed_at is not None
    assert audited(case, "close").get().actor == agent.user
    assert CaseNote.objects.filter(case=case, text="고객이 직접 숙소를 구함", author=agent.user).exists()
    assert str(GuaranteeCase.Outcome.OWN_ARRANGEMENTS.label) in agent.get(change_url(case)).content.decode()


def test_staff_who_may_not_work_cases_see_no_buttons_and_cannot_act(finance, case):
    page = finance.get(change_url(case))
    assert page.status_code == 200
    html = page.content.decode()
    for marker in ("data-assign-to-me", "data-note-form", "data-contact-form"):
        assert marker not in html
    assert 'name="_fsm_transition_to"' not in html

    for name, data in (
        ("assign", {}),
        ("note", {"text": "몰래 쓴 메모"}),
        ("contact", {"side": "guest", "reached": "1"}),
    ):
        response = finance.post(reverse(f"admin:bookings_guaranteecase_{name}", args=[case.pk]), data)
        assert response.status_code == 403, name
    finance.post(
        reverse("admin:bookings_guaranteecase_transition", args=[case.pk, "close"]),
        {"outcome": GuaranteeCase.Outcome.OTHER},
    )
    case.refresh_from_db()
    assert case.agent is None and case.status != GuaranteeCase.Status.CLOSED
    assert not CaseNote.objects.filter(case=case).exists()
    assert not audited(case, "case_assigned").exists() and not audited(case, "case_note").exists()
