"""Consumer pages: search, property, book and pay (sandbox PSP), my bookings, offers, iCal export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from masking.services import preference_get
from trustplatform.dbrouter import replica_reads
from trustplatform.pages import refusal_shown
from trustplatform.payments.models import Payment, Refund
from trustplatform.payments.pages import (
    Checkout,
    checkout_page,
    checkout_payment,
    checkout_sent_mark,
    payment_in_flight,
)
from trustplatform.payments.providers import SandboxProvider
from trustplatform.payments.services import sandbox_checkout_pay

from . import selectors
from .errors import BookingError
from .forms import PLACES, BookForm, CancelForm, SearchForm, StayForm
from .models import Booking, GuaranteeCandidate, GuaranteeCase, Property, RoomType
from .services import channels, guarantee, payments, stays
from .services.common import guest_uses_safe_number, property_number_for_guest
from .services.inventory import quote


@replica_reads()
def search(request):
    """The search page: a list (no map) with distance, price and rating; filters in the form."""
    form = SearchForm(request.GET or None, initial={**StayForm.defaults(), "place": "haeundae"})
    results, nights = None, 0
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        nights = (data["check_out"] - data["check_in"]).days
        _label, lat, lng = PLACES[data["place"]]
        results = selectors.search(
            selectors.SearchQuery(
                lat=lat,
                lng=lng,
                check_in=data["check_in"],
                check_out=data["check_out"],
                guests=data["guests"],
                max_price=data.get("max_price"),
                sort=data.get("sort") or "distance",
                min_rating=float(data["min_rating"]) if data.get("min_rating") is not None else None,
                amenities=data.get("amenities") or [],
            )
        )[:50]
        covers = selectors.property_covers(property_ids=[result.property_id for result in results])
        for result in results:
            result.cover = covers.get(result.property_id)
    return render(
        request,
        "bookings/search.html",
        {"form": form, "results": results, "nights": nights, "query": request.GET.urlencode()},
    )


@replica_reads()
def property_detail(request, property_id: int):
    prop = get_object_or_404(Property.objects.prefetch_related("photos"), pk=property_id, is_active=True)
    form = StayForm(request.GET if "check_in" in request.GET else None, initial=StayForm.defaults())
    stay = (
        form.cleaned_data
        if form.is_bound and form.is_valid()
        else (None if form.is_bound else StayForm.defaults())
    )
    rooms = selectors.property_availability(property_obj=prop, **stay) if stay else []
    prices = [row["price_total_krw"] for row in rooms if row["price_total_krw"]]
    context = {
        "property": prop,
        "form": form,
        "stay": stay,
        "nights": (stay["check_out"] - stay["check_in"]).days if stay else 0,
        "rooms": rooms,
        "cheapest_krw": min(prices) if prices else None,
        "terms": selectors.cancellation_terms(prop.cancellation_policy),
    }
    return render(request, "bookings/property.html", context)


@login_required
def book(request, room_type_id: int):
    """Confirm the details of one room for a stay, then hold it and go to the PSP's checkout. A guest
    who already holds this room for overlapping dates is warned, and the booking service refuses a
    second one unless they say so."""
    room_type = get_object_or_404(
        RoomType.objects.select_related("property"), pk=room_type_id, is_active=True
    )
    if request.method == "POST":
        stay = {k: request.POST.get(k) for k in ("check_in", "check_out", "guests")}
        form = BookForm(request.POST, duplicates=_duplicates(request, room_type, stay))
        if form.is_valid():
            data = form.cleaned_data
            refusal = refusal_shown(form=form)
            with refusal:
                booking, payment = payments.booking_place(
                    guest=request.user,
                    room_type=room_type,
                    check_in=data["check_in"],
                    check_out=data["check_out"],
                    guests=data["guests"],
                    guest_name=data["guest_name"],
                    guest_phone=data["guest_phone"],
                    must_have=data["must_have"],
                    use_safe_number=data["use_safe_number"],
                    another=data.get("another", False),
                )
                return redirect("bookings:checkout", booking.code, payment.pk)
            if refusal.error.code == "duplicate_booking":
                form = _duplicate_refused(request, room_type, stay, refusal.error)
    else:
        stay_form = StayForm(request.GET)
        if not stay_form.is_valid():
            messages.error(request, _("Choose your dates first."))
            return redirect("bookings:property", room_type.property_id)
        stay = stay_form.cleaned_data
        form = BookForm(
            initial={
                **stay,
                "room_type": room_type.pk,
                "guest_name": request.user.full_name,
                "guest_phone": "",
                "use_safe_number": preference_get(user=request.user),
            },
            duplicates=_duplicates(request, room_type, stay),
        )
    quote = _quote(room_type, stay)
    return render(
        request,
        "bookings/book.html",
        {"room_type": room_type, "form": form, "stay": stay, "quote": quote, "duplicates": form.duplicates},
    )


def _duplicate_refused(request, room_type: RoomType, stay: dict, error: BookingError) -> BookForm:
    """The form again with the booking the guest already holds (another tab may have made it a moment
    ago) and the service's refusal beside the box that says a second room is meant."""
    form = BookForm(request.POST, duplicates=_duplicates(request, room_type, stay))
    form.is_valid()
    form.add_error("another" if "another" in form.fields else None, error.detail)
    return form


