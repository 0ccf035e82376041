"""Owner portal for the end of stays and for reviews: record arrival, departure or no-show (each named
and confirmed before it runs), and answer or report guests' reviews (the answer confirmed: once only).
"""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trustplatform.pages import refusal_shown

from . import review_selectors, selectors
from .forms_stays import AnswerForm, ReportForm
from .portal import lodging_view
from .services import no_shows, reviews, stay_marks

MARKS = {
    "check_in": stay_marks.booking_check_in,
    "check_out": stay_marks.booking_complete,
    "no_show": stay_marks.booking_no_show,
}


def _consequence(action: str, booking) -> str:
    """What the mark does, in the words the confirmation shows."""
    values = {"guest": booking.guest_name, "code": booking.code, "amount": f"{booking.price_total_krw:,}"}
    if action == "check_in":
        return _("Record that %(guest)s arrived (booking %(code)s)? This cannot be undone.") % values
    if action == "check_out":
        return _(
            "Record that %(guest)s left (booking %(code)s)? The stay is complete and ₩%(amount)s goes to "
            "your payouts, less what you owe the guarantee. This cannot be undone."
        ) % values
    refund, rest = no_shows.no_show_split(booking)
    return _(
        "Record %(guest)s as a no-show (booking %(code)s)? The guest is told and may dispute it for "
        "%(hours)s hours; the payment stays held until then or until our agent decides. Under your "
        "%(policy)s policy for the check-in day, ₩%(refund)s then goes back to the guest and ₩%(rest)s "
        "to your payouts. This cannot be undone."
    ) % {
        **values,
        "hours": settings.BOOKINGS_NO_SHOW_DISPUTE_HOURS,
        "policy": booking.property.get_cancellation_policy_display(),
        "refund": f"{refund:,}",
        "rest": f"{rest:,}",
    }


@lodging_view
@require_POST
def stay_mark(request, code: str):
    """First post: the page names what the mark does; the confirmed post records it."""
    booking = get_object_or_404(selectors.partner_bookings(partner=request.partner), code=code)
    action = request.POST.get("action")
    if action not in MARKS:
        messages.error(request, _("Choose what to record."))
        return redirect("bookings_portal:booking", code)
    if request.POST.get("confirmed") != "on":
        return render(
            request,
            "bookings/portal/stay_confirm.html",
            {"booking": booking, "action": action, "consequence": _consequence(action, booking)},
        )
    with refusal_shown(request):
        MARKS[action](booking=booking, actor=request.user)
        messages.success(request, _("Recorded."))
    return redirect("bookings_portal:booking", code)


@lodging_view
def review_list(request):
    rows = review_selectors.partner_reviews(
        partner=request.partner, unanswered=request.GET.get("unanswered") == "1"
    )[:200]
    return render(request, "bookings/portal/reviews.html", {"reviews": rows, "report_form": ReportForm()})


def _review(request, review_id: int):
    return get_object_or_404(review_selectors.partner_reviews(partner=request.partner), pk=review_id)


@lodging_view
def review_answer(request, review_id: int):
    """The answer is shown back first ("post it? it cannot be changed"), then posted."""
    review = _review(request, review_id)
    form = AnswerForm(request.POST or None)
    confirm = False
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirmed") != "on":
            confirm = True
        else:
            with refusal_shown(form=form):
                reviews.review_answer(review=review, actor=request.user, text=form.cleaned_data["answer"])
                messages.success(request, _("Your answer is posted under the review."))
                return redirect("bookings_portal:reviews")
    return render(
        request, "bookings/portal/review_answer.html", {"review": review, "form": form, "confirm": confirm}
    )


@lodging_view
@require_POST
def review_report(request, review_id: int):
    review = _review(request, review_id)
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("bookings_portal:reviews")
    with refusal_shown(request):
        reviews.review_report(
            review=review, actor=request.user, reason=form.cleaned_data["reason"], partner=request.partner
        )
        messages.success(request, _("Reported. Our agents will look at it."))
    return redirect("bookings_portal:reviews")
