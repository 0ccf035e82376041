"""What every app's pages and owner portal do around a service call: a refusal (a DomainError) is
shown to the person who pressed the button or sent the form, in the page they are on, never a 500.

    with refusal_shown(request):                    # a button: the refusal becomes the page's error
        services.block_add(session=session, ...)
        messages.success(request, _("Blocked."))
    return redirect(...)

    with refusal_shown(form=form):                  # a form: the refusal lands on the form
        listing = services.listing_create(...)
        return redirect(listing)                    # only reached when the service said yes
    return render(request, "form.html", {"form": form})

A refusal ends the `with` block and the view carries on after it. Put `transaction.atomic()` inside
(`with refusal_shown(form=form), transaction.atomic():`) so a refused call leaves nothing behind.
"""

from contextlib import AbstractContextManager

from django.contrib import messages

from .errors import DomainError


def form_errors_add(form, exc: DomainError, *, field: str | None = None) -> None:
    """The refusal's sentence on the form (above its fields, or under `field`), and each of its field
    errors under that field when the form has one, above the fields otherwise."""
    form.add_error(field, exc.detail)
    for name, errors in exc.fields.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


class refusal_shown(AbstractContextManager):
    """Run a block of service calls; a DomainError inside it is shown, not raised.

    With a `request`, the refusal becomes the page's error message; with a `form`, it lands on the
    form (see form_errors_add). `.error` is the refusal, or None when the block ran to its end.
    """

    def __init__(self, request=None, *, form=None, field: str | None = None) -> None:
        if (request is None) == (form is None):
            raise TypeError("refusal_shown takes a request or a form")
        self.request, self.form, self.field = request, form, field
        self.error: DomainError | None = None

    def __exit__(self, kind, exc, traceback) -> bool:
        if not isinstance(exc, DomainError):
            return False
        self.error = exc
        if self.form is not None:
            form_errors_add(self.form, exc, field=self.field)
        else:
            messages.error(self.request, exc.detail)
        return True


def page_action(request, call, success: str) -> bool:
    """The service call behind one button: `success` as the page's message, or the refusal's.
    Returns whether the call went through."""
    with refusal_shown(request):
        call()
        messages.success(request, success)
        return True
    return False
