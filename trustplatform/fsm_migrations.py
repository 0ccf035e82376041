"""Keep migrations fast with django-fsm: historical models don't stay subscribed to class_prepared.

Every FSMField subscribes its own receiver to `class_prepared` when it is added to a model class,
so that it can collect the model's transition methods. Migrations render historical models (the
schema as of each migration) thousands of times, each with fresh field instances; each subscribes
and stays subscribed, and every later class creation calls them all. A fresh `migrate` spent most
of its 17 s in those calls. Historical models have no methods, so nothing is lost by unsubscribing
their fields as soon as each historical class is prepared.
"""

from django.db.models.signals import class_prepared
from django_fsm import FSMFieldMixin

HISTORICAL_MODULE = "__fake__"  # the module Django's migration state gives historical models


def _unsubscribe_historical_fsm_fields(sender, **kwargs) -> None:
    if sender.__module__ != HISTORICAL_MODULE:
        return
    for field in sender._meta.local_fields:
        if isinstance(field, FSMFieldMixin):
            class_prepared.disconnect(field._collect_transitions)


def connect() -> None:
    class_prepared.connect(_unsubscribe_historical_fsm_fields, dispatch_uid="fsm_historical_unsubscribe")
