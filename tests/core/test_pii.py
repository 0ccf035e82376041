import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from trustplatform import pii
from trustplatform.accounts.models import User

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def _raw_phone(user_id):
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_user WHERE id = %s", [user_id])
        return cursor.fetchone()[0]


def test_mask_phone_keeps_only_the_last_four_digits():
    assert pii.mask_phone("+821012345678") == "010-****-5678"


def test_the_mobile_shortcut_of_mask_phone_agrees_with_phonenumbers_for_every_010_prefix():
    import phonenumbers

    for prefix in range(10000):
        for line in ("0000", "5678"):
            e164 = f"+8210{prefix:04d}{line}"
            national = phonenumbers.format_number(phonenumbers.parse(e164, None),
                                                  phonenumbers.PhoneNumberFormat.NATIONAL)
            first, _middle, last = national.split("-")
            assert pii.mask_phone(e164) == f"{first}-****-{last}", e164
    assert pii.mask_phone("+82212345678") == "02-****-5678"  # not a mobile: phonenumbers formats it


def test_blind_index_is_stable_and_keyed(settings):
    first = pii.blind_index("+821012345678")
    assert first == pii.blind_index("+821012345678")
    settings.PII_HASH_KEY = "another-key"
    assert pii.blind_index("+821012345678") != first


def test_rotation_moves_every_row_to_the_newest_key(settings):
    old_key = settings.PII_ENCRYPTION_KEYS[-1]
    settings.PII_ENCRYPTION_KEYS = [old_key]
    pii.reset_keys()
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(phone="+821012345678")
    assert Fernet(old_key).decrypt(_raw_phone(user.pk).encode()) == b"+821012345678"

    new_key = Fernet.generate_key().decode()
    settings.PII_ENCRYPTION_KEYS = [new_key, old_key]
    try:
        call_command("pii_rotate")
        Fernet(new_key).decrypt(_raw_phone(user.pk).encode())  # raises if still under the old key
        # With the old key gone the data still reads.
        settings.PII_ENCRYPTION_KEYS = [new_key]
        pii.reset_keys()
        assert User.objects.get(pk=user.pk).phone == "+821012345678"
    finally:
        pii.reset_keys()
