"""Consumer pages: search, a listing, report it, reach the broker safely and say afterwards how it went,
start a deposit, claim a wasted trip; and the owner's confirmation link."""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from masking.services import preference_get
from trustplatform.dbrouter import replica_pinned, replica_reads
from trustplatform.errors import DomainError
from trustplatform.pages import refusal_shown

from . import selectors, services
from .forms import ContactForm, DepositForm, OutcomeForm, ReportForm, SearchForm, WastedTripForm
from .models import Inspection, Listing, ListingContact, Strike, WastedTripClaim
from .services.contact import contact_outcome_record


@replica_reads()
def search(request):
    """Search results are the same for everyone, so the results list is cached briefly per query;
    any badge or confirmed-fake change bumps the version in the key and drops every cached page."""
    form = SearchForm(request.GET or None)
    query = request.GET.copy()
    query.pop("page", None)
    results = ""
    if form.is_valid() or not request.GET:
        arguments = form.query() if request.GET else {}
        digest = hashlib.sha256(json.dumps(arguments, sort_keys=True, default=str).encode()).hexdigest()[:32]
        key = f"listings:search:{selectors.search_version()}:{get_language()}:{digest}"
        # A person who just wrote (a broker changing a listing) sees the search fresh, not cached.
        results = cache.get(key) if settings.LISTINGS_SEARCH_CACHE_SECONDS and not replica_pinned() else None
        if results is None:
            page = selectors.listings_search(**arguments)
            results = render_to_string("listings/_results.html", {"page": page, "query": query.urlencode()})
            if settings.LISTINGS_SEARCH_CACHE_SECONDS:
                cache.set(key, results, settings.LISTINGS_SEARCH_CACHE_SECONDS)
    return render(request, "listings/search.html", {"form": form, "results": results})


def _listing(listing_id: int) -> Listing:
    listing = selectors.listing_public(listing_id=listing_id)
    if listing is None:
        raise Http404
    return listing


def _answerable(contact: ListingContact) -> bool:
    """Whether the form is offered: the service refuses answers after LISTINGS_CONTACT_OUTCOME_DAYS."""
    return contact.created_at >= timezone.now() - timedelta(days=settings.LISTINGS_CONTACT_OUTCOME_DAYS)


def _detail(request, listing: Listing, *, forms: dict | None = None, status: int = 200):
    forms = forms or {}
    strike = Strike.objects.filter(listing=listing).exclude(status=Strike.Status.OVERRULED).first()
    claim = enquiry = None
    if request.user.is_authenticated and strike:
        claim = WastedTripClaim.objects.filter(listing=listing, consumer=request.user).first()
    # The consumer's last enquiry, asked about on the page (not on the answer that has just opened it).
    if request.user.is_authenticated and "contact" not in forms:
        mine = ListingContact.objects.filter(listing=listing, consumer=request.user)
        enquiry = mine.order_by("-created_at", "-id").first()
    context = {
        "listing": listing,
        "standing": selectors.standing_of(listing.partner),
        "landlord_shown": selectors.landlord_shown(listing),
        "confirmed_fake": strike is not None,
        "fake_label": Inspection.FakeCategory(strike.category).label
        if strike and strike.category in Inspection.FakeCategory.values
        else "",
        "claim": claim,
        "report_form": forms.get("report") or ReportForm(),
        "deposit_form": forms.get("deposit") or DepositForm(),
        "wasted_trip_form": forms.get("wasted_trip") or WastedTripForm(),
        "contact": forms.get("contact"),
        "contact_form": ContactForm(initial={"use_safe_number": preference_get(user=request.user)}),
        "enquiry": enquiry,
        "enquiry_open": enquiry is not None and _answerable(enquiry),
        "outcome_form": OutcomeForm(initial={"outcome": enquiry.outcome or None}) if enquiry else None,
    }
    return render(request, "listings/detail.html", context, status=status)


@replica_reads()
def detail(request, listing_id: int):
    return _detail(request, _listing(listing_id))


