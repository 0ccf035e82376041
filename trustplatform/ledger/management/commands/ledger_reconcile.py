from django.core.management.base import BaseCommand, CommandError

from trustplatform.ledger.reconciliation import ledger_reconcile_and_report


class Command(BaseCommand):
    help = "Check that every balance equals its transfers and all balances sum to zero."

    def handle(self, *args, **options):
        problems = ledger_reconcile_and_report()
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(problems)} differences found; finance staff were notified.")
        self.stdout.write(self.style.SUCCESS("The ledger balances."))
