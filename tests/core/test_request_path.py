"""The request path's own parts: the API's shorter middleware chain and the database health check."""

import time

import psycopg
import pytest
from django.db import connection, connections
from django.urls import URLPattern, URLResolver, get_resolver

from trustplatform.api.fastpath import (
    ANONYMOUS_SKIPPED,
    SKIPPED,
    WEBHOOK_SKIPPED,
    anonymous_middleware,
    api_middleware,
    webhook_middleware,
)

from ..factories import PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _api_views(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _api_views(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith(("api/v1/", "hooks/")):
            yield route, pattern.callback


def test_every_view_under_the_api_and_webhook_prefixes_is_csrf_exempt():
    """The short chain leaves out CsrfViewMiddleware: safe only while no view there relies on it."""
    views = list(_api_views(get_resolver().url_patterns))
    assert len(views) > 50 and any(route.startswith("hooks/telephony/") for route, _ in views)
    relying = [route for route, view in views if not getattr(view, "csrf_exempt", False)]
    assert relying == []


def test_the_api_chain_keeps_the_configured_order_and_leaves_out_only_the_page_middleware(settings):
    chain = api_middleware(settings.MIDDLEWARE)
    assert chain == [path for path in settings.MIDDLEWARE[1:] if path not in SKIPPED]
    for needed in ("django.contrib.sessions.middleware.SessionMiddleware",
                   "django.contrib.auth.middleware.AuthenticationMiddleware",
                   "trustplatform.api.middleware.ApiErrorShapeMiddleware",
                   "trustplatform.audit.middleware.ActorMiddleware", "axes.middleware.AxesMiddleware"):
        assert needed in chain


def test_an_api_answer_keeps_its_security_headers_and_a_page_keeps_its_own_policy(client):
    partner = PartnerFactory()
    answer = client.get(f"/api/v1/public/partners/{partner.pk}/")
    assert answer.status_code == 200 and answer.json()["id"] == partner.pk
    assert answer["Content-Security-Policy"].startswith("default-src 'none'")
    assert answer["X-Frame-Options"] == "DENY" and answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Content-Language"] == "ko"  # the language middleware still runs
    assert "csrftoken" not in answer.cookies
    page = client.get("/")
    assert "default-src 'self'" in page["Content-Security-Policy"]  # the page policy, from django-csp


def test_a_missing_api_path_and_a_bad_method_still_answer_in_the_api_shape(client):
    missing = client.get("/api/v1/no-such-thing/")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    refused = client.delete(f"/api/v1/public/partners/{PartnerFactory().pk}/")
    assert refused.status_code == 405 and refused.json()["code"] == "method_not_allowed"


def test_a_logged_in_browser_still_needs_its_csrf_token_for_an_unsafe_api_call():
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(UserFactory())
    refused = browser.post("/api/v1/me/phone/", {"phone": "010-2345-6789"}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert "CSRF" in refused.json()["detail"]
    browser.get("/")  # a page sets the token cookie, as a browser's first visit does
    token = browser.cookies["csrftoken"].value
    allowed = browser.post("/api/v1/me/phone/", {"phone": "010-2345-6789"}, content_type="application/json",
                           HTTP_X_CSRFTOKEN=token)
    assert allowed.status_code != 403, allowed.content


# Requests that cannot be anyone ------------------------------------------------------------------------


def test_the_anonymous_chain_leaves_out_only_what_a_signed_in_person_needs(settings):
    chain = anonymous_middleware(settings.MIDDLEWARE)
    assert chain == [path for path in api_middleware(settings.MIDDLEWARE) if path not in ANONYMOUS_SKIPPED]
    for needed in ("django.middleware.security.SecurityMiddleware",
                   "django.middleware.locale.LocaleMiddleware",
                   "trustplatform.api.middleware.ApiErrorShapeMiddleware",
                   "trustplatform.overload.BusyDependencyMiddleware",
                   "trustplatform.dbrouter.ReplicaPinMiddleware"):
        assert needed in chain
    assert "django.contrib.sessions.middleware.SessionMiddleware" not in chain
    assert "axes.middleware.AxesMiddleware" not in chain


def test_the_webhook_chain_leaves_out_only_the_language_negotiation(settings):
    chain = webhook_middleware(settings.MIDDLEWARE)
    assert WEBHOOK_SKIPPED == {"django.middleware.locale.LocaleMiddleware"}
    anonymous = anonymous_middleware(settings.MIDDLEWARE)
    assert chain == [path for path in anonymous if path not in WEBHOOK_SKIPPED]
    assert "trustplatform.overload.BusyDependencyMiddleware" in chain


@pytest.fixture
def full_chain_runs(monkeypatch):
    """Records each request the session middleware saw: only the full API chain has it."""
    from django.contrib.sessions.middleware import SessionMiddleware

    seen = []
    process_request = SessionMiddleware.process_request

    def spy(self, request):
        seen.append(request.path_info)
        return process_request(self, request)

    monkeypatch.setattr(SessionMiddleware, "process_request", spy)
    return seen


def test_a_read_without_cookie_or_credentials_takes_the_anonymous_chain_and_answers_the_same(client,
                                                                                            full_chain_runs):
    partner = PartnerFactory()
    url = f"/api/v1/public/partners/{partner.pk}/"
    anonymous = client.get(url)
    assert full_chain_runs == []
    assert anonymous.status_code == 200 and anonymous.json()["id"] == partner.pk
    assert anonymous["Content-Security-Policy"].startswith("default-src 'none'")
    assert anonymous["X-Content-Type-Options"] == "nosniff" and anonymous["Content-Language"] == "ko"
    assert "Cookie" not in anonymous.get("Vary", "")  # no session was looked at
    # The same read with a cookie takes the full chain and answers the same.
    client.cookies["ansim_lang_hint"] = "x"
    with_cookie = client.get(url)
    assert full_chain_runs == [url]
    assert with_cookie.status_code == 200 and with_cookie.json() == anonymous.json()


def test_an_anonymous_read_of_a_private_api_is_refused_in_the_api_shape(client, full_chain_runs):
    refused = client.get("/api/v1/bookings/")
    assert full_chain_runs == []
    assert refused.status_code in (401, 403) and refused.json()["code"] in ("not_authenticated",
                                                                           "authentication_failed")


def test_credentials_and_anonymous_writes_keep_the_full_chain(client, api_client, full_chain_runs):
    from rest_framework.authtoken.models import Token

    user = UserFactory()
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    mine = api_client.get("/api/v1/bookings/")
    assert mine.status_code == 200  # the token's user, through the full chain
    # A sign-in is an anonymous write: it keeps the lockout middleware's chain.
    client.post("/api/v1/auth/token/", {"email": user.email, "password": "wrong"},
                content_type="application/json")
    assert full_chain_runs == ["/api/v1/bookings/", "/api/v1/auth/token/"]


def test_a_provider_webhook_without_cookie_takes_the_anonymous_chain(client, full_chain_runs):
    answer = client.post("/hooks/telephony/fallback/")
    assert answer.status_code == 200 and full_chain_runs == []


# The health check -------------------------------------------------------------------------------------


@pytest.fixture
def own_connection():
    """A second wrapper on the test database, outside the test's transaction, so its session can be ended."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def _terminate(pid: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


def _backend_pid(wrapper) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_live_connection_passes_the_health_check_without_a_query(own_connection, monkeypatch):
    pid = _backend_pid(own_connection)

    def no_round_trip(*args, **kwargs):
        raise AssertionError("the health check sent a query")

    monkeypatch.setattr(own_connection.connection, "cursor", no_round_trip)
    monkeypatch.setattr(own_connection.connection, "execute", no_round_trip)
    assert own_connection.is_usable()
    monkeypatch.undo()
    assert _backend_pid(own_connection) == pid


def test_a_connection_the_server_ended_fails_the_check_and_the_next_request_reconnects(own_connection):
    pid = _backend_pid(own_connection)
    _terminate(pid)
    deadline = time.monotonic() + 5
    while own_connection.is_usable() and time.monotonic() < deadline:
        time.sleep(0.01)  # the server's goodbye reaches the socket within a moment
    assert not own_connection.is_usable()
    # What Django does before a request's first query, with CONN_HEALTH_CHECKS on.
    own_connection.health_check_enabled, own_connection.health_check_done = True, False
    own_connection.close_if_health_check_failed()
    assert own_connection.connection is None
    assert _backend_pid(own_connection) != pid


def test_a_closed_or_broken_connection_fails_the_check(own_connection):
    own_connection.connection.close()
    assert not own_connection.is_usable()
    own_connection.connection = None
    assert not own_connection.is_usable()


def test_the_settings_use_the_project_s_backend_for_postgresql(settings):
    assert settings.DATABASES["default"]["ENGINE"] == "trustplatform.postgres"
    assert connection.vendor == "postgresql"
    connection.ensure_connection()
    assert isinstance(connection.connection, psycopg.Connection)


# Prepared statements for hot raw SQL ------------------------------------------------------------------


def _prepared_like(marker: str) -> list[tuple[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements "
                       "WHERE statement LIKE %s", [f"%{marker}%"])
        return cursor.fetchall()


def test_a_hot_statement_is_prepared_once_per_connection_and_answers_as_django_s_cursor():
    from trustplatform.postgres.base import prepared_cursor

    sql = "SELECT %s::int + 1 AS prepared_marker_one, %s::text"
    answers = []
    for n in range(3):
        with prepared_cursor(connection) as cursor:
            cursor.execute(sql, [n, "가"])
            answers.append(cursor.fetchone())
    with connection.cursor() as cursor:
        cursor.execute(sql, [2, "가"])
        assert cursor.fetchone() == answers[2] == (3, "가")
    [(statement, runs)] = _prepared_like("prepared_marker_one")
    assert "$1" in statement and runs == 3


def test_the_orm_and_django_s_own_cursor_prepare_nothing():
    partner = PartnerFactory()
    from trustplatform.partners.models import Partner

    for _ in range(10):
        Partner.objects.filter(pk=partner.pk, name="prepared_marker_two").exists()
    assert _prepared_like("prepared_marker_two") == []


def test_a_prepared_statement_s_errors_are_django_s():
    from django.db import IntegrityError, transaction

    from trustplatform.postgres.base import prepared_cursor

    partner = PartnerFactory()
    with pytest.raises(IntegrityError), transaction.atomic(), prepared_cursor(connection) as cursor:
        cursor.execute("INSERT INTO partners_partner (id, name) "
                       "SELECT id, name FROM partners_partner WHERE id = %s", [partner.pk])


def test_inside_prepared_statements_the_orm_s_statements_are_prepared_and_outside_not():
    from django.db.models import F

    from trustplatform.partners.models import Partner
    from trustplatform.postgres.base import prepared_statements

    partner = PartnerFactory()
    # A value is bound, not in the statement's text: each statement is told apart by a column alias.
    partners = Partner.objects.filter(pk=partner.pk)
    connection.ensure_connection()
    factory = connection.connection.cursor_factory
    for _ in range(3):
        with prepared_statements():
            found = partners.annotate(prepared_marker_three=F("name")).values_list("prepared_marker_three")
            assert found.first() == (partner.name,)
            with prepared_statements():  # nested: the outer block still prepares after it
                inner = partners.annotate(prepared_marker_four=F("pk"))
                assert list(inner.values_list("prepared_marker_four")) == [(partner.pk,)]
            after = partners.annotate(prepared_marker_five=F("kind"))
            assert after.values_list("prepared_marker_five").first()
    assert connection.connection.cursor_factory is factory
    assert partners.annotate(prepared_marker_six=F("pk")).values_list("prepared_marker_six").first()
    [(statement, runs)] = _prepared_like("prepared_marker_three")
    assert "$1" in statement and runs == 3
    [(_statement, runs)] = _prepared_like("prepared_marker_four")
    assert runs == 3
    [(_statement, runs)] = _prepared_like("prepared_marker_five")
    assert runs == 3
    assert _prepared_like("prepared_marker_six") == []


def test_prepared_statements_end_with_the_block_when_it_fails_and_errors_stay_django_s():
    from django.db import IntegrityError, transaction

    from trustplatform.partners.models import Partner
    from trustplatform.postgres.base import prepared_statements

    partner = PartnerFactory()
    connection.ensure_connection()
    factory = connection.connection.cursor_factory
    with pytest.raises(IntegrityError), prepared_statements(), transaction.atomic():
        Partner.objects.create(pk=partner.pk, name="prepared_marker_six")
    assert connection.connection.cursor_factory is factory
    assert Partner.objects.get(pk=partner.pk).name == partner.name  # nothing half-written
