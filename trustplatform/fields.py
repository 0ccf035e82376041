"""Model fields shared by every app."""

from django.db import models

from trustplatform import pii


class EncryptedTextField(models.TextField):
    """Text stored as a MultiFernet token; Python code sees the plaintext, the database never does.

    Pair it with a blind-index column (`pii.blind_index`) when rows must be found by value.
    `manage.py pii_rotate` re-encrypts every such field to the newest key.
    """

    description = "Encrypted text"

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return pii.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return pii.encrypt(value)