@login_required
def report(request, listing_id: int):
    listing = _listing(listing_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form=form):
            services.report_file(listing=listing, reporter=request.user, **form.cleaned_data)
            messages.success(request, _("Thank you. The broker answers first; then we check it ourselves."))
            return redirect("listings:my_reports")
    return render(request, "listings/report.html", {"listing": listing, "form": form})


@login_required
@require_POST
def contact(request, listing_id: int):
    listing = _listing(listing_id)
    form = ContactForm(request.POST)
    form.is_valid()  # one checkbox: always valid (None when the form was posted without it)
    with refusal_shown(request):
        safe = services.contact_open(
            listing=listing, consumer=request.user, use_safe_number=form.cleaned_data["use_safe_number"]
        )
        return _detail(request, listing, forms={"contact": safe})
    return redirect("listings:detail", listing.pk)


@login_required
def contact_outcome(request, contact_id: int):
    """How the consumer's enquiry went: asked once a day after it (contact_outcomes_ask), answerable
    here or on the listing's page; a different home offered instead leads to the report form."""
    # Scoped lookup: someone else's enquiry is simply not found.
    contact = get_object_or_404(
        ListingContact.objects.select_related("listing", "listing__partner"),
        pk=contact_id,
        consumer=request.user,
    )
    form = OutcomeForm(request.POST or None, initial={"outcome": contact.outcome or None})
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form=form):
            contact_outcome_record(
                contact_id=contact.pk, consumer=request.user, outcome=form.cleaned_data["outcome"]
            )
            messages.success(request, _("Thank you: answers like yours show up homes let but still listed."))
            return redirect("listings:contact_outcome", contact.pk)
    return render(
        request,
        "listings/contact_outcome.html",
        {
            "contact": contact,
            "listing": contact.listing,
            "form": form,
            "answerable": _answerable(contact),
            "bait": contact.outcome == ListingContact.Outcome.OTHER_OFFERED,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def deposit(request, listing_id: int):
    listing = _listing(listing_id)
    form = DepositForm(request.POST)
    if form.is_valid():
        with refusal_shown(form=form):
            agreement = services.deposit_start(listing=listing, consumer=request.user, **form.cleaned_data)
            messages.success(
                request, _("Deposit agreement proposed to the landlord. Pay once they accept the terms.")
            )
            return redirect("escrow:detail", agreement.pk)
    return _detail(request, listing, forms={"deposit": form}, status=400)


@login_required
@require_POST
def wasted_trip(request, listing_id: int):
    listing = _listing(listing_id)
    form = WastedTripForm(request.POST)
    if form.is_valid():
        with refusal_shown(form=form):
            claim = services.claim_file(listing=listing, consumer=request.user, **form.cleaned_data)
            if claim.status == WastedTripClaim.Status.PAID:
                messages.success(request, _("Compensation paid to your Ansim balance."))
            else:
                messages.success(request, _("Claim received; staff will review it shortly."))
            return redirect("listings:detail", listing.pk)
    return _detail(request, listing, forms={"wasted_trip": form}, status=400)


@login_required
def my_reports(request):
    claims = (
        WastedTripClaim.objects.filter(consumer=request.user)
        .select_related("listing")
        .order_by("-created_at")
    )
    enquiries = (
        ListingContact.objects.filter(consumer=request.user)
        .select_related("listing")
        .order_by("-created_at", "-id")
    )
    return render(
        request,
        "listings/my_reports.html",
        {
            "reports": selectors.consumer_reports(user=request.user)[:100],
            "claims": claims[:50],
            "enquiries": enquiries[:50],
        },
    )


def owner_confirm(request, token: str):
    """The page the owner's text links to: confirm or deny that the property is on offer."""
    try:
        verification = services.owner_link_verification(token)
    except DomainError as exc:
        return render(request, "listings/owner_confirm.html", {"error": exc.detail}, status=exc.status)
    if request.method == "POST":
        verification = services.owner_link_answer(token=token, confirmed=request.POST.get("answer") == "yes")
    return render(
        request,
        "listings/owner_confirm.html",
        {"verification": verification, "listing": verification.listing},
    )
