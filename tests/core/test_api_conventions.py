import pytest
from django.urls import reverse

from trustplatform.partners.models import Partner

pytestmark = pytest.mark.django_db

APPLICATION = {"name": "바른 인테리어", "kind": "contractor", "registration_number": "220-81-62517",
               "representative": "박도윤", "contact_email": "build@example.kr",
               "address": "부산광역시 해운대구 센텀로 1"}


@pytest.fixture
def logged_in(api_client, consumer):
    api_client.force_authenticate(consumer)
    return api_client


def _assert_error_shape(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "detail", "fields"}
    assert body["code"] == code and body["detail"]
    return body


def test_malformed_json_is_a_400_with_the_error_shape(logged_in):
    response = logged_in.post(reverse("api:partners"), data='{"name": "x",', content_type="application/json")
    _assert_error_shape(response, 400, "malformed_request")


def test_a_json_array_instead_of_an_object_is_a_400(logged_in):
    response = logged_in.post(reverse("api:partners"), data="[1, 2]", content_type="application/json")
    _assert_error_shape(response, 400, "invalid")


def test_unknown_fields_are_refused_by_name(logged_in):
    response = logged_in.post(reverse("api:partners"), {**APPLICATION, "status": "approved", "vip": True},
                              format="json")
    body = _assert_error_shape(response, 400, "unknown_field")
    assert set(body["fields"]) == {"status", "vip"}
    assert not Partner.objects.exists()


def test_wrong_types_are_a_400_naming_the_field(logged_in):
    response = logged_in.post(reverse("api:partners"), {**APPLICATION, "name": ["a", "list"],
                                                        "contact_email": 42}, format="json")
    body = _assert_error_shape(response, 400, "invalid")
    assert {"name", "contact_email"} <= set(body["fields"])


def test_domain_errors_keep_their_code(logged_in):
    response = logged_in.post(reverse("api:partners"), {**APPLICATION, "registration_number": "220-81-62518"},
                              format="json")
    body = _assert_error_shape(response, 400, "brn_checksum")
    assert "registration_number" in body["fields"]


def test_apply_through_the_api(logged_in):
    response = logged_in.post(reverse("api:partners"), APPLICATION, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "applied" and response.json()["registration_number"] == "220-81-62517"


def test_anonymous_calls_are_refused_with_the_shape(api_client):
    _assert_error_shape(api_client.get(reverse("api:me")), 401, "not_authenticated")


def test_unknown_object_is_a_404_with_the_shape(logged_in):
    _assert_error_shape(logged_in.get(reverse("api:partner", args=[999999])), 404, "not_found")


def test_wrong_method_is_a_405_with_the_shape(logged_in):
    _assert_error_shape(logged_in.delete(reverse("api:partners")), 405, "method_not_allowed")


def test_schema_is_openapi_3(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/partners/" in schema["paths"]


def test_api_docs_are_served_without_the_internet(client):
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    assert "cdn." not in page and "unpkg" not in page and "jsdelivr" not in page
