"""Reaching the broker from a listing: a safe number (masking), or the consumer's own number when they
choose, and an escrowed deposit (escrow), which is paid to the listing's landlord and never to the
brokerage."""

from dataclasses import dataclass
from datetime import date, timedelta

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from escrow.services.agreements import rental_deposit_propose
from masking import selectors as masking_selectors
from masking import services as masking
from trustplatform.notifications.services import Phrase, notification_send
from trustplatform.partners.roles import PartnerAction, partner_action_require
from trustplatform.partners.selectors import partner_owner_phone
from trustplatform.partners.services import partner_notify

from ..errors import ListingConflict, ListingError, ListingNotFound
from ..models import Listing, ListingContact
from .verification import registry_address


@dataclass(frozen=True)
class SafeContact:
    contact: ListingContact
    dial: str  # the safe number the consumer calls or texts; "" when the brokerage calls them back
    expires_at: object
    use_safe_number: bool = True  # False: the consumer chose to give the brokerage their own number


def _broker_phone(listing: Listing) -> str:
    return partner_owner_phone(partner=listing.partner_id)


def _open_contact(*, listing: Listing, consumer) -> SafeContact | None:
    """The consumer's safe number for this listing that still works: asking again reuses it, so one
    person browsing does not drain the pool of numbers."""
    contact = (
        ListingContact.objects.filter(listing=listing, consumer=consumer, masked_session_id__isnull=False)
        .order_by("-created_at")
        .first()
    )
    if contact is None:
        return None
    session = masking_selectors.user_open_session(user=consumer, session_id=contact.masked_session_id)
    dial = masking_selectors.consumer_dial(session=session) if session is not None else None
    if dial is None:
        return None
    return SafeContact(contact=contact, dial=dial, expires_at=session.expires_at)


def _broker_tell(*, listing: Listing, contact: ListingContact, number: str) -> None:
    """The brokerage hears of the enquiry once, with the number that reaches the consumer."""
    partner_notify(
        partner=listing.partner,
        key=f"listing-contact:{contact.pk}",
        url=reverse("listings_portal:detail", args=[listing.pk]),
        title=Phrase(gettext_lazy("A customer asked about listing #%(id)s: reach them at %(number)s."),
                     {"id": listing.pk, "number": number}),
        sms_text=True,
    )


def _direct_contact(*, listing: Listing, consumer) -> SafeContact:
    """The consumer declined a safe number: the brokerage is given their own verified number and calls
    back. Asking again within LISTINGS_CONTACT_HOURS reuses the contact (the brokerage is told once)."""
    since = timezone.now() - timedelta(hours=settings.LISTINGS_CONTACT_HOURS)
    contact = (
        ListingContact.objects.filter(listing=listing, consumer=consumer, masked_session_id__isnull=True,
                                      created_at__gte=since)
        .order_by("-created_at")
        .first()
    )
    if contact is None:
        with transaction.atomic():
            contact = ListingContact.objects.create(listing=listing, consumer=consumer)
            number = phonenumbers.format_number(phonenumbers.parse(consumer.phone, "KR"),
                                                phonenumbers.PhoneNumberFormat.NATIONAL)
            _broker_tell(listing=listing, contact=contact, number=number)
    return SafeContact(contact=contact, dial="", expires_at=None, use_safe_number=False)


def contact_open(*, listing: Listing, consumer, use_safe_number: bool | None = None) -> SafeContact:
    """Reach the brokerage about a listing, recorded as the consumer's contact. With a safe number (the
    consumer's answer; None: their remembered one) both sides dial virtual numbers for
    LISTINGS_CONTACT_HOURS and neither sees the other's real number; without, the brokerage is given
    the consumer's own verified number to call back."""
    if not listing.is_live:
        raise ListingConflict(_("This listing is no longer shown."), code="not_live")
    if not (consumer.phone and consumer.phone_verified):
        raise ListingConflict(
            _("Verify your mobile number first: the safe number forwards to it."),
            code="phone_not_verified",
        )
    if not masking.choice_record(user=consumer, subject=listing, use_safe_number=use_safe_number):
        return _direct_contact(listing=listing, consumer=consumer)
    reused = _open_contact(listing=listing, consumer=consumer)
    if reused is not None:
        return reused
    broker_phone = _broker_phone(listing)
    if not broker_phone:
        raise ListingConflict(
            _("This brokerage has no phone number on file."), code="no_broker_phone"
        )
    expires_at = timezone.now() + timedelta(hours=settings.LISTINGS_CONTACT_HOURS)
    with transaction.atomic():
        session = masking.session_open(
            consumer=masking.Party(phone=consumer.phone, label=_("Customer"), user=consumer),
            business=masking.Party(phone=broker_phone, label=listing.partner.name),
            expires_at=expires_at,
            partner=listing.partner,
            subject=listing,
            actor=consumer,
        )
        contact = ListingContact.objects.create(
            listing=listing, consumer=consumer, masked_session_id=session.pk
        )
        _broker_tell(listing=listing, contact=contact,
                     number=masking_selectors.business_dial(session=session))
    return SafeContact(contact=contact, dial=masking_selectors.consumer_dial(session=session),
                       expires_at=expires_at)


