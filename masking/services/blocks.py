"""The block list: a participant stops the other side of a session from reaching them, anywhere."""

from django.db import transaction
from django.utils.translation import gettext as _

from ..errors import MaskingConflict
from ..models import Block, MaskedSession, Participant
from .sessions import session_audit_note


def block_add(*, session: MaskedSession, owner_side: str, actor=None) -> Block:
    """The `owner_side` participant blocks the other side (by number, in every session). Idempotent."""
    participants = {p.side: p for p in session.participants.all()}
    owner: Participant = participants[owner_side]
    blocked = next(p for side, p in participants.items() if side != owner_side)
    if owner.is_erased or blocked.is_erased:
        raise MaskingConflict(_("This session's numbers are already erased; there is nothing to block."),
                           code="session_erased")
    with transaction.atomic():
        block, created = Block.objects.get_or_create(
            owner_index=owner.phone_index, blocked_index=blocked.phone_index,
            defaults={"blocked_label": blocked.label, "blocked_hint": blocked.phone_hint,
                      "session": session, "created_by": actor})
        if created:
            session_audit_note(session=session, action="block", actor=actor,
                               extra={"by_side": owner_side, "block": block.pk})
    return block


def block_remove(*, block: Block, actor=None) -> None:
    with transaction.atomic():
        if block.session_id:
            session_audit_note(session=block.session, action="unblock", actor=actor,
                               extra={"block": block.pk})
        Block.objects.filter(pk=block.pk).delete()
