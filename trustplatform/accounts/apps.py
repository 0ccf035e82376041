from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "trustplatform.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    # What the staff groups may do here (trustplatform/accounts/staff.py keeps the groups in step).
    staff_permissions = {"agents": ["view_user"], "finance": ["view_user"]}

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .staff import staff_groups_sync, staff_words_install

        post_migrate.connect(staff_groups_sync, dispatch_uid="accounts.staff_groups_sync")
        staff_words_install()