def _duplicates(request, room_type: RoomType, stay: dict) -> list[Booking]:
    form = StayForm({k: stay.get(k) for k in ("check_in", "check_out", "guests")})
    if not form.is_valid():
        return []
    return list(selectors.guest_overlapping_bookings(
        user=request.user, room_type=room_type,
        check_in=form.cleaned_data["check_in"], check_out=form.cleaned_data["check_out"],
    )[:5])


def _quote(room_type: RoomType, stay: dict) -> int | None:
    form = StayForm({k: stay.get(k) for k in ("check_in", "check_out", "guests")})
    if not form.is_valid():
        return None
    return quote(
        room_type=room_type, check_in=form.cleaned_data["check_in"], check_out=form.cleaned_data["check_out"]
    )


def _mine(request, code: str) -> Booking:
    return get_object_or_404(
        Booking.objects.select_related("property", "room_type", "masked_session").prefetch_related(
            "masked_session__participants__proxy_number"
        ),
        code=code,
        guest=request.user,
    )


@login_required
def checkout(request, code: str, payment_id: int):
    """The sandbox PSP's checkout: paying here makes the PSP send its signed webhook, as a real one would."""
    booking = _mine(request, code)
    payment = checkout_payment(booking.payments, payment_id)
    payable = (
        payment.status == Payment.Status.PENDING and booking.status == Booking.Status.PENDING_PAYMENT
    )
    processing = payable and payment_in_flight(request, booking.payments) is not None
    if request.method == "POST":
        if payable and not processing and payment.provider == SandboxProvider.name:
            sandbox_checkout_pay(payment=payment)
            checkout_sent_mark(request, payment)
            messages.info(
                request,
                _("Payment processing: your booking is confirmed once the payment company confirms it."),
            )
        return redirect("bookings:booking", booking.code)
    return checkout_page(request, payment=payment, payable=payable, checkout=Checkout(
        merchant=_("Ansim stays (held in trust until your stay)"),
        subject=f"{booking.property.name} · {booking.room_type.name}",
        back_url=reverse("bookings:booking", args=[booking.code]),
        back_label=_("Back to the booking"),
        not_payable=_("This booking cannot be paid now: it is %(state)s.")
        % {"state": booking.get_status_display()},
        held_until=booking.hold_expires_at,
        processing=processing,
    ))


@login_required
def my_bookings(request):
    return render(
        request, "bookings/my_bookings.html", {"bookings": selectors.guest_bookings(user=request.user)[:100]}
    )


