"""Template tags of the guarantee pages: the guarantee line, and the case a booking has open."""

from django import template

from ..models import OPEN_STATUSES, GuaranteeCase
from ..services.common import PhoneLine, guarantee_line

register = template.Library()


@register.simple_tag
def guarantee_phone() -> PhoneLine:
    """{% guarantee_phone as line %} → line.display (1588-0000), line.href (tel:…)."""
    return guarantee_line()


@register.simple_tag
def open_case(booking) -> GuaranteeCase | None:
    """{% open_case booking as case %}: the booking's case still open, if any (at most one)."""
    return GuaranteeCase.objects.filter(booking=booking, status__in=OPEN_STATUSES).first()
