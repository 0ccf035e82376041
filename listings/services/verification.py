"""The verification ladder: owner by phone, owner by text link, registry check, on-site inspection."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform import pii
from trustplatform.notifications.services import Phrase, message_enqueue, staff_notify
from trustplatform.partners.roles import PartnerAction, partner_action_require
from trustplatform.partners.selectors import partner_member_holds_phone
from trustplatform.registries.providers import RegistryUnavailable, get_registry
from trustplatform.transitions import transition_run

from ..errors import ListingConflict, ListingError, ListingNotFound
from ..models import Inspection, Listing, Verification

LINK_SALT = "listings.owner-link"


def _expiry(level: int):
    return timezone.now() + timedelta(
        days=settings.LISTINGS_VERIFICATION_DAYS[Verification.LEVEL_KEYS[level]]
    )


def registry_address(listing: Listing) -> str:
    """The address as the registry knows the unit: "<street address>, <unit>"."""
    return f"{listing.address}, {listing.unit}" if listing.unit else listing.address


def same_name(a: str, b: str) -> bool:
    """Two names are the same person's when equal without spaces or case (김 철수 = 김철수)."""
    return "".join(a.split()).casefold() == "".join(b.split()).casefold() and bool(a.strip())


def _phone(raw: str) -> str:
    try:
        return pii.normalize_phone(raw)
    except pii.InvalidPhoneNumber as exc:
        raise ListingError(str(exc), code="invalid_phone", fields={"owner_phone": [str(exc)]}) from exc


def _registry_owner_phone(listing: Listing) -> str:
    """The owner's number as the registry gives it, normalised; "" when it gives none or cannot be asked."""
    try:
        raw = get_registry().snapshot(address=registry_address(listing)).owner_phone
    except RegistryUnavailable:
        return ""  # the broker's number, checked like any other, stands in while the registry is down
    try:
        return pii.normalize_phone(raw) if raw else ""
    except pii.InvalidPhoneNumber:
        return ""


def _owner_contact(*, listing: Listing, typed: str) -> tuple[str, str]:
    """Where to reach the owner, and who said so: the registry's contact when it gives one, else the
    number the broker typed. Either is refused when a member of the brokerage holds it."""
    phone, source = _registry_owner_phone(listing), "registry"
    if not phone:
        phone, source = _phone(typed), "broker"
    if partner_member_holds_phone(partner=listing.partner_id, phone_index=pii.blind_index(phone)):
        raise ListingError(
            _("A member of your brokerage holds this number. The owner confirms on their own number: "
              "no one at the brokerage can confirm its own listing."),
            code="owner_phone_is_member",
            fields={"owner_phone": [_("This number belongs to a member of your brokerage.")]},
        )
    return phone, source


