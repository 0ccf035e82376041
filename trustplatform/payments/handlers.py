"""What each app does with payments of its subjects: one handler per subject model.

An app registers its handler in its AppConfig.ready(); the payments module calls it under the
subject's lock when the provider's verified event says a payment was paid, failed or refunded.
"""

import abc

from django.core.exceptions import ImproperlyConfigured
from django.db import models


class PaymentHandler(abc.ABC):
    """The subject side of a payment. `model` is the subject's model (e.g. a booking)."""

    model: type[models.Model]

    @abc.abstractmethod
    def lock(self, subject_id: int) -> models.Model:
        """Lock the subject's row and return it; called before the payment's row is locked."""

    @abc.abstractmethod
    def refusal(self, subject) -> str:
        """Why the subject cannot take this money now (e.g. "booking is expired"); "" when it can.
        A refused payment is cancelled and its money not kept."""

    @abc.abstractmethod
    def payer_url(self, subject) -> str:
        """The payer's page for the subject: where the notices about its payments lead."""

    @abc.abstractmethod
    def paid(self, *, payment, subject) -> str:
        """Apply a confirmed, correct payment to the subject; returns the outcome stored with the event."""

    def failed(self, *, payment, subject) -> None:  # noqa: B027 (optional hook)
        """The payer's payment failed at the provider; nothing was kept."""

    def refunded(self, *, payment, subject, refund) -> None:  # noqa: B027 (optional hook)
        """The provider confirmed that `refund` went back to the payer (who has been told already)."""


_handlers: dict[str, PaymentHandler] = {}


def handler_register(handler: PaymentHandler) -> None:
    label = handler.model._meta.label_lower
    if label in _handlers and type(_handlers[label]) is not type(handler):
        raise ImproperlyConfigured(f"two payment handlers for {label}")
    _handlers[label] = handler


def handler_for(model_or_label) -> PaymentHandler:
    """The handler for a subject model (a model class, instance, content type or "app.model")."""
    if isinstance(model_or_label, str):
        label = model_or_label
    elif hasattr(model_or_label, "app_label") and hasattr(model_or_label, "model"):  # a content type
        label = f"{model_or_label.app_label}.{model_or_label.model}"
    else:
        label = model_or_label._meta.label_lower
    try:
        return _handlers[label]
    except KeyError:
        raise ImproperlyConfigured(f"no payment handler registered for {label}") from None
