"""Owner-portal pages of a brokerage: listings and photos, enquiries about them with the broker's answer,
verification requests, reports against its listings with a response box (never the reporter), strikes,
the badge and appeals; and of a
landlord: claiming the listings of their homes, so deposits for them are paid to the landlord."""

import functools

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trustplatform import files
from trustplatform.pages import page_action, refusal_shown
from trustplatform.partners.models import Partner
from trustplatform.partners.portal import portal_view
from trustplatform.pii import mask_name

from . import selectors, services
from .forms import (
    AppealForm,
    ClaimForm,
    CloseForm,
    ContactAnswerForm,
    ListingForm,
    NewListingForm,
    PhotoForm,
    ResponseForm,
    VerificationForm,
)
from .models import OPEN_REPORT_STATUSES, AppealEvidence, Listing, ListingContact, ListingPhoto, Strike
from .services.contact import contact_broker_answer


def brokerage_view(view):
    """A portal page for brokerages only; a landlord is sent to their homes, others get a page saying so."""

    @portal_view
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.partner.kind == Partner.Kind.LANDLORD and request.method == "GET":
            return redirect("listings_portal:landlord")
        if request.partner.kind != Partner.Kind.BROKERAGE:
            return render(request, "listings/portal_not_brokerage.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def landlord_view(view):
    """A portal page for landlords only; other partners get a page saying so."""

    @portal_view
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.partner.kind != Partner.Kind.LANDLORD:
            return render(request, "listings/portal_not_landlord.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _mine(request, listing_id: int) -> Listing:
    return get_object_or_404(Listing, pk=listing_id, partner=request.partner)


def _back(listing: Listing):
    return redirect("listings_portal:detail", listing.pk)


@brokerage_view
def listing_list(request):
    status = request.GET.get("status", "")
    listings = list(selectors.partner_listings(partner=request.partner, status=status)[:200])
    selectors.region_labels_fill(listings)
    return render(
        request,
        "listings/portal_list.html",
        {
            "listings": listings,
            "status": status,
            "statuses": Listing.Status.choices,
            "standing": selectors.standing_of(request.partner),
            "open_reports": selectors.partner_reports(partner=request.partner, open_only=True).count(),
        },
    )


@brokerage_view
def listing_create(request):
    form = NewListingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        publish = values.pop("publish")
        with refusal_shown(form=form):
            listing = services.listing_create(
                partner=request.partner, actor=request.user, data=values, publish=publish
            )
            messages.success(request, _("Listing saved. Add photos and ask for verification."))
            return _back(listing)
    return render(request, "listings/portal_form.html", {"form": form, "title": _("New listing")})


def _enquiries(listing: Listing) -> list[ListingContact]:
    """The listing's latest enquiries, each with the consumer's name masked (김*지): all a broker needs."""
    contacts = list(listing.contacts.select_related("consumer").order_by("-created_at", "-id")[:50])
    for contact in contacts:
        contact.consumer_shown = mask_name(contact.consumer.full_name) or "—"
    return contacts


@brokerage_view
def listing_detail(request, listing_id: int):
    listing = _mine(request, listing_id)
    enquiries = _enquiries(listing)
    return render(
        request,
        "listings/portal_detail.html",
        {
            "listing": listing,
            "enquiries": enquiries,
            # Told a customer it is contracted while it is still live: offer to close it as a deal closed.
            "close_suggested": listing.is_live
            and any(item.broker_answer == ListingContact.BrokerAnswer.CONTRACTED for item in enquiries),
            "photos": listing.photos.all(),
            "photo_form": PhotoForm(),
            "verification_form": VerificationForm(),
            "close_form": CloseForm(),
            "verifications": listing.verifications.all()[:20],
            "reports": selectors.partner_reports(partner=request.partner).filter(listing=listing)[:20],
            "open_statuses": OPEN_REPORT_STATUSES,
        },
    )


@brokerage_view
def listing_edit(request, listing_id: int):
    listing = _mine(request, listing_id)
    initial = {name: getattr(listing, name) for name in ListingForm.base_fields}
    form = ListingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form=form):
            services.listing_update(listing=listing, actor=request.user, data=form.values())
            messages.success(request, _("Saved."))
            return _back(listing)
    return render(
        request, "listings/portal_form.html", {"form": form, "title": _("Edit listing"), "listing": listing}
    )


def _act(request, listing: Listing, action, success: str):
    page_action(request, action, success)
    return _back(listing)


@brokerage_view
@require_POST
def listing_publish(request, listing_id: int):
    listing = _mine(request, listing_id)
    return _act(
        request,
        listing,
        lambda: services.listing_publish(listing=listing, actor=request.user),
        _("Published."),
    )


@brokerage_view
@require_POST
def listing_close(request, listing_id: int):
    listing = _mine(request, listing_id)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the listing closes."))
        return _back(listing)
    return _act(
        request,
        listing,
        lambda: services.listing_close(
            listing=listing, actor=request.user, reason=form.cleaned_data["reason"]
        ),
        _("Closed."),
    )


@brokerage_view
@require_POST
def contact_answer(request, listing_id: int, contact_id: int):
    """The broker answers one enquiry: still available, or already contracted."""
    listing = _mine(request, listing_id)
    # Scoped lookup: an enquiry about another brokerage's listing is simply not found.
    contact = get_object_or_404(ListingContact, pk=contact_id, listing=listing)
    form = ContactAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Answer available or contracted."))
        return _back(listing)
    answer = form.cleaned_data["answer"]
    success = (
        _("Noted. If the deal is done, close the listing as a deal closed so no one else calls about it.")
        if answer == ListingContact.BrokerAnswer.CONTRACTED
        else _("Noted: the home is still available.")
    )
    return _act(
        request,
        listing,
        lambda: contact_broker_answer(contact_id=contact.pk, actor=request.user, answer=answer),
        success,
    )


@brokerage_view
@require_POST
def listing_refresh(request, listing_id: int):
    listing = _mine(request, listing_id)
    return _act(
        request,
        listing,
        lambda: services.listing_refresh(listing=listing, actor=request.user),
        _("Confirmed current."),
    )


@brokerage_view
@require_POST
def photo_add(request, listing_id: int):
    listing = _mine(request, listing_id)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a photo (JPEG, PNG or WebP)."))
        return _back(listing)
    return _act(
        request,
        listing,
        lambda: services.photo_add(listing=listing, actor=request.user, upload=form.cleaned_data["image"]),
        _("Photo added."),
    )


@brokerage_view
@require_POST
def photo_remove(request, listing_id: int, photo_id: int):
    listing = _mine(request, listing_id)
    photo = get_object_or_404(ListingPhoto, pk=photo_id, listing=listing)
    services.photo_remove(photo=photo, actor=request.user)
    messages.success(request, _("Photo removed."))
    return _back(listing)


@brokerage_view
@require_POST
def verification_request(request, listing_id: int):
    listing = _mine(request, listing_id)
    form = VerificationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a verification level."))
        return _back(listing)
    return _act(
        request,
        listing,
        lambda: services.verification_request(listing=listing, actor=request.user, **form.cleaned_data),
        _("Verification requested."),
    )


@brokerage_view
def report_list(request):
    reports = selectors.partner_reports(partner=request.partner)[:200]
    return render(
        request, "listings/portal_reports.html", {"reports": reports, "open_statuses": OPEN_REPORT_STATUSES}
    )


@brokerage_view
def report_detail(request, report_id: int):
    report = get_object_or_404(selectors.partner_reports(partner=request.partner), pk=report_id)
    form = ResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form=form):
            services.report_respond(report=report, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Answer sent."))
            return redirect("listings_portal:report", report.pk)
    return render(request, "listings/portal_report.html", {"report": report, "form": form})


@brokerage_view
def strike_list(request):
    return render(
        request,
        "listings/portal_strikes.html",
        {
            "standing": selectors.standing_of(request.partner),
            "strikes": selectors.partner_strikes(partner=request.partner),
        },
    )


@brokerage_view
def appeal(request, strike_id: int):
    strike = get_object_or_404(
        Strike.objects.select_related("listing"), pk=strike_id, partner=request.partner
    )
    form = AppealForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form=form):
            services.appeal_file(
                strike=strike,
                actor=request.user,
                statement=form.cleaned_data["statement"],
                files=form.cleaned_data["evidence"],
            )
            messages.success(request, _("Appeal filed. Staff who did not inspect the listing will decide."))
            return redirect("listings_portal:strikes")
    return render(request, "listings/portal_appeal.html", {"strike": strike, "form": form})


