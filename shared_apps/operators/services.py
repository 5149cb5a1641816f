"""Operator accounts and their API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from shared_apps.operators.models import OperatorToken

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
