"""What the SAML service provider remembers between messages, in Redis, every key carrying
the tenant's schema: the AuthnRequests it sent (so a response's `InResponseTo` must name one
of them, of the same provider, once), the LogoutRequests it sent, the assertion IDs it has
accepted (replay cache, kept until the assertion's `NotOnOrAfter`), and which sessions
each SAML NameID signed in (so an IdP's LogoutRequest can end them)."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import asdict, dataclass

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from core.redis_client import redis_client
from sso.errors import SsoErrorCode, SsoRefused

# An AuthnRequest is answered within this long, or not at all.
REQUEST_TTL_SECONDS = 600
# An assertion without any NotOnOrAfter is remembered this long.
ASSERTION_DEFAULT_TTL = datetime.timedelta(hours=24)
_PREFIX = "lectern:sso:saml"


def _key(kind: str, *parts: object) -> str:
    return ":".join([_PREFIX, kind, connection.schema_name, *map(str, parts)])


def _unavailable(exc: Exception) -> SsoRefused:
    return SsoRefused(
        SsoErrorCode.RESPONSE_INVALID,
        _("Single sign-on could not keep its state (Redis unavailable: %(error)s).")
        % {"error": exc.__class__.__name__},
        status=503,
    )


@dataclass(frozen=True)
class SentRequest:
    """An AuthnRequest this SP sent: for which provider, where to go afterwards, and the
    test run it belongs to (if an admin is testing the connection)."""

    provider_id: int
    next_url: str
    test_id: str = ""


def authn_request_remember(request_id: str, sent: SentRequest) -> None:
    try:
        redis_client().set(
            _key("request", request_id), json.dumps(asdict(sent)), ex=REQUEST_TTL_SECONDS
        )
    except redis.RedisError as exc:
        raise _unavailable(exc) from exc


def authn_request_consume(request_id: str) -> SentRequest | None:
    """The stored AuthnRequest `request_id`, removed (GETDEL: a response can answer it only
    once, even when two arrive at the same moment)."""
    try:
        raw = redis_client().getdel(_key("request", request_id))
    except redis.RedisError as exc:
        raise _unavailable(exc) from exc
    if raw is None:
        return None
    return SentRequest(**json.loads(raw))


def logout_request_remember(request_id: str, provider_id: int) -> None:
    try:
        redis_client().set(_key("logout", request_id), provider_id, ex=REQUEST_TTL_SECONDS)
    except redis.RedisError as exc:
        raise _unavailable(exc) from exc


def logout_request_consume(request_id: str, provider_id: int) -> bool:
    try:
        raw = redis_client().getdel(_key("logout", request_id))
    except redis.RedisError as exc:
        raise _unavailable(exc) from exc
    return raw is not None and int(raw) == provider_id


def assertion_first_use(
    provider_id: int, assertion_id: str, not_on_or_after: datetime.datetime | None, skew: int
) -> bool:
    """Record that assertion `assertion_id` of this provider was used; False when it was
    already (a replay). Kept until it could no longer be accepted anyway."""
    now = timezone.now()
    until = (not_on_or_after or now + ASSERTION_DEFAULT_TTL) + datetime.timedelta(seconds=skew)
    ttl = max(60, int((until - now).total_seconds()) + 1)
    try:
        return bool(
            redis_client().set(_key("assertion", provider_id, assertion_id), 1, nx=True, ex=ttl)
        )
    except redis.RedisError as exc:
        raise _unavailable(exc) from exc


def _name_id_key(provider_id: int, name_id: str) -> str:
    digest = hashlib.sha256(name_id.encode()).hexdigest()
    return _key("sessions", provider_id, digest)


def session_of_name_id_add(provider_id: int, name_id: str, session_key: str) -> None:
    """Note that `session_key` was signed in as `name_id` (IdP-initiated logout ends it)."""
    key = _name_id_key(provider_id, name_id)
    try:
        pipe = redis_client().pipeline()
        pipe.sadd(key, session_key)
        pipe.expire(key, settings.SESSION_COOKIE_AGE)
        pipe.execute()
    except redis.RedisError:  # logout by the IdP is best effort; sign-in goes on
        return


def sessions_of_name_id_take(provider_id: int, name_id: str) -> list[str]:
    key = _name_id_key(provider_id, name_id)
    try:
        pipe = redis_client().pipeline()
        pipe.smembers(key)
        pipe.delete(key)
        members, _deleted = pipe.execute()
    except redis.RedisError as exc:
        raise _unavailable(exc) from exc
    return sorted(member.decode() for member in members)
