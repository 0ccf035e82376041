"""Consumer page of the guarantee a guest calls in: the guest says the property refused them, after a
page that says what happens next (services/refusals.py)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform.pages import refusal_shown

from .models import Booking
from .services import refusals


class RefusalForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What happened (optional)"),
        required=False,
        max_length=refusals.STATEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("For example: “They called at 3 pm: overbooked.” or “No room at the desk.”"),
    )


@login_required
def refusal_report(request, code: str):
    booking = get_object_or_404(Booking.objects.select_related("property", "room_type"), code=code,
                                guest=request.user)
    form = RefusalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form=form):
            refusals.case_report(booking=booking, actor=request.user, note=form.cleaned_data["note"])
            messages.success(request, _("Your guarantee case is open. We keep you posted by text."))
            return redirect("bookings:booking", booking.code)
    return render(
        request,
        "bookings/refusal_confirm.html",
        {"booking": booking, "form": form, "minutes": settings.BOOKINGS_GUARANTEE_RESPONSE_MINUTES},
    )
