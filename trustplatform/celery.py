"""The one Celery app of the platform: one worker pool and one beat schedule for every app."""

import os

from celery import Celery
from kombu.transport import TRANSPORT_ALIASES

# "filesystem://" (the embedded default) means kombu's file-system transport with messages written
# whole before a worker can see them (trustplatform/broker.py).
TRANSPORT_ALIASES["filesystem"] = "trustplatform.broker:Transport"

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustplatform.settings")

app = Celery("trustplatform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
