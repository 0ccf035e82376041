"""The proxy-number pool: staff add and retire numbers; an alert when it runs short."""

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform import pii
from trustplatform.audit.services import audit_record
from trustplatform.notifications.services import Phrase, staff_notify
from trustplatform.transitions import transition_run

from ..errors import MaskingConflict, MaskingError
from ..models import ProxyNumber
from ..numbers import number_normalize
from ..selectors import pool_usage

ALERT_KEY = "masking:pool-alert"
ALERT_EVERY_S = 3600


def proxy_number_add(*, number: str, note: str = "", actor=None) -> ProxyNumber:
    try:
        e164 = number_normalize(number)
    except pii.InvalidPhoneNumber as exc:
        raise MaskingError(str(exc), code="invalid_phone", fields={"e164": [str(exc)]}) from exc
    try:
        with transaction.atomic():
            proxy = ProxyNumber.objects.create(e164=e164, note=note)
            audit_record(obj=proxy, action="add", actor=actor)
    except IntegrityError as exc:
        raise MaskingConflict(_("This number is already in the pool."), code="duplicate_number",
                           fields={"e164": [_("Already in the pool.")]}) from exc
    return proxy


def proxy_number_retire(*, instance: ProxyNumber, actor, reason: str = "") -> ProxyNumber:
    """Stop giving the number out; sessions that hold it keep it until they end."""
    with transaction.atomic():
        proxy = transition_run(instance=instance, name="retire", actor=actor, reason=reason, check_perm=True)
        ProxyNumber.objects.filter(pk=proxy.pk).update(retired_at=timezone.now())
    return proxy


def proxy_number_reactivate(*, instance: ProxyNumber, actor, reason: str = "") -> ProxyNumber:
    with transaction.atomic():
        proxy = transition_run(instance=instance, name="reactivate", actor=actor, reason=reason,
                               check_perm=True)
        ProxyNumber.objects.filter(pk=proxy.pk).update(retired_at=None)
    return proxy


def pool_check() -> bool:
    """Alert staff (audit + notice) when someone needs more than MASKING_POOL_ALERT_PERCENT of the
    pool; at most once an hour. Returns whether it alerted."""
    usage = pool_usage()
    if usage.percent <= settings.MASKING_POOL_ALERT_PERCENT:
        return False
    if not cache.add(ALERT_KEY, 1, ALERT_EVERY_S):
        return False
    numbers = list(ProxyNumber.objects.filter(status=ProxyNumber.Status.ACTIVE).order_by("pk")[:usage.need])
    anchor = numbers[-1] if numbers else ProxyNumber.objects.order_by("pk").last()
    facts = {"need": usage.need, "pool": usage.pool_size, "percent": round(usage.percent, 1)}
    if anchor is not None:
        audit_record(obj=anchor, action="pool_alert", extra=facts)
    staff_notify(group="agents", url=reverse("admin:masking_proxynumber_changelist"),
                 title=Phrase(gettext_lazy("Safe-number pool at %(percent)s%%: add numbers"), facts),
                 body=Phrase(
                     gettext_lazy("One person holds %(need)s of %(pool)s numbers (open or cooling off)."),
                     facts,
                 ))
    return True


