"""Owner portal for lodging partners: properties, room types, calendar per night, bookings (virtual numbers
only), cancel with a reason, calendar feeds and conflicts."""

import functools

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trustplatform.pages import refusal_shown
from trustplatform.partners.models import Partner
from trustplatform.partners.portal import portal_view
from trustplatform.partners.roles import PartnerAction, partner_may

from . import selectors
from .feed_errors import feed_error_sentence
from .forms import FeedForm, PhotoForm, PropertyCancelForm, PropertyForm, RoomTypeForm
from .models import Booking, Conflict
from .services import channels, inventory, properties, stays
from .services.common import (
    guest_contact_for_property,
    guest_number_for_property,
    guest_phone_for_property,
)


def lodging_view(view):
    """A portal page for lodging partners only; others get a 404 (the page does not exist for them)."""

    @portal_view
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.partner.kind != Partner.Kind.LODGING:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@lodging_view
def dashboard(request):
    partner = request.partner
    today = timezone.localdate()
    return render(
        request,
        "bookings/portal/dashboard.html",
        {
            "properties": selectors.partner_properties(partner=partner).prefetch_related("room_types"),
            "conflicts": selectors.partner_conflicts(partner=partner, open_only=True),
            "upcoming": selectors.partner_bookings(partner=partner).filter(
                check_out__gte=today, status=Booking.Status.CONFIRMED
            )[:10],
        },
    )


def _property(request, property_id: int):
    return get_object_or_404(selectors.partner_properties(partner=request.partner), pk=property_id)


@lodging_view
def property_edit(request, property_id: int | None = None):
    prop = _property(request, property_id) if property_id else None
    form = PropertyForm(request.POST or None, instance=prop)
    if request.method == "POST" and form.is_valid():
        edited = form.save(commit=False)
        edited.partner = request.partner
        with refusal_shown(form=form):
            properties.property_save(prop=edited, actor=request.user)
            messages.success(request, _("Saved."))
            return redirect("bookings_portal:property", edited.pk)
    room_types = prop.room_types.all() if prop else []
    return render(
        request,
        "bookings/portal/property.html",
        {"property": prop, "form": form, "room_types": room_types, "photo_form": PhotoForm()},
    )


@lodging_view
@require_POST
def photo_add(request, property_id: int):
    prop = _property(request, property_id)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        with refusal_shown(request):
            inventory.property_photo_add(
                property=prop, upload=form.cleaned_data["image"], caption=form.cleaned_data["caption"],
                actor=request.user,
            )
            messages.success(request, _("Photo added."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("bookings_portal:property", prop.pk)


@lodging_view
def room_type_edit(request, property_id: int, room_type_id: int | None = None):
    prop = _property(request, property_id)
    room_type = get_object_or_404(prop.room_types, pk=room_type_id) if room_type_id else None
    form = RoomTypeForm(request.POST or None, instance=room_type)
    if request.method == "POST" and form.is_valid():
        edited = form.save(commit=False)
        edited.property = prop
        with refusal_shown(form=form):
            properties.room_type_save(room_type=edited, actor=request.user)
            messages.success(request, _("Saved. The calendar is open for a year at this price."))
            return redirect("bookings_portal:calendar", edited.pk)
    return render(
        request, "bookings/portal/room_type.html", {"property": prop, "room_type": room_type, "form": form}
    )


@lodging_view
def bookings(request):
    rows = selectors.partner_bookings(partner=request.partner, status=request.GET.get("status") or None)[:300]
    for row in rows:
        row.safe_number = guest_contact_for_property(row)  # the guest's own if they declined one
    return render(request, "bookings/portal/bookings.html", {"bookings": rows})


@lodging_view
def booking_detail(request, code: str):
    booking = get_object_or_404(selectors.partner_bookings(partner=request.partner), code=code)
    form = PropertyCancelForm(request.POST or None)  # cancels only on an explicit confirmation
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form=form):
            stays.booking_cancel_by_property(
                booking=booking, actor=request.user, reason=form.cleaned_data["reason"]
            )
            messages.warning(
                request,
                _(
                    "Cancelled. Ansim is rehousing the guest; the extra cost and a penalty "
                    "are charged to you."
                ),
            )
            return redirect("bookings_portal:booking", code)
    return render(
        request,
        "bookings/portal/booking.html",
        {
            "booking": booking,
            "form": form,
            "safe_number": guest_number_for_property(booking),
            "guest_phone": guest_phone_for_property(booking),
            "conflicts": booking.conflicts.filter(status=Conflict.Status.OPEN).select_related("feed"),
            "penalty_krw": stays.booking_cancel_by_property_penalty_krw(booking=booking),
        },
    )


@lodging_view
def feeds(request):
    form = FeedForm(request.POST or None, partner=request.partner)
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form=form):
            channels.feed_add(
                room_type=form.cleaned_data["room_type"],
                name=form.cleaned_data["name"],
                url=form.cleaned_data["url"],
                actor=request.user,
            )
            messages.success(request, _("Added; the first import runs now."))
            return redirect("bookings_portal:feeds")
    return render(
        request,
        "bookings/portal/feeds.html",
        {
            "feeds": selectors.partner_feeds(partner=request.partner),
            "form": form,
            "conflicts": selectors.partner_conflicts(partner=request.partner)[:100],
            "room_types": selectors.partner_room_types(partner=request.partner),
            "now": timezone.now(),
        },
    )


@lodging_view
@require_POST
def feed_import(request, feed_id: int):
    feed = get_object_or_404(selectors.partner_feeds(partner=request.partner), pk=feed_id)
    outcome = channels.feed_import(feed_id=feed.pk)
    feed.refresh_from_db()
    if outcome == "imported":
        messages.success(request, _("Imported %(n)s stay(s).") % {"n": feed.events})
    else:
        messages.error(request, _("Import failed: %(why)s Nothing was changed.")
                       % {"why": feed_error_sentence(feed.last_error)})
    return redirect("bookings_portal:feeds")


@lodging_view
def conflict(request, conflict_id: int):
    item = get_object_or_404(selectors.partner_conflicts(partner=request.partner), pk=conflict_id)
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("keep", "cancel"):
            # Cancelling ours starts the guarantee at the owner's cost: only on an explicit choice.
            messages.error(request, _("Choose whether to keep our booking or cancel it."))
            return redirect("bookings_portal:conflict", conflict_id)
        with refusal_shown(request):
            channels.conflict_resolve(conflict=item, actor=request.user, keep_ours=action == "keep")
        return redirect("bookings_portal:conflict", conflict_id)
    may_resolve = partner_may(user=request.user, partner=request.partner, action=PartnerAction.BOOKING_CANCEL)
    return render(request, "bookings/portal/conflict.html", {"conflict": item, "may_resolve": may_resolve})
