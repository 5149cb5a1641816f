"""SCIM bearer tokens: created by a tenant admin (the secret shown once, only its hash
kept), revoked, checked on every request and rate-limited per token; and the request log."""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core.entitlements import entitlement_require
from core.redis_client import redis_client
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record
from tenant_apps.people.models import User
from tenant_apps.scim.errors import ScimError
from tenant_apps.scim.models import ScimRequestLog, ScimToken

TOKEN_PREFIX = "lsc_"  # noqa: S105 - the visible start of every SCIM token
LOG_KEEP = 500


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def scim_token_create(*, name: str, actor: User | None) -> tuple[ScimToken, str]:
    """A new token and its secret (shown once; only its hash is stored). Refused
    (PlanLimitReached) when the tenant's plan does not include SCIM."""
    entitlement_require("scim_tokens")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ScimToken.objects.create(
        name=name.strip()[:100] or "SCIM",
        prefix=secret[:12],
        secret_hash=_hash(secret),
        created_by=actor,
    )
    audit_record(
        action=AuditAction.SCIM_TOKEN_CREATED,
        actor=actor,
        target=token,
        after={"name": token.name, "prefix": token.prefix},
    )
    return token, secret


@transaction.atomic
def scim_token_revoke(*, token: ScimToken, actor: User | None) -> ScimToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            action=AuditAction.SCIM_TOKEN_REVOKED,
            actor=actor,
            target=token,
            after={"name": token.name, "prefix": token.prefix},
        )
    return token


def _unauthorised(detail: str) -> ScimError:
    return ScimError(401, detail)


def scim_token_authenticate(authorization: str, address: str | None) -> ScimToken:
    """The live token in an `Authorization: Bearer …` header of this tenant; 401 when
    missing, unknown (another tenant's tokens are unknown here) or revoked; 429 past the
    per-token rate."""
    scheme, _, secret = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise _unauthorised("A bearer token is required.")
    token = ScimToken.objects.filter(secret_hash=_hash(secret.strip())).first()
    if token is None or token.revoked_at is not None:
        raise _unauthorised("The token is invalid or revoked.")
    _rate_check(token)
    now = timezone.now()
    stale = token.last_used_at is None or now - token.last_used_at > timedelta(seconds=30)
    if stale or token.last_used_address != address:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_address=address)
        token.last_used_at, token.last_used_address = now, address
    return token


def _rate_check(token: ScimToken) -> None:
    limit = settings.SCIM_RATE_PER_MINUTE
    window = 60
    now = time.time()
    start = int(now // window) * window
    key = f"lectern:throttle:{connection.schema_name}:scim:{token.pk}:{start}"
    try:
        pipeline = redis_client().pipeline(transaction=False)
        pipeline.set(key, 0, ex=window, nx=True)
        pipeline.incr(key)
        count = pipeline.execute()[1]
    except Exception:  # Redis down: serve rather than refuse the HR system
        return
    if count > limit:
        error = ScimError(429, "Too many requests for this token; slow down.")
        error.retry_after = max(1, int(start + window - now))
        raise error


def scim_request_log(
    *, token: ScimToken | None, method: str, path: str, status: int, detail: str, address
) -> None:
    """Remember a request's outcome; keep the latest LOG_KEEP (pruned now and then)."""
    entry = ScimRequestLog.objects.create(
        token=token,
        method=method[:8],
        path=path[:300],
        status=status,
        detail=detail[:300],
        address=address,
    )
    if entry.pk % 50 == 0:
        ScimRequestLog.objects.filter(pk__lte=entry.pk - LOG_KEEP).delete()
