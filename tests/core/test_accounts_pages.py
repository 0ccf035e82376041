"""The account pages speak in sentences of our own, not Django's stock ones."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from ..factories import UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ko", "en"])
def test_a_wrong_password_gets_our_sentence_beside_the_form(client, language):
    user = UserFactory(email="minji@example.kr")
    response = client.post("/accounts/login/", {"username": user.email, "password": "not-the-password"},
                           HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    page = response.content.decode()
    with translation.override(language):
        ours = gettext("The email address or password is not right. Check both and try again.")
    assert ours in page
    assert "와/과" not in page  # Django's Korean sentence glues the field name to both particles
    assert 'class="errors form-errors" role="alert"' in page
