# The provider's clearing account, which every payment moves money out of, queues its movements: a queued
# movement may now be a debit (a negative amount).

from django.db import migrations, models


def clearing_queued(apps, schema_editor):
    LedgerAccount = apps.get_model("ledger", "LedgerAccount")
    LedgerAccount.objects.filter(code="platform-psp-clearing").update(queued_credits=True)


def clearing_locked(apps, schema_editor):
    LedgerAccount = apps.get_model("ledger", "LedgerAccount")
    PendingCredit = apps.get_model("ledger", "PendingCredit")
    for account in LedgerAccount.objects.filter(code="platform-psp-clearing"):
        pending = PendingCredit.objects.filter(account=account)
        account.balance_krw += sum(pending.values_list("amount_krw", flat=True))
        pending.delete()
        account.queued_credits = False
        account.save(update_fields=["balance_krw", "queued_credits"])


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0002_guarantee_fund_topups"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="pendingcredit",
            name="escrow_pendingcredit_amount_positive",
        ),
        migrations.AddConstraint(
            model_name="pendingcredit",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount_krw", 0), _negated=True), name="ledger_pendingcredit_amount_not_zero"
            ),
        ),
        migrations.RunPython(clearing_queued, clearing_locked),
    ]