@login_required
def booking_detail(request, code: str, *, cancel_form: CancelForm | None = None):
    booking = _mine(request, code)
    case = (  # the latest: an earlier report may have been dismissed
        GuaranteeCase.objects.filter(booking=booking)
        .order_by("-opened_at", "-pk")
        .select_related("rebooked__property", "rebooked__room_type")
        .prefetch_related(
            Prefetch("candidates", queryset=GuaranteeCandidate.objects.select_related("room_type__property"))
        )
        .first()
    )
    serving = booking.guarantee_case if booking.guarantee_case_id else None
    cancellable = booking.status in (Booking.Status.CONFIRMED, Booking.Status.PENDING_PAYMENT)
    cancellation = stays.booking_cancel_preview(booking=booking) if cancellable else None
    if cancellable and cancel_form is None:
        cancel_form = CancelForm(initial={"refund_krw": cancellation.refund_krw})
    processing = (
        payment_in_flight(request, booking.payments)
        if booking.status == Booking.Status.PENDING_PAYMENT else None
    )
    return render(
        request,
        "bookings/booking_detail.html",
        {
            "booking": booking,
            "case": case,
            "serving": serving,
            "safe_number": property_number_for_guest(booking),
            "uses_safe_number": guest_uses_safe_number(booking),
            "pending_payment": booking.payments.filter(status=Payment.Status.PENDING).first(),
            "processing": processing,
            "cancellation": cancellation,
            "cancel_form": cancel_form if cancellable else None,
            "refunds": _refunds(booking) if booking.status == Booking.Status.CANCELLED_BY_GUEST else None,
        },
    )


def _refunds(booking: Booking) -> list[Refund]:
    """What went back to the guest for a cancelled booking, as the payment company was asked."""
    return list(Refund.objects.filter(payment__in=booking.payments.all()).order_by("created_at"))


@login_required
@require_POST
def booking_cancel(request, code: str):
    """Cancel only on an explicit confirmation of the refund the page showed (the service refuses when
    the refund changed meanwhile); the page then shows what went back."""
    booking = _mine(request, code)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return booking_detail(request, code, cancel_form=form)
    with refusal_shown(form=form):
        cancelled = stays.booking_cancel_by_guest(
            booking=booking, actor=request.user, reason=form.cleaned_data["reason"],
            expected_refund_krw=form.cleaned_data["refund_krw"],
        )
        refund = sum(r.amount_krw for r in _refunds(cancelled))
        if refund:
            messages.success(
                request,
                _("Your booking is cancelled: %(amount)s won goes back to how you paid.")
                % {"amount": f"{refund:,}"},
            )
        else:
            messages.success(request, _("Your booking is cancelled."))
        return redirect("bookings:booking", code)
    return booking_detail(request, code, cancel_form=form)


@login_required
@require_POST
def case_swap(request, code: str):
    case = GuaranteeCase.objects.filter(booking=_mine(request, code)).order_by("-opened_at", "-pk").first()
    if case is None:
        raise Http404
    with refusal_shown(request):
        new = guarantee.case_swap(case=case, actor=request.user)
        messages.success(
            request, _("Swapped: you are booked at %(property)s.") % {"property": new.property.name}
        )
        return redirect("bookings:booking", new.code)
    return redirect("bookings:booking", code)


def offer(request, token: str):
    """The page the text links to: the rooms we hold for the guest; accepting one books it."""
    candidate = (
        GuaranteeCandidate.objects.select_related("case__booking__property")
        .filter(accept_token=token)
        .exclude(accept_token="")
        .first()
    )
    if candidate is None:
        raise Http404
    case = candidate.case
    if (
        request.user.is_authenticated
        and request.user.pk != case.booking.guest_id
        and not request.user.is_staff
    ):
        raise Http404
    if request.method == "POST":
        chosen = request.POST.get("choice") or token
        # Only a room of this page's case: the page's token never acts on another case.
        if not case.candidates.filter(accept_token=chosen).exclude(accept_token="").exists():
            raise Http404
        with refusal_shown(request):
            new = guarantee.offer_accept(token=chosen, actor=request.user)
            messages.success(
                request,
                _("Done: you are booked at %(property)s, confirmed.") % {"property": new.property.name},
            )
            if request.user.is_authenticated:
                return redirect("bookings:booking", new.code)
        return redirect("bookings:offer", token)
    offers = (
        case.candidates.filter(
            status__in=[GuaranteeCandidate.Status.OFFERED, GuaranteeCandidate.Status.BOOKED])
        .select_related("room_type__property", "booking")
        .order_by("rank")
    )
    return render(request, "bookings/offer.html", {"case": case, "offers": offers, "token": token})


def ical_export(request, token: str):
    """Our bookings of a room type as .ics, for other channels to import (secret URL, no guest data)."""
    room_type = get_object_or_404(RoomType, export_token=token)
    response = HttpResponse(
        channels.ical_export(room_type=room_type), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="ansim-{room_type.pk}.ics"'
    return response
