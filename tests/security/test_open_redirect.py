"""Issue 13, item 10: `next` redirects go only to this site, and another person's notice is not found.

A phishing link that passes through our domain (`…/read/?next=https://evil.example/x`) lends the
attacker our name; a 302 for someone else's notice tells the attacker which ids exist.
"""

import pytest
from django.urls import reverse

from trustplatform.notifications.models import Notification

pytestmark = pytest.mark.django_db

OFF_SITE = [
    "https://evil.example/x",
    "//evil.example/x",
    "/\\evil.example/x",
    "https:evil.example",
    "javascript:alert(1)",
    "http://testserver.evil.example/",
]


@pytest.fixture
def notice(consumer):
    return Notification.objects.create(user=consumer, title="A notice")


@pytest.mark.parametrize("target", OFF_SITE)
def test_marking_a_notice_read_never_redirects_off_site(client, consumer, notice, target):
    client.force_login(consumer)
    response = client.post(reverse("accounts:notification_read", args=[notice.pk]), {"next": target})
    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_marking_a_notice_read_follows_a_next_on_this_site(client, consumer, notice):
    client.force_login(consumer)
    response = client.post(reverse("accounts:notification_read", args=[notice.pk]), {"next": "/stays/?q=1"})
    assert response.status_code == 302 and response.url == "/stays/?q=1"


def test_marking_another_persons_notice_read_is_not_found(client, make_user, notice):
    client.force_login(make_user())
    response = client.post(
        reverse("accounts:notification_read", args=[notice.pk]), {"next": "https://evil.example/x"}
    )
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


@pytest.mark.parametrize("target", OFF_SITE)
def test_logging_in_never_redirects_off_site(client, consumer, target):
    from tests.factories import PASSWORD

    response = client.post(
        f"{reverse('accounts:login')}?next={target}",
        {"username": consumer.email, "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302 and response.url == "/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_switching_language_never_redirects_off_site(client, target):
    response = client.post(reverse("set_language"), {"language": "en", "next": target})
    assert response.status_code == 302 and response.url == "/"
