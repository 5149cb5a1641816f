"""Signing in (the numbers and the counters: people.limits)."""

from __future__ import annotations

import time

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import ApplicationError
from core.transactions import after_commit
from tenant_apps.people import limits, login_methods
from tenant_apps.people.errors import PeopleErrorCode
from tenant_apps.people.models import User


def wait_in_words(seconds: int) -> str:
    """ "30 seconds", "1 minute", "15 minutes": a wait as forms show it (rounded up)."""
    if seconds < 60:
        return ngettext("%(count)s second", "%(count)s seconds", seconds) % {"count": seconds}
    minutes = -(-seconds // 60)
    return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}


class LoginThrottled(ApplicationError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            code=PeopleErrorCode.LOGIN_THROTTLED,
            message=_("Too many failed sign-ins. Try again in %(wait)s.")
            % {"wait": wait_in_words(retry_after)},
            status=429,
        )
        self.retry_after = retry_after


def _sign_in_check_allowed(email: str, address: str | None, now: float) -> None:
    """Refuse before the password is even checked while this account and address wait."""
    wait = limits.sign_in_wait(email=email, address=address, now=now)
    if wait:
        raise LoginThrottled(retry_after=wait)


def _sign_in_failure(email: str, address: str | None, now: float) -> None:
    """Count a wrong password; when that pauses the account, tell its owner (if any)."""
    from tenant_apps.people.tasks import sign_in_paused_send

    if not limits.sign_in_failure_record(email=email, address=address, now=now):
        return
    owner = User.objects.filter(email__lower=email.strip().lower(), is_active=True).first()
    if owner is not None:
        after_commit(lambda: sign_in_paused_send.delay(owner.pk))


def user_authenticate(
    *, email: str, password: str, address: str | None, now: float | None = None
) -> User:
    """Check a person's password, throttled per account and address with growing waits, and
    per account for everyone only after many failures (see people.limits). `address` is the
    caller's (core.request_context.client_address)."""
    from django.contrib.auth import authenticate

    now = time.time() if now is None else now
    _sign_in_check_allowed(email, address, now)
    user = authenticate(username=email, password=password)
    if user is None:
        _sign_in_failure(email, address, now)
        raise ApplicationError(
            code=PeopleErrorCode.INVALID_CREDENTIALS,
            message=_("The e-mail or password is wrong."),
            status=401,
        )
    limits.sign_in_success_record(email=email, address=address)
    refusal = login_methods.password_sign_in_refusal(user)
    if refusal:
        raise ApplicationError(
            code=PeopleErrorCode.PASSWORD_SIGN_IN_OFF, message=refusal, status=403
        )
    user.last_login = timezone.now()
    User.objects.filter(pk=user.pk).update(last_login=user.last_login)
    return user
