"""Issue 13, item 11: the API answers in its own shape, always, and its schema says what it does.

Each test is one case found by driving the running API; the clients here do not re-raise a view's
exception, so a 500 is seen as the answer a caller gets.
"""

import json

import pytest
from rest_framework.test import APIClient

from tests.factories import MembershipFactory, StaffFactory, UserFactory
from tests.listings.factories import BrokerageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def caller(user=None, *, partner=None, **credentials) -> APIClient:
    client = APIClient(raise_request_exception=False)
    if user is not None:
        client.force_authenticate(user)
    if partner is not None:
        credentials["HTTP_X_PARTNER_ID"] = str(partner.pk)
    client.credentials(**credentials)
    return client


def assert_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"code", "detail", "fields"}, body
    assert body["code"] == code and body["detail"], body
    return body


def api_schema() -> dict:
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def component(schema: dict, ref: dict) -> dict:
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


# Every amount a caller types into the API, with who may send it.
AMOUNT_INPUTS = [
    ("consumer", "/api/v1/payments/credit/withdraw/", {}),
    ("partner", "/api/v1/payments/partner/payouts/", {}),
    ("partner", "/api/v1/escrow/payouts/", {}),
    (
        "partner",
        "/api/v1/escrow/agreements/",
        {"template": "renovation", "title": "욕실", "payer_email": "payer@example.kr"},
    ),
    ("consumer", "/api/v1/escrow/agreements/1/claims/", {"accident": "vanished", "description": "x"}),
]


@pytest.fixture
def amount_caller():
    consumer = UserFactory(email="payer@example.kr")
    member = MembershipFactory(partner__kind="contractor")
    return {"consumer": caller(consumer), "partner": caller(member.user, partner=member.partner)}


@pytest.mark.parametrize(("who", "path", "rest"), AMOUNT_INPUTS)
def test_an_amount_of_2_to_the_63_is_a_400_not_a_500(amount_caller, who, path, rest):
    answer = amount_caller[who].post(path, {**rest, "amount_krw": 2**63}, format="json")
    body = assert_shape(answer, 400, "invalid")
    assert "amount_krw" in body["fields"]


@pytest.mark.parametrize(("who", "path", "rest"), AMOUNT_INPUTS)
def test_full_width_digits_are_not_an_amount(amount_caller, who, path, rest):
    answer = amount_caller[who].post(path, {**rest, "amount_krw": "１２"}, format="json")
    body = assert_shape(answer, 400, "invalid")
    assert "amount_krw" in body["fields"]


def test_an_amount_as_ascii_digits_in_a_string_is_still_accepted(amount_caller):
    answer = amount_caller["partner"].post(
        "/api/v1/payments/partner/payouts/", {"amount_krw": "12"}, format="json"
    )
    # Past validation: the partner has nothing to pay out.
    assert answer.status_code != 400 or "amount_krw" not in answer.json()["fields"], answer.json()


def test_a_100_kb_body_of_nested_json_is_a_400_not_a_500():
    body = "[" * 50_000 + "]" * 50_000
    answer = caller(UserFactory()).post("/api/v1/partners/", data=body, content_type="application/json")
    assert_shape(answer, 400, "malformed_request")


def test_json_nested_deeper_than_the_api_reads_is_a_400():
    body = '{"name": ' + "[" * 200 + "]" * 200 + "}"
    answer = caller(UserFactory()).post("/api/v1/partners/", data=body, content_type="application/json")
    assert_shape(answer, 400, "malformed_request")


def test_a_10_mb_body_is_a_413_in_the_api_shape():
    body = json.dumps({"name": "x" * (10 * 1024 * 1024)})
    answer = caller(UserFactory()).post("/api/v1/partners/", data=body, content_type="application/json")
    assert_shape(answer, 413, "request_too_large")


def test_a_10_mb_multipart_field_is_a_413_in_the_api_shape():
    member = MembershipFactory(partner=BrokerageFactory())
    answer = caller(member.user, partner=member.partner).post(
        "/api/v1/listings/partner/strikes/1/appeal/",
        {"statement": "x" * (10 * 1024 * 1024)},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="appeal-1",  # the key's fingerprint reads the body first
    )
    assert_shape(answer, 413, "request_too_large")