def deposit_start(*, listing: Listing, consumer, move_in_date: date):
    """An escrowed rental deposit for this listing (escrow's rental template), proposed to the listing's
    landlord, with the brokerage as the broker who confirms the lease and is never paid; refused while
    no landlord has claimed the listing. Returns the escrow agreement."""
    if not listing.is_live:
        raise ListingConflict(_("This listing is no longer shown."), code="not_live")
    if listing.deal_type == Listing.DealType.SALE or listing.deposit_krw <= 0:
        raise ListingConflict(
            _("Escrowed deposits are for rentals with a deposit."), code="not_a_rental"
        )
    if move_in_date <= timezone.localdate():
        raise ListingError(
            _("The move-in date must be in the future."),
            code="invalid_date",
            fields={"move_in_date": [_("Must be in the future.")]},
        )
    landlord = listing.landlord
    if landlord is None or not landlord.is_active:
        raise ListingConflict(
            _("The landlord of this home has not confirmed it with Ansim yet, so there is no one the "
              "deposit can safely be paid to. Ask the broker to have the landlord claim listing #%(id)s "
              "in the owner portal; the deposit is never paid to the broker.") % {"id": listing.pk},
            code="no_landlord",
        )
    return rental_deposit_propose(
        payer=consumer,
        payee=landlord,
        broker=listing.partner,
        title=_("Deposit for listing #%(id)s: %(title)s") % {"id": listing.pk, "title": listing.title},
        amount_krw=listing.deposit_krw,
        property_address=registry_address(listing),
        move_in_date=move_in_date,
        notes=f"listing:{listing.pk}",
    )


# How a contact turned out: the consumer's answer, the broker's answer, and the one reminder asking for
# the former. The nightly risk score reads them (risk.py): a home already let but kept live shows here
# long before anyone reports it.


def contact_outcome_record(*, contact_id: int, consumer, outcome: str) -> ListingContact:
    """The consumer says how their enquiry went; they may change the answer within
    LISTINGS_CONTACT_OUTCOME_DAYS of the contact. Only the consumer who made the contact may answer."""
    if outcome not in ListingContact.Outcome.values:
        raise ListingError(
            _("Choose how it turned out from the list."),
            code="invalid_outcome",
            fields={"outcome": [_("Choose one of the answers.")]},
        )
    with transaction.atomic():
        contact = (
            ListingContact.objects.select_for_update().filter(pk=contact_id, consumer=consumer).first()
        )
        if contact is None:
            raise ListingNotFound(_("No such enquiry of yours."), code="contact_not_found")
        if contact.created_at < timezone.now() - timedelta(days=settings.LISTINGS_CONTACT_OUTCOME_DAYS):
            raise ListingConflict(
                _("This enquiry is too old to answer now."), code="contact_closed"
            )
        contact.outcome, contact.outcome_at = outcome, timezone.now()
        contact.save(update_fields=["outcome", "outcome_at"])
    return contact


def contact_broker_answer(*, contact_id: int, actor, answer: str) -> ListingContact:
    """The brokerage answers an enquiry: still available, or already contracted. A broker who says
    "contracted" is asked to close the listing; while it stays live the answer counts toward its risk."""
    if answer not in ListingContact.BrokerAnswer.values:
        raise ListingError(
            _("Answer available or contracted."),
            code="invalid_answer",
            fields={"answer": [_("Choose one of the answers.")]},
        )
    with transaction.atomic():
        contact = ListingContact.objects.select_for_update().select_related("listing").filter(
            pk=contact_id
        ).first()
        if contact is None:
            raise ListingNotFound(_("No such enquiry."), code="contact_not_found")
        partner_action_require(
            actor=actor, partner=contact.listing.partner, action=PartnerAction.LISTING_PUBLISH
        )
        contact.broker_answer, contact.broker_answer_at = answer, timezone.now()
        contact.save(update_fields=["broker_answer", "broker_answer_at"])
    return contact


def contact_outcomes_ask() -> int:
    """Once per enquiry, a day after it: ask the consumer how it went (a notice and, with a verified
    number, a text). Returns how many were asked."""
    now = timezone.now()
    due = ListingContact.objects.filter(
        outcome="",
        outcome_asked_at__isnull=True,
        created_at__lte=now - timedelta(hours=settings.LISTINGS_CONTACT_ASK_AFTER_HOURS),
        created_at__gte=now - timedelta(days=settings.LISTINGS_CONTACT_OUTCOME_DAYS),
    ).select_related("consumer", "listing")
    asked = 0
    for contact in due.iterator(chunk_size=500):
        with transaction.atomic():
            if not ListingContact.objects.filter(pk=contact.pk, outcome_asked_at__isnull=True).update(
                outcome_asked_at=now
            ):
                continue  # another run asked first
            notification_send(
                user=contact.consumer,
                title=Phrase(
                    gettext_lazy("How did your enquiry about listing #%(id)s go?"), {"id": contact.listing_id}
                ),
                url=reverse("listings:contact_outcome", args=[contact.pk]),
                sms_text=True,
                key=f"listing-contact-ask:{contact.pk}",
            )
        asked += 1
    return asked
