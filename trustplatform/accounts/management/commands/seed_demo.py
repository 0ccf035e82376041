import importlib

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from trustplatform import demo


class Command(BaseCommand):
    help = "Create or refresh realistic Korean demo data (safe to run again) and print demo logins."

    def handle(self, *args, **options):
        with transaction.atomic():
            logins = demo.seed()
            # Each app may add its own demo data in <app>/demo.py with a seed() like the core's.
            for app_config in apps.get_app_configs():
                if app_config.name.startswith(("django", "rest_framework", "trustplatform")):
                    continue
                try:
                    module = importlib.import_module(f"{app_config.name}.demo")
                except ModuleNotFoundError:
                    continue
                logins += module.seed() or []
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Logins (password for all: "
                                             f"{demo.DEMO_PASSWORD}):"))
        for role, email in logins:
            self.stdout.write(f"  {role:<32} {email}")
