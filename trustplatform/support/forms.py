from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Inquiry
from .selectors import agents
from .services import MAX_MESSAGE_CHARS
from .subjects import subject_choices


class InquiryForm(forms.Form):
    """A question to the agents' team; `about` offers only the person's own objects."""

    category = forms.ChoiceField(
        label=_("What is it about?"), choices=[("", _("Choose one")), *Inquiry.Category.choices]
    )
    about = forms.ChoiceField(label=_("Which one (optional)"), required=False)
    message = forms.CharField(
        label=_("Your message"),
        max_length=MAX_MESSAGE_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Please do not write card numbers or passwords."),
    )

    def __init__(self, *args, user, about: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["about"].choices = [("", _("Nothing in particular"))] + subject_choices(
            user=user, include=about
        )


class FollowUpForm(forms.Form):
    message = forms.CharField(
        label=_("Write back"), max_length=MAX_MESSAGE_CHARS, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReplyForm(forms.Form):
    """An agent's answer (the admin's "Reply…" button)."""

    body = forms.CharField(
        label=_("Answer to the customer"),
        max_length=MAX_MESSAGE_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Note to the customer (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AssignForm(forms.Form):
    # A lazy queryset: each form reads the agents afresh.
    assignee = forms.ModelChoiceField(
        label=_("Agent"), queryset=agents(), required=False, empty_label=_("Nobody (back to the queue)")
    )
