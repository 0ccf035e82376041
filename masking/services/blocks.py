"""The block list: a participant stops the other side of a session from reaching them, anywhere.

A block holds both numbers as blind indexes and the blocked one's hint: reversible by anyone with the
HMAC key (Korean mobiles are about 10^8 numbers), so a block lasts MASKING_BLOCK_DAYS, then it is gone.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trustplatform.partners.roles import PartnerAction

from ..errors import MaskingConflict
from ..models import Block, MaskedSession, Participant
from .sessions import partner_side_require, session_audit_note


def block_add(*, session: MaskedSession, owner_side: str, actor=None) -> Block:
    """The `owner_side` participant blocks the other side (by number, in every session). Idempotent."""
    if owner_side == Participant.Side.BUSINESS:
        partner_side_require(session=session, actor=actor, action=PartnerAction.SAFE_NUMBER_BLOCK)
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


def blocks_expire_due() -> int:
    """The sweep: delete blocks older than MASKING_BLOCK_DAYS, their blind indexes and hint with them."""
    cutoff = timezone.now() - timedelta(days=settings.MASKING_BLOCK_DAYS)
    deleted, _by_model = Block.objects.filter(created_at__lte=cutoff).delete()
    return deleted