def test_a_non_integer_path_parameter_is_a_json_404():
    answer = caller(UserFactory()).get("/api/v1/escrow/agreements/abc/")
    assert_shape(answer, 404, "not_found")


def test_an_unknown_api_route_is_a_json_404_without_the_url_patterns(settings):
    settings.DEBUG = True  # Django's own 404 page lists every URL pattern then
    answer = caller(UserFactory()).get("/api/v1/no-such-thing/")
    body = assert_shape(answer, 404, "not_found")
    assert "admin/" not in answer.content.decode() and not body["fields"]


def test_an_api_route_without_its_trailing_slash_is_a_json_404_naming_the_right_one():
    answer = caller(UserFactory()).post("/api/v1/partners", {}, format="json")
    body = assert_shape(answer, 404, "not_found")
    assert "/api/v1/partners/" in body["detail"]


def test_an_unexpected_error_is_a_json_500(monkeypatch):
    from trustplatform.partners import api as partners_api

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(partners_api, "partners_for_user", broken)
    answer = caller(UserFactory()).get("/api/v1/partners/")
    body = assert_shape(answer, 500, "server_error")
    assert "a bug" not in body["detail"]


def test_a_bad_token_is_a_401():
    answer = caller(HTTP_AUTHORIZATION="Token not-a-real-token").get("/api/v1/me/")
    assert_shape(answer, 401, "authentication_failed")
    assert answer["WWW-Authenticate"] == "Token"


def test_no_credentials_at_all_is_a_401():
    answer = caller().get("/api/v1/me/")
    assert_shape(answer, 401, "not_authenticated")


def test_my_reports_are_answered_as_the_schema_says():
    schema = api_schema()
    ok = schema["paths"]["/api/v1/listings/reports/mine/"]["get"]["responses"]["200"]
    described = ok["content"]["application/json"]["schema"]
    answer = caller(UserFactory()).get("/api/v1/listings/reports/mine/").json()
    assert "$ref" in described, described  # an object (a page), not an array
    page = component(schema, described)
    assert set(page["properties"]) == set(answer) == {"count", "next", "previous", "results"}


def test_the_schema_limits_the_idempotency_key_as_the_api_does():
    schema = api_schema()
    operation = schema["paths"]["/api/v1/payments/credit/withdraw/"]["post"]
    (key,) = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
    assert (key["schema"]["minLength"], key["schema"]["maxLength"]) == (1, 200)

    api = caller(UserFactory())
    too_long = api.post(
        "/api/v1/payments/credit/withdraw/", {"amount_krw": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k" * 201
    )
    assert_shape(too_long, 400, "invalid_idempotency_key")


def test_the_schema_refuses_unknown_fields_as_the_api_does():
    schema = api_schema()
    operation = schema["paths"]["/api/v1/partners/"]["post"]
    request = component(schema, operation["requestBody"]["content"]["application/json"]["schema"])
    assert request["additionalProperties"] is False

    answer = caller(UserFactory()).post("/api/v1/partners/", {"vip": True}, format="json")
    assert_shape(answer, 400, "unknown_field")


def test_an_unknown_multipart_field_is_refused_as_the_schema_says():
    from listings import services as listings

    brokerage = BrokerageFactory()
    listing = listings.listing_create(
        partner=brokerage,
        actor=brokerage.owner,
        publish=True,
        data={
            "title": "서교동 투룸",
            "address": "서울특별시 마포구 양화로 45",
            "dong_code": "1144012000",
            "deal_type": "monthly",
            "deposit_krw": 10_000_000,
            "monthly_rent_krw": 700_000,
            "size_m2": "33.06",
            "floor": 3,
        },
    )
    strike = listings.fake_confirm(listing=listing, actor=StaffFactory(), category="not_exist")
    answer = caller(brokerage.owner, partner=brokerage).post(
        f"/api/v1/listings/partner/strikes/{strike.pk}/appeal/",
        {"statement": "계약서가 있습니다", "status": "upheld"},
        format="multipart",
    )
    body = assert_shape(answer, 400, "unknown_field")
    assert set(body["fields"]) == {"status"}


def test_the_schema_describes_the_error_answers():
    schema = api_schema()
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "detail", "fields"}
    operation = schema["paths"]["/api/v1/payments/credit/withdraw/"]["post"]
    for status in ("400", "401", "413", "415", "429"):
        assert operation["responses"][status]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }, status
