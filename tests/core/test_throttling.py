import pytest
from django.urls import reverse
from rest_framework.settings import api_settings

# Imported before any test overrides the rates: DRF's throttle class keeps the rates it read at import.
from rest_framework.throttling import SimpleRateThrottle

from ..factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_anonymous_callers_are_throttled_per_address_with_the_error_shape(api_client, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "3/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    # Put back the rates from before, not the overridden ones: the settings fixture restores
    # REST_FRAMEWORK only after this test.
    before = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        url = reverse("api:public_partner", args=[PartnerFactory().pk])
        assert [api_client.get(url).status_code for _ in range(3)] == [200, 200, 200]
        response = api_client.get(url)
        assert response.status_code == 429 and response.json()["code"] == "rate_limited"
        # Another address has its own budget.
        assert api_client.get(url, REMOTE_ADDR="10.0.0.9").status_code == 200
    finally:
        SimpleRateThrottle.THROTTLE_RATES = before
