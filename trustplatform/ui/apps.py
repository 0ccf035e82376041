from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "trustplatform.ui"
    label = "ui"
    verbose_name = "Site look"
