"""A lodging partner's properties and room types, as its owners and managers edit them: the details
guests read, the contact number their safe numbers ring, the rooms and prices the calendar opens with."""

from django.db import transaction

from trustplatform.audit.services import audit_record
from trustplatform.partners.roles import PartnerAction, partner_action_require

from ..models import Property, RoomType
from .inventory import calendar_open

# Derived from guests' reviews in their own transactions (services/reviews.py): a form that loaded the
# property earlier must not write its old values back.
DERIVED_FIELDS = frozenset({"rating", "review_count"})


def property_store(*, prop: Property) -> Property:
    """Write a property's details, never its derived rating and review count (staff and owners alike)."""
    if prop.pk is None:
        prop.save()
    else:
        prop.save(update_fields=[
            field.name for field in Property._meta.concrete_fields
            if not field.primary_key and field.name not in DERIVED_FIELDS
        ])
    return prop


def property_save(*, prop: Property, actor) -> Property:
    """Save a property's details, its contact number included (owners and managers only)."""
    partner_action_require(actor=actor, partner=prop.partner, action=PartnerAction.PROPERTY_EDIT)
    before = Property.objects.filter(pk=prop.pk).values_list("contact_phone", flat=True).first()
    with transaction.atomic():
        property_store(prop=prop)
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
