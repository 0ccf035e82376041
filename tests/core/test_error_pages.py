"""Errors look like the product: the site's 403, 404 and 500 pages in Korean and English (with DEBUG
off, as in production), while the API's errors stay JSON."""

import pytest
from django.core.exceptions import PermissionDenied
from django.template import loader
from django.test import Client
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext

from trustplatform.urls import urlpatterns as site_urlpatterns


def _forbidden(request):
    raise PermissionDenied


def _broken(request):
    raise RuntimeError("a bug")


# The site's own routes, plus two that fail on purpose (used through @pytest.mark.urls).
urlpatterns = [path("test-forbidden/", _forbidden), path("test-broken/", _broken), *site_urlpatterns]

LANGUAGES = ["ko", "en"]


def _page(response) -> str:
    return response.content.decode()


def _headline(language: str, msgid: str) -> str:
    with translation.override(language):
        return gettext(msgid)


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_an_unknown_page_gets_the_sites_404_in_the_visitors_language(client, language):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert "404.html" in [template.name for template in response.templates]
    page = _page(response)
    assert f'<html lang="{language}">' in page
    assert _headline(language, "We could not find that page") in page
    assert 'class="site-nav"' in page and 'href="/"' in page  # the site's chrome, a way back home
    assert "Not Found" not in page


@pytest.mark.django_db
@pytest.mark.urls("tests.core.test_error_pages")
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refused_page_gets_the_sites_403_in_the_visitors_language(client, language):
    response = client.get("/test-forbidden/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 403
    assert "403.html" in [template.name for template in response.templates]
    page = _page(response)
    assert f'<html lang="{language}">' in page
    assert _headline(language, "You do not have access to this page") in page
    assert 'href="/accounts/login/?next=/test-forbidden/"' in page  # a visitor may just need to log in


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_500_page_renders_without_a_request(language):
    with translation.override(language):
        page = loader.get_template("500.html").render()  # how Django renders it: no context at all
    assert f'<html lang="{language}">' in page
    assert _headline(language, "Something went wrong on our side") in page
    other = "en" if language == "ko" else "ko"
    assert _headline(other, "Something went wrong on our side") in page  # and once in the other language


@pytest.mark.django_db
@pytest.mark.urls("tests.core.test_error_pages")
def test_a_bug_answers_the_sites_500_page():
    response = Client(raise_request_exception=False).get("/test-broken/", HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 500
    page = _page(response)
    assert _headline("ko", "Something went wrong on our side") in page
    assert "a bug" not in page


@pytest.mark.django_db
def test_an_expired_form_gets_the_sites_page_not_djangos():
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "a@example.kr"},
                                                     HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    page = _page(response)
    assert _headline("en", "This form has expired") in page
    assert "CSRF verification failed" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_an_unknown_api_path_still_answers_json(client, language):
    response = client.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"
