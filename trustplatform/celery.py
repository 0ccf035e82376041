"""The one Celery app of the platform: one worker pool and one beat schedule for every app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustplatform.settings")

app = Celery("trustplatform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
