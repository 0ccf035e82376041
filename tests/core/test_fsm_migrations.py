"""Rendering the migration history leaves no historical FSM field subscribed to class_prepared."""

import gc

from django.db.migrations.loader import MigrationLoader
from django.db.models.signals import class_prepared
from django_fsm import FSMFieldMixin

from bookings.models import Booking


def _historical_fsm_receivers() -> int:
    gc.collect()
    count = 0
    for entry in class_prepared.receivers:
        receiver = entry[1]() if callable(entry[1]) else entry[1]
        field = getattr(receiver, "__self__", None)
        if isinstance(field, FSMFieldMixin) and field.model.__module__ == "__fake__":
            count += 1
    return count


def test_rendering_every_migration_state_leaves_no_fsm_receiver_behind():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    states = [loader.project_state()] + [loader.project_state(node) for node in loader.graph.leaf_nodes()]
    rendered = [state.apps for state in states]  # renders each historical model once per state
    assert sum(len(list(apps.get_models())) for apps in rendered) > 50
    assert _historical_fsm_receivers() == 0
    # The real models still know their transitions.
    assert {t.name for t in Booking._meta.get_field("status").get_all_transitions(Booking)}
