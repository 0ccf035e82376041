"""A fake listing in real browsers: a consumer reports it; after the broker's answer and the phone
check, an inspector confirms it on site from the phone page (photo, GPS); the 안심중개사 badge
disappears from the listing page at once; the broker appeals in the portal; staff who did not inspect
uphold the appeal in the admin; the badge returns. Pages are checked through stable `data-` attributes,
not translated text.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import expect

from listings import services
from listings.models import Appeal, BrokerStanding, Inspection, Report, Strike
from tests.listings.conftest import STAFF_GROUPS, listing_data, photo_file

from ..factories import PASSWORD, MembershipFactory, PartnerFactory, UserFactory
from ..second_factor import second_factor_enrol

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SUBMIT = "#main form button[type=submit]"


def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.locator(SUBMIT).click()
    expect(page).to_have_url(f"{base}/")


def staff(group: str, email: str):
    staff_group, _created = Group.objects.get_or_create(name=group)
    for dotted in STAFF_GROUPS[group]:
        app_label, codename = dotted.split(".")
        staff_group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    user = UserFactory(email=email, is_staff=True)
    user.groups.add(staff_group)
    return user


def test_reported_fake_loses_the_badge_and_an_upheld_appeal_brings_it_back(
    live_server, browsers, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    consumer = UserFactory(email="renter@example.kr", full_name="김세입")
    broker = MembershipFactory(
        user=UserFactory(email="broker@example.kr"),
        partner=PartnerFactory(kind="brokerage", name="마포 믿음 공인중개사사무소"),
    ).user
    brokerage = broker.memberships.get().partner
    inspector = staff("inspectors", "inspector@example.kr")
    agent = staff("agents", "agent@example.kr")
    services.badge_grant(
        instance=services.common.standing_get(brokerage), actor=agent, reason="6개월 무사고"
    )
    listing = services.listing_create(partner=brokerage, actor=broker, data=listing_data(), publish=True)
    photo_path = tmp_path / "evidence.jpg"
    photo_path.write_bytes(photo_file(seed=4).read())

    # The consumer sees the badge and reports the listing.
    renter = browsers.new_page()
    log_in(renter, base, consumer.email)
    renter.goto(f"{base}/homes/{listing.pk}/")
    expect(renter.locator("[data-trusted-badge]")).to_be_visible()
    renter.locator("[data-report-link]").click()
    renter.locator("input[name=reason][value=not_exist]").check()
    renter.fill("textarea[name=details]", "가 보니 그런 집이 없었습니다")
    renter.locator("input[name=visited]").check()
    renter.locator(SUBMIT).click()
    expect(renter.locator("[data-report]")).to_have_count(1)
    report = Report.objects.get(reporter=consumer)

    # The broker answers first (says it is accurate); staff call the owner: inconclusive, so the
    # listing goes to an inspector.
    services.report_respond(report=report, actor=broker, action="disputed", response="실매물입니다")
    report.refresh_from_db()
    services.report_phone_check(instance=report, actor=agent, outcome="on_site", note="소유주 연락 안 됨")
    inspection = Inspection.objects.get(listing=listing, status="queued")

    # The inspector records the fake from the phone page, with a photo and the phone's location.
    field = browsers.new_page()
    field.context.grant_permissions(["geolocation"], origin=base)
    field.context.set_geolocation({"latitude": 37.556312, "longitude": 126.922041, "accuracy": 12})
    log_in(field, base, inspector.email)
    field.goto(f"{base}/homes/inspections/")
    field.locator(f'[data-inspection="{inspection.pk}"] a.button').click()
    expect(field.locator("input[name=latitude]")).to_have_value("37.556312")
    field.locator("input[name=outcome][value=fake]").check()
    field.select_option("select[name=fake_category]", "not_exist")
    field.set_input_files("input[name=photos]", str(photo_path))
    field.locator(SUBMIT).click()
    expect(field).to_have_url(f"{base}/homes/inspections/")
    inspection.refresh_from_db()
    assert inspection.outcome == "fake" and str(inspection.latitude) == "37.556312"
    assert inspection.photos.count() == 1

    # The badge is gone from the listing page at once, and the page says why.
    renter.goto(f"{base}/homes/{listing.pk}/")
    expect(renter.locator("[data-confirmed-fake]")).to_be_visible()
    expect(renter.locator("[data-trusted-badge]")).to_have_count(0)

    # The broker sees the strike and appeals with evidence.
    office = browsers.new_page()
    log_in(office, base, broker.email)
    office.goto(f"{base}/portal/listings/strikes/")
    expect(office.locator('[data-badge-state="revoked"]')).to_be_visible()
    strike = Strike.objects.get(listing=listing)
    office.locator(f'[data-strike="{strike.pk}"] a.button').click()
    office.fill("textarea[name=statement]", "계약서와 현장 사진을 첨부합니다. 실제 있는 집입니다.")
    office.set_input_files("input[name=evidence]", str(photo_path))
    office.locator(SUBMIT).click()
    expect(office).to_have_url(f"{base}/portal/listings/strikes/")
    appeal = Appeal.objects.get(strike=strike)

    # Staff who did not inspect uphold the appeal in the admin.
    desk = browsers.new_page()
    log_in(desk, base, agent.email)
    desk.goto(f"{base}/admin/listings/appeal/{appeal.pk}/change/")
    second_factor_enrol(desk)  # agents decide money: their first admin page sets up sign-in codes
    expect(desk).to_have_url(f"{base}/admin/listings/appeal/{appeal.pk}/change/")
    desk.locator('[name="_fsm_transition_to"][value="uphold"]').click()
    desk.fill("textarea[name=reason]", "계약서로 실매물 확인")
    desk.locator("form:has(textarea[name=reason]) [type=submit]").first.click()
    expect(desk.locator(".messagelist .success")).to_have_count(1)

    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.UPHELD
    assert BrokerStanding.objects.get(partner=brokerage).badge == BrokerStanding.Badge.HELD
    renter.goto(f"{base}/homes/{listing.pk}/")
    expect(renter.locator("[data-trusted-badge]")).to_be_visible()
    office.goto(f"{base}/portal/listings/strikes/")
    expect(office.locator("[data-trusted-badge]")).to_be_visible()
    assert not browsers.problems, browsers.problems
