"""Two fixes around django-fsm-2, connected once at start-up (trustplatform.audit's ready()).

1. Migrations stay fast: historical models don't stay subscribed to class_prepared.

Every FSMField subscribes its own receiver to `class_prepared` when it is added to a model class,
so that it can collect the model's transition methods. Migrations render historical models (the
schema as of each migration) thousands of times, each with fresh field instances; each subscribes
and stays subscribed, and every later class creation calls them all. A fresh `migrate` spent most
of its 17 s in those calls. Historical models have no methods, so nothing is lost by unsubscribing
their fields as soon as each historical class is prepared.

2. refresh_from_db on a model with a protected FSM field is safe when threads share the process
   (see `_refresh_from_db`).
"""

import threading

from django.db import models
from django.db.models.signals import class_prepared
from django_fsm import FSMFieldDescriptor, FSMFieldMixin, FSMModelMixin

HISTORICAL_MODULE = "__fake__"  # the module Django's migration state gives historical models


def _unsubscribe_historical_fsm_fields(sender, **kwargs) -> None:
    if sender.__module__ != HISTORICAL_MODULE:
        return
    for field in sender._meta.local_fields:
        if isinstance(field, FSMFieldMixin):
            class_prepared.disconnect(field._collect_transitions)


_reloading = threading.local()  # ids of the instances this thread is reloading right now
_descriptor_set = FSMFieldDescriptor.__set__


def _set_state(descriptor, instance, value) -> None:
    """The protected field's setter, which lets only a reload of this very instance through."""
    if id(instance) in getattr(_reloading, "ids", ()):
        descriptor.field.set_proxy(instance, value)
        descriptor.field.set_state(instance, value)
        return
    _descriptor_set(descriptor, instance, value)


def _refresh_from_db(self, *args, **kwargs) -> None:
    """refresh_from_db for models with protected FSM fields, safe when threads share the process.

    The library lifts the protection on the field itself, which every instance in every thread
    shares, for the time of the reload: a thread whose reload ends restores it while another
    thread's reload is still setting the status, and that one fails ("Direct status modification
    is not allowed"), seen as a 500 under concurrent payout requests; meanwhile any instance could
    be written directly. Here only the instance being reloaded, in the reloading thread, may be
    set, and no class-wide flag ever changes.
    """
    ids = _reloading.__dict__.setdefault("ids", set())
    ids.add(id(self))
    try:
        models.Model.refresh_from_db(self, *args, **kwargs)
    finally:
        ids.discard(id(self))


def connect() -> None:
    class_prepared.connect(_unsubscribe_historical_fsm_fields, dispatch_uid="fsm_historical_unsubscribe")
    FSMModelMixin.refresh_from_db = _refresh_from_db
    FSMFieldDescriptor.__set__ = _set_state