@brokerage_view
def appeal_evidence(request, strike_id: int, evidence_id: int):
    # Scoped lookup: evidence of another brokerage's appeal is simply not found.
    evidence = get_object_or_404(
        AppealEvidence, pk=evidence_id, appeal__strike_id=strike_id, appeal__strike__partner=request.partner
    )
    return files.attachment_response(evidence.file, filename=evidence.original_name)


@landlord_view
def landlord_homes(request):
    """The landlord's claimed listings, and the form to claim one by its number."""
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form=form, field="listing_id"):
            listing = services.listing_landlord_claim(
                landlord=request.partner, actor=request.user, listing_id=form.cleaned_data["listing_id"]
            )
            messages.success(
                request,
                _("Listing #%(id)s is yours: deposits tenants start for it are paid to you.")
                % {"id": listing.pk},
            )
            return redirect("listings_portal:landlord")
    return render(
        request,
        "listings/portal_landlord.html",
        {"form": form, "listings": selectors.landlord_listings(landlord=request.partner)[:200]},
    )


@landlord_view
@require_POST
def landlord_unlink(request, listing_id: int):
    # Scoped lookup: a listing this landlord has not claimed is simply not found, as in the API.
    get_object_or_404(Listing, pk=listing_id, landlord=request.partner)
    page_action(
        request,
        lambda: services.listing_landlord_unlink(
            landlord=request.partner, actor=request.user, listing_id=listing_id
        ),
        _("You are no longer the landlord of listing #%(id)s.") % {"id": listing_id},
    )
    return redirect("listings_portal:landlord")
