"""The staff groups hold what every app declares, after a migrate and after a flush alike."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db.models.signals import post_migrate

from trustplatform.accounts.staff import STAFF_GROUPS, staff_groups_sync


def _declared() -> set[tuple[str, str, str]]:
    """(group, app label, codename) for every permission an app gives a staff group."""
    return {
        (group, config.label, codename)
        for config in apps.get_app_configs()
        for group, codenames in getattr(config, "staff_permissions", {}).items()
        for codename in codenames
    }


def _held() -> set[tuple[str, str, str]]:
    return set(Group.objects.filter(name__in=STAFF_GROUPS).values_list(
        "name", "permissions__content_type__app_label", "permissions__codename"))


@pytest.mark.django_db
def test_after_migrate_each_group_holds_what_the_apps_declare():
    declared = _declared()
    assert {group for group, _app, _codename in declared} == set(STAFF_GROUPS)
    assert {app for _group, app, _codename in declared} >= {"partners", "escrow", "bookings", "listings"}
    assert declared <= _held()
    assert ("agents", "partners", "decide_partner") in declared
    assert ("finance", "escrow", "approve_dispute") in declared


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_gets_its_staff_groups_back():
    """Django follows a flush with post_migrate: the groups come back, not only the permissions."""
    call_command("flush", interactive=False, verbosity=0)
    held = _held()
    assert ("agents", "partners", "decide_partner") in held
    assert ("finance", "escrow", "approve_dispute") in held
    assert _declared() <= held


@pytest.mark.django_db
def test_a_permission_granted_by_hand_is_kept_when_the_groups_are_synced_again():
    finance = Group.objects.get(name="finance")
    by_hand = Permission.objects.get(content_type__app_label="bookings", codename="view_property")
    finance.permissions.add(by_hand)
    for config in apps.get_app_configs():
        post_migrate.send(sender=config, app_config=config, verbosity=0, interactive=False, using="default",
                          apps=apps, plan=[])
    assert finance.permissions.filter(pk=by_hand.pk).exists()
    assert _declared() <= _held()


def test_a_declaration_naming_an_unknown_permission_or_group_is_refused():
    class Config:
        label = "bookings"
        staff_permissions = {"cleaners": ["view_booking"]}

    with pytest.raises(LookupError, match="cleaners"):
        staff_groups_sync(Config())


@pytest.mark.django_db
def test_a_declaration_naming_a_permission_that_does_not_exist_is_refused():
    class Config:
        label = "bookings"
        staff_permissions = {"agents": ["view_booking", "launch_rocket"]}

    with pytest.raises(LookupError, match="launch_rocket"):
        staff_groups_sync(Config())


@pytest.mark.django_db
def test_groups_and_permissions_are_shown_in_words_of_the_reader_language():
    from django.utils import translation

    from trustplatform.accounts.staff import DEFAULT_PERMISSION_WORDS, STAFF_GROUP_NAMES

    view_user = Permission.objects.get(content_type__app_label="accounts", codename="view_user")
    decide_partner = Permission.objects.get(content_type__app_label="partners", codename="decide_partner")
    with translation.override("en"):
        assert [str(group) for group in Group.objects.filter(name__in=STAFF_GROUPS).order_by("name")] == [
            "Agents", "Finance", "Inspectors"]
        assert str(view_user).endswith(" | Can view user")
        assert str(decide_partner).endswith(f" | {decide_partner.name}")
    with translation.override("ko"):
        assert str(view_user).endswith(" | " + str(DEFAULT_PERMISSION_WORDS["view"]) % {"name": "사용자"})
        assert str(Group.objects.get(name="agents")) == str(STAFF_GROUP_NAMES["agents"])
