from django.conf import settings


def test_environment(request) -> dict:
    """While the sandbox takes the payments no real money moves: every page says so."""
    return {"payments_test_environment": settings.PAYMENTS_PROVIDER == "sandbox"}