def verification_request(
    *, listing: Listing, actor, level: int, owner_name: str = "", owner_phone: str = ""
) -> Verification:
    """Ask for one level of verification. The registry check answers at once; the others wait for
    staff (phone), the owner (text link) or an inspector (on site)."""
    if not listing.is_live:
        raise ListingConflict(
            _("Publish the listing before asking for verification."), code="not_live"
        )
    if level not in Verification.Level.values:
        raise ListingError(
            _("Choose a verification level."), code="invalid_level", fields={"level": [_("Unknown level.")]}
        )
    partner_action_require(actor=actor, partner=listing.partner, action=PartnerAction.LISTING_VERIFY)
    phone, contact = "", ""
    if level in (Verification.Level.PHONE, Verification.Level.OWNER_LINK):
        phone, contact = _owner_contact(listing=listing, typed=owner_phone)
    if level == Verification.Level.REGISTRY and not owner_name.strip():
        raise ListingError(
            _("Enter the owner's name as in the registry."),
            code="owner_name_required",
            fields={"owner_name": [_("Required.")]},
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                verification = Verification.objects.create(
                    listing=listing,
                    level=level,
                    requested_by=actor,
                    owner_name=owner_name.strip()[:100],
                    owner_phone=phone,
                    # The registry's number is not the broker's to know, not even masked.
                    owner_phone_hint=pii.mask_phone(phone) if contact == "broker" else "",
                    details={"owner_contact": contact} if contact else {},
                )
        except IntegrityError as exc:
            raise ListingConflict(
                _("This level was already requested and is waiting."), code="already_requested"
            ) from exc
        if level == Verification.Level.REGISTRY:
            return registry_check(verification=verification, actor=actor)
        if level == Verification.Level.OWNER_LINK:
            _owner_link_send(verification)
        elif level == Verification.Level.PHONE:
            staff_notify(
                group="agents",
                title=Phrase(gettext_lazy("Call an owner to confirm listing #%(id)s"), {"id": listing.pk}),
                url=reverse("admin:listings_verification_change", args=[verification.pk]),
            )
        else:
            _on_site_queue(listing=listing)
    return verification


def _on_site_queue(*, listing: Listing) -> None:
    if not listing.inspections.filter(status=Inspection.Status.QUEUED).exists():
        Inspection.objects.create(listing=listing, reason=Inspection.Reason.VERIFICATION, priority=10)


def owner_link_token(verification: Verification) -> str:
    return signing.dumps({"v": verification.pk}, salt=LINK_SALT, compress=True)


def _owner_link_send(verification: Verification) -> None:
    """Text the owner the link. Nothing a broker wrote (address, office name) goes into a text from the
    platform's sender; the page behind the link shows what the broker advertises."""
    url = settings.SITE_URL + reverse("listings:owner_confirm", args=[owner_link_token(verification)])
    body = _("[Ansim] A broker advertises a home and names you as its owner. Confirm or deny: %(url)s") % {
        "url": url,
    }
    message_enqueue(
        channel="sms", to=verification.owner_phone, body=body, key=f"listings:owner-link:{verification.pk}"
    )


def owner_link_verification(token: str) -> Verification:
    """The verification a text link names; refused when forged or older than its validity."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=settings.LISTINGS_OWNER_LINK_HOURS * 3600)
    except signing.SignatureExpired as exc:
        raise ListingError(
            _("This link has expired. Ask the broker to send a new one."), code="link_expired", status=410
        ) from exc
    except signing.BadSignature as exc:
        raise ListingNotFound(_("This link is not valid."), code="link_invalid") from exc
    verification = (
        Verification.objects.select_related("listing", "listing__partner")
        .filter(pk=data.get("v"), level=Verification.Level.OWNER_LINK)
        .first()
    )
    if verification is None:
        raise ListingNotFound(_("This link is not valid."), code="link_invalid")
    return verification


def owner_link_answer(*, token: str, confirmed: bool) -> Verification:
    """The owner confirms (or denies) through the link; answering twice does nothing more."""
    verification = owner_link_verification(token)
    if verification.status != Verification.Status.REQUESTED:
        return verification
    return _decide(
        verification=verification,
        actor=None,
        confirmed=confirmed,
        details={"answered_at": timezone.now().isoformat()},
    )


def phone_check_record(*, instance: Verification, actor, confirmed: bool, note: str = "") -> Verification:
    """Staff record the outcome of their call to the owner."""
    if instance.level != Verification.Level.PHONE:
        raise ListingConflict(_("This is not a phone verification."), code="wrong_level")
    return _decide(verification=instance, actor=actor, confirmed=confirmed, details={"note": note[:500]})


def registry_check(*, verification: Verification, actor) -> Verification:
    """Ask the registry provider who owns the unit; the owner's name and the unit must both match."""
    listing = verification.listing
    try:
        snapshot = get_registry().snapshot(address=registry_address(listing))
    except RegistryUnavailable as exc:
        raise ListingError(
            _("The registry cannot be reached right now; try again shortly."),
            code="registry_unavailable",
            status=503,
        ) from exc
    unit_found = bool(snapshot.owner)
    owner_matches = unit_found and same_name(snapshot.owner, verification.owner_name)
    # The owner is kept only as a keyed hash: enough to see a change of owner, never the name.
    owner_key = pii.blind_index("".join(snapshot.owner.split()).casefold()) if unit_found else ""
    details = {"unit_found": unit_found, "owner_matches": owner_matches, "liens": len(snapshot.liens),
               "owner_key": owner_key}
    _registry_change_note(listing=listing, owner_key=owner_key, liens=len(snapshot.liens))
    return _decide(verification=verification, actor=actor, confirmed=owner_matches, details=details)


def _registry_change_note(*, listing: Listing, owner_key: str, liens: int) -> None:
    """A registry check of a published listing that finds a new owner, or more rights registered (a
    lease, a 전세권), than the last check since publishing: the home may be let or sold while the
    listing stays live (the risk score counts it)."""
    if listing.published_at is None:
        return
    earlier = (
        Verification.objects.filter(
            listing=listing, level=Verification.Level.REGISTRY, decided_at__gte=listing.published_at
        )
        .exclude(details={})
        .order_by("-decided_at")
        .first()
    )
    if earlier is None or "owner_key" not in earlier.details:
        return
    if earlier.details["owner_key"] != owner_key or liens > earlier.details.get("liens", 0):
        Listing.objects.filter(pk=listing.pk).update(registry_changed_at=timezone.now())


def on_site_confirm(*, listing: Listing, actor, inspection_id: int) -> Verification:
    """A genuine on-site inspection is the strongest level."""
    pending = listing.verifications.filter(
        level=Verification.Level.ON_SITE, status=Verification.Status.REQUESTED).first()
    verification = pending or Verification.objects.create(
        listing=listing, level=Verification.Level.ON_SITE, requested_by=actor
    )
    return _decide(
        verification=verification, actor=actor, confirmed=True, details={"inspection": inspection_id}
    )


def _decide(*, verification: Verification, actor, confirmed: bool, details: dict) -> Verification:
    with transaction.atomic():
        if confirmed:
            verification = transition_run(
                instance=verification, name="confirm", actor=actor, expires_at=_expiry(verification.level)
            )
        else:
            verification = transition_run(instance=verification, name="fail", actor=actor)
        Verification.objects.filter(pk=verification.pk).update(details={**verification.details, **details})
        listing_levels_refresh(listing_id=verification.listing_id, actor=actor)
    verification.refresh_from_db()
    return verification


def listing_levels_refresh(*, listing_id: int, actor=None) -> Listing:
    """Show the strongest level held now; a live listing moves between published and verified."""
    with transaction.atomic():
        listing = Listing.objects.select_for_update().get(pk=listing_id)
        held = (
            listing.verifications.filter(status=Verification.Status.CONFIRMED, expires_at__gt=timezone.now())
            .order_by("-level", "-expires_at")
            .first()
        )
        level, expires = (held.level, held.expires_at) if held else (0, None)
        Listing.objects.filter(pk=listing.pk).update(
            verification_level=level, verification_expires_at=expires
        )
        if level and listing.status == Listing.Status.PUBLISHED:
            listing = transition_run(instance=listing, name="verify", actor=actor)
        elif not level and listing.status == Listing.Status.VERIFIED:
            listing = transition_run(
                instance=listing, name="lapse", actor=actor, reason="verification expired"
            )
    listing.refresh_from_db()
    return listing


def levels_expire_due(*, limit: int = 1000) -> int:
    """The sweep: listings whose shown level has lapsed get their strongest remaining one."""
    due = list(
        Listing.objects.filter(
            verification_level__gt=0, verification_expires_at__lte=timezone.now()
        ).values_list("pk", flat=True)[:limit]
    )
    for listing_id in due:
        listing_levels_refresh(listing_id=listing_id)
    return len(due)
