"""Forms for the end of a stay and for reviews (guest pages and the owner portal)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models.reviews import RATING_MAX, RATING_MIN, TEXT_MAX
from .services.no_shows import STATEMENT_MAX
from .services.reviews import REPORT_REASON_MAX

STARS = [(n, "★" * n) for n in range(RATING_MAX, RATING_MIN - 1, -1)]


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"), choices=STARS, coerce=int, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Your review"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Other guests read it with your name shown as 김*지. It cannot be changed once posted."),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown to everyone under the review. You can answer once; it cannot be changed."),
    )


class ReportForm(forms.Form):
    reason = forms.CharField(label=_("What is wrong with it"), max_length=REPORT_REASON_MAX)


class DisputeForm(forms.Form):
    statement = forms.CharField(
        label=_("What happened"),
        max_length=STATEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("e.g. when you arrived and who you spoke to. An Ansim agent reads it and decides."),
    )
