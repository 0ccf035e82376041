from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from trustplatform import pii
from trustplatform.fields import EncryptedTextField


class Command(BaseCommand):
    help = ("Re-encrypt every encrypted field of every model under the newest key in "
            "PII_ENCRYPTION_KEYS; older keys can then be removed.")

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int, **options):
        pii.reset_keys()
        total = 0
        for model in apps.get_models():
            fields = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            count = 0
            last_pk = None
            while True:
                with transaction.atomic():
                    rows = model._default_manager.order_by("pk").select_for_update()
                    if last_pk is not None:
                        rows = rows.filter(pk__gt=last_pk)
                    batch = list(rows.only("pk", *fields)[:batch_size])
                    for row in batch:
                        # Reading decrypts with any listed key; writing encrypts with the newest.
                        model._default_manager.filter(pk=row.pk).update(
                            **{name: getattr(row, name) for name in fields})
                if not batch:
                    break
                last_pk = batch[-1].pk
                count += len(batch)
            total += count
            self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted ({', '.join(fields)})")
        self.stdout.write(self.style.SUCCESS(f"Done: {total} rows now use the newest key."))
