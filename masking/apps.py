from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaskingConfig(AppConfig):
    name = "masking"
    verbose_name = _("Safe numbers")
    # Agents and finance read the pool and its use; adding and retiring numbers stays with those
    # granted the change permission (trustplatform/accounts/staff.py keeps the groups in step).
    staff_permissions = {"agents": ["view_proxynumber"], "finance": ["view_proxynumber"]}
