"""API tokens, and the second factor of staff who move money on the API.

A token is what a password is exchanged for; for staff who can move money (second_factor.py) the
exchange also takes a code from their authenticator app, and the token it gives counts as having
passed the second factor (a TokenSecondFactor row) for as long as a signed-in session may live
(SESSION_COOKIE_AGE). Their token issued with a password alone, or before they could move money, or
with a code from an authenticator since deleted, is refused (403 second_factor_required) until they
ask again with a code. Each exchange of theirs replaces the token, so a key that leaked earlier
never gains the code's standing.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework import authentication
from rest_framework.authtoken.models import Token

from .models import TokenSecondFactor, User
from .second_factor import (
    second_factor_check,
    second_factor_enrolled,
    second_factor_required,
    staff_needs_second_factor,
)
from .services import AccountError


def token_issue(*, user: User, second_factor_code: str = "") -> Token:
    """The API token of `user`, whose password was checked. Staff who move money give a code from
    their authenticator too (AccountError otherwise) and get a new token each time, verified by that
    code; their old one stops working. Locks the user's row, so two exchanges at once make one token."""
    if not staff_needs_second_factor(user):
        return Token.objects.get_or_create(user=user)[0]
    if not second_factor_code or not second_factor_enrolled(user=user):
        raise second_factor_required()  # with no authenticator yet, it is set up on the sign-in code page
    try:
        device = second_factor_check(user=user, code=second_factor_code)
    except AccountError as exc:
        raise AccountError(exc.detail, code=exc.code, fields={"second_factor_code": [exc.detail]}) from exc
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        Token.objects.filter(user=user).delete()
        token = Token.objects.create(user=user)
        TokenSecondFactor.objects.create(token=token, device=device)
    return token


def token_second_factor_passed(*, token: Token) -> bool:
    """Whether `token` was issued with a code from its holder's authenticator, still confirmed and
    theirs, within a session's lifetime."""
    since = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    return TokenSecondFactor.objects.filter(
        token=token, device__user_id=token.user_id, device__confirmed=True, verified_at__gte=since
    ).exists()


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token, refused to staff who move money unless it passed the second factor."""

    def authenticate_credentials(self, key):
        from trustplatform.postgres.base import prepared_statements

        with prepared_statements():  # every API call's first statement: planned once per connection
            user, token = super().authenticate_credentials(key)
        if staff_needs_second_factor(user) and not token_second_factor_passed(token=token):
            # A DomainError, not an AuthenticationFailed: the token is right, the person must do more (403).
            raise second_factor_required()
        return user, token
