"""A lodging partner's properties and room types, as its owners and managers edit them: the details
guests read, the contact number their safe numbers ring, the rooms and prices the calendar opens with."""

from django.db import transaction

from trustplatform.audit.services import audit_record
from trustplatform.partners.roles import PartnerAction, partner_action_require

from ..models import Property, RoomType
from .inventory import calendar_open


def property_save(*, prop: Property, actor) -> Property:
    """Save a property's details, its contact number included (owners and managers only)."""
    partner_action_require(actor=actor, partner=prop.partner, action=PartnerAction.PROPERTY_EDIT)
    before = Property.objects.filter(pk=prop.pk).values_list("contact_phone", flat=True).first()
    with transaction.atomic():
        prop.save()
        if before is not None and before != prop.contact_phone:
            # Where guests' calls ring is worth a trace: who moved it, never the number itself.
            audit_record(obj=prop, action="contact_phone_changed", actor=actor)
    return prop


def room_type_save(*, room_type: RoomType, actor) -> RoomType:
    """Save a room type and open its calendar at its price (owners and managers only)."""
    partner_action_require(
        actor=actor, partner=room_type.property.partner, action=PartnerAction.PROPERTY_EDIT
    )
    with transaction.atomic():
        room_type.save()
        calendar_open(room_type=room_type)
    return room_type
