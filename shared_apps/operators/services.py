"""Operator accounts and their API tokens."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass

import redis
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name

from core.errors import ApplicationError
from shared_apps.operators.errors import OperatorErrorCode
from shared_apps.operators.models import OperatorToken
from shared_apps.operators.permissions import is_operator

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "lop_"  # noqa: S105 - a public prefix, not a secret


@dataclass(frozen=True)
class IssuedToken:
    token: OperatorToken
    secret: str  # shown once, never stored


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _require_public_schema() -> None:
    if connection.schema_name != get_public_schema_name():
        raise RuntimeError("operators live in the public schema")


@transaction.atomic
def operator_create(*, email: str, password: str | None, full_name: str = "") -> AbstractBaseUser:
    """Create (or update the password of) a platform operator."""
    _require_public_schema()
    user = get_user_model().objects.filter(email__lower=email.strip().lower()).first()
    if user is None:
        user = get_user_model()(email=email.strip().lower(), full_name=full_name)
    user.is_staff = True
    user.is_superuser = True
    user.is_active = True
    if password:
        user.set_password(password)
    elif not user.has_usable_password():
        user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def operator_token_issue(*, user: AbstractBaseUser, name: str) -> IssuedToken:
    """Issue an API token for an operator; the secret is returned once."""
    _require_public_schema()
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = OperatorToken.objects.create(
        user=user, name=name, prefix=secret[:12], token_hash=hash_token(secret)
    )
    return IssuedToken(token=token, secret=secret)


def operator_token_authenticate(secret: str) -> OperatorToken | None:
    token = (
        OperatorToken.objects.select_related("user")
        .filter(
            token_hash=hash_token(secret),
            revoked_at__isnull=True,
            user__is_active=True,
            user__is_staff=True,
        )
        .first()
    )
    if token is not None:
        OperatorToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


def operator_token_revoke(*, token: OperatorToken) -> None:
    OperatorToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


# ------------------------------------------------------------------------------------------
# Signing in to the console. Failures are counted per (account, address) in a fixed window;
# at the limit that address waits out the window for that account (others are unaffected,
# so nobody can lock an operator out from elsewhere). Without Redis nothing is counted.
SIGN_IN_FAILURES_ALLOWED = 5
SIGN_IN_WINDOW_SECONDS = 15 * 60


def _sign_in_key(email: str, address: str | None) -> str:
    pair = f"{email.strip().lower()}|{address or '-'}"
    return "operators:sign-in-failures:" + hashlib.sha256(pair.encode()).hexdigest()


def _failures(key: str) -> int:
    try:
        return int(cache.get(key) or 0)
    except redis.RedisError:
        logger.warning("operator sign-in failures not counted: Redis is unreachable")
        return 0


def _failure_record(key: str) -> None:
    try:
        cache.add(key, 0, SIGN_IN_WINDOW_SECONDS)
        cache.incr(key)
    except (redis.RedisError, ValueError):
        logger.warning("operator sign-in failure not counted")


def operator_authenticate(*, email: str, password: str, address: str | None, request=None):
    """The operator with this e-mail and password. Anyone else (a wrong password, a user
    who is not an operator) gets the same refusal; after SIGN_IN_FAILURES_ALLOWED failures
    from one address for one account, that address waits SIGN_IN_WINDOW_SECONDS."""
    _require_public_schema()
    key = _sign_in_key(email, address)
    if _failures(key) >= SIGN_IN_FAILURES_ALLOWED:
        raise ApplicationError(
            code=OperatorErrorCode.SIGN_IN_THROTTLED,
            message=_("Too many failed sign-ins. Try again later."),
            status=429,
        )
    user = authenticate(request, username=email, password=password)
    if user is None or not is_operator(user):
        _failure_record(key)
        raise ApplicationError(
            code=OperatorErrorCode.INVALID_CREDENTIALS,
            message=_("The e-mail or password is wrong."),
            status=401,
        )
    try:
        cache.delete(key)
    except redis.RedisError:
        logger.warning("operator sign-in failures not cleared: Redis is unreachable")
    return user
