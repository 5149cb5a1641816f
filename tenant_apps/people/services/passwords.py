"""Passwords: set-password links, reset requests, setting and changing a password."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from core.errors import ApplicationError, FieldError, ValidationFailed
from core.transactions import after_commit
from tenant_apps.people import limits
from tenant_apps.people.errors import PeopleErrorCode
from tenant_apps.people.models import User
from tenant_apps.people.services.people import _check_password
from tenant_apps.people.services.sign_in import (
    _sign_in_check_allowed,
    _sign_in_failure,
    wait_in_words,
)
from tenant_apps.people.tokens import sign_ins_revoke_all


def tenant_base_url(host: str) -> str:
    port = f":{settings.PUBLIC_PORT}" if settings.PUBLIC_PORT else ""
    return f"{settings.PUBLIC_SCHEME}://{host}{port}"


def set_password_url(*, user: User, host: str) -> str:
    """A one-time link: it stops working once the password is set, and after
    PASSWORD_RESET_TIMEOUT seconds."""
    path = reverse(
        "set-password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
        urlconf=settings.ROOT_URLCONF,
    )
    return tenant_base_url(host) + path


class PasswordResetThrottled(ApplicationError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            code=PeopleErrorCode.PASSWORD_RESET_THROTTLED,
            message=_("Too many password-reset requests from your address. Try again in %(wait)s.")
            % {"wait": wait_in_words(retry_after)},
            status=429,
        )
        self.retry_after = retry_after


def password_reset_request(*, email: str, address: str | None, now: float | None = None) -> None:
    """E-mail a reset link if the address belongs to an active person; say nothing either
    way, so the answer does not reveal who has an account.

    The portal's form and the API both come here. Limited per recipient (past the limit
    nothing is sent, and the answer is the same) and per asking `address` (past it,
    PasswordResetThrottled, 429), see people.limits. The link in the e-mail is built from
    the tenant's stored primary domain, never from the request."""
    from tenant_apps.people.tasks import password_reset_send

    now = time.time() if now is None else now
    wait = limits.password_reset_address_wait(address=address, now=now)
    if wait:
        raise PasswordResetThrottled(retry_after=wait)
    if not limits.password_reset_recipient_allowed(email=email, now=now):
        return
    user = User.objects.filter(email__lower=email.strip().lower(), is_active=True).first()
    if user is not None:
        after_commit(lambda: password_reset_send.delay(user.pk))


@transaction.atomic
def password_set(*, user: User, new_password: str) -> User:
    """Give a person a new password (a reset, an accepted invitation, or a change) and end
    every sign-in they hold at once: refresh tokens and the access tokens of their sign-ins
    stop working, and so do browser sessions (Django ties a session to the password it was
    opened with). Personal API tokens stay; when this replaced a password, the person is
    e-mailed after commit with a list of them and where to revoke them all."""
    from tenant_apps.people.tasks import password_changed_send

    locked = User.objects.select_for_update().get(pk=user.pk)
    _check_password(new_password, locked, field="new_password")
    replaced = locked.has_usable_password()
    locked.set_password(new_password)
    locked.save(update_fields=["password"])
    sign_ins_revoke_all(user=locked)
    if replaced:
        after_commit(lambda: password_changed_send.delay(locked.pk))
    return locked


def password_change(
    *,
    user: User,
    current_password: str,
    new_password: str,
    address: str | None,
    now: float | None = None,
) -> User:
    """A signed-in person replaces their password, proving the current one. Wrong guesses
    count as failed sign-ins from `address` (so a stolen session cannot try passwords
    faster than the sign-in form). Then as `password_set`."""
    now = time.time() if now is None else now
    _sign_in_check_allowed(user.email, address, now)
    if not user.check_password(current_password):
        _sign_in_failure(user.email, address, now)
        raise ValidationFailed(
            PeopleErrorCode.INVALID_CREDENTIALS,
            _("The current password is wrong."),
            [FieldError("current_password", _("This is not your current password."))],
        )
    limits.sign_in_success_record(email=user.email, address=address)
    return password_set(user=user, new_password=new_password)


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Set a new password with a reset link's uid and token (see `password_set`)."""
    from django.utils.http import urlsafe_base64_decode

    invalid = ApplicationError(
        code=PeopleErrorCode.TOKEN_INVALID,
        message=_("The link is invalid or has expired."),
        status=400,
        details=[FieldError("token", _("Ask for a new link."))],
    )
    try:
        user_id = int(urlsafe_base64_decode(uid).decode())
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid from exc
    user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        raise invalid
    return password_set(user=user, new_password=new_password)
