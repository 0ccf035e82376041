from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaskingConfig(AppConfig):
    name = "masking"
    verbose_name = _("Safe numbers")
