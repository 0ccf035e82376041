"""System checks of the texts' settings that need more than settings.py can read."""

import ipaddress

from django.conf import settings
from django.core.checks import Error, register


@register()
def solapi_settings_check(app_configs, **kwargs) -> list[Error]:
    from .solapi import ALIMTALK_NOTICES

    errors = []
    for kind in sorted(set(settings.SOLAPI_KAKAO_TEMPLATES) - ALIMTALK_NOTICES):
        errors.append(Error(
            f"SOLAPI_KAKAO_TEMPLATES names {kind!r}, which is not sent as 알림톡",
            hint=f"Notices sent as 알림톡: {', '.join(sorted(ALIMTALK_NOTICES))}",
            id="notifications.E001",
        ))
    for source in settings.SOLAPI_WEBHOOK_SOURCES:
        try:
            ipaddress.ip_network(source, strict=False)
        except ValueError:
            errors.append(Error(f"SOLAPI_WEBHOOK_SOURCES: {source!r} is no address or network",
                                id="notifications.E002"))
    return errors
