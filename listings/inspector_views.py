"""The inspector's phone-friendly pages: today's queue, and recording an outcome with photos, the
time and the browser's GPS reading."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from trustplatform.pages import refusal_shown

from . import selectors, services
from .forms import InspectionForm
from .models import Inspection


def inspector_view(view):
    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not services.is_inspector(request.user):
            return render(request, "listings/inspector_denied.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


@inspector_view
def queue(request):
    inspections = list(selectors.inspector_queue(user=request.user)[:100])
    return render(request, "listings/inspector_queue.html", {"inspections": inspections})


@inspector_view
def record(request, inspection_id: int):
    inspection = get_object_or_404(selectors.inspector_queue(user=request.user), pk=inspection_id)
    form = InspectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form=form):
            services.inspection_record(inspection=inspection, actor=request.user, **form.cleaned_data)
            outcome = Inspection.Outcome(form.cleaned_data["outcome"]).label
            messages.success(request, _("Recorded: %(outcome)s.") % {"outcome": outcome})
            return redirect("listings:inspector_queue")
    return render(
        request,
        "listings/inspector_record.html",
        {"inspection": inspection, "form": form, "listing": inspection.listing},
    )
