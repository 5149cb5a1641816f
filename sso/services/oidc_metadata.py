"""What an OpenID provider publishes about itself, fetched and cached per provider: its
discovery document (`<issuer>/.well-known/openid-configuration`, whose `issuer` must be the
configured one) and its signing keys (JWKS). Both are kept in Redis for an hour under keys
that carry the tenant's schema and the provider; the JWKS is fetched again, once, when a
token names a key it does not hold (the provider rotated its keys). Both are fetched from
public addresses only (sso.services.outbound), and a discovery document whose key set,
token or UserInfo endpoint points into the platform's own network is refused."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

import httpx
import redis
from django.db import connection
from django.utils.translation import gettext as _

from core.addresses import AddressRefused
from core.redis_client import redis_client
from sso.errors import SsoErrorCode, SsoRefused
from sso.models import IdentityProvider
from sso.services import outbound

logger = logging.getLogger(__name__)

CACHE_SECONDS = 3600
# The discovery document's endpoints Lectern's server requests (checked when it is read).
FETCHED_ENDPOINTS = ("jwks_uri", "token_endpoint", "userinfo_endpoint")
HTTP_TIMEOUT_SECONDS = 5.0
# Bigger than any real discovery document or key set; a guard against a hostile endpoint.
MAX_DOCUMENT_BYTES = 512 * 1024
# Signature algorithms of the provider's own keys. `none` and the HS* family (signed with
# the client secret, which we hold too, so they prove nothing about the provider) are
# refused whatever the discovery advertises.
ASYMMETRIC_ALGORITHMS = frozenset(
    {
        "RS256",
        "RS384",
        "RS512",
        "PS256",
        "PS384",
        "PS512",
        "ES256",
        "ES384",
        "ES512",
        "EdDSA",
        "Ed25519",
    }
)


@dataclass(frozen=True)
class Discovery:
    """The parts of a provider's discovery document a sign-in uses."""

    document: dict[str, Any]
    from_cache: bool

    @property
    def issuer(self) -> str:
        return self.document["issuer"]

    @property
    def signing_algorithms(self) -> list[str]:
        """The ID-token algorithms the provider advertises that Lectern accepts."""
        advertised = self.document.get("id_token_signing_alg_values_supported") or ["RS256"]
        return [alg for alg in advertised if alg in ASYMMETRIC_ALGORITHMS]


def issuer_normalised(issuer: str) -> str:
    return issuer.strip().rstrip("/")


def discovery_url(provider: IdentityProvider) -> str:
    return f"{issuer_normalised(provider.oidc_issuer)}/.well-known/openid-configuration"


def _cache_key(kind: str, provider: IdentityProvider, url: str) -> str:
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return f"lectern:{connection.schema_name}:sso:oidc:{kind}:{provider.pk}:{digest}"


def _cache_get(key: str) -> Any | None:
    try:
        raw = redis_client().get(key)
    except redis.RedisError:
        logger.warning("sso.oidc: Redis unavailable, fetching %s without the cache", key)
        return None
    return json.loads(raw) if raw else None


def _cache_set(key: str, value: Any) -> None:
    try:
        redis_client().set(key, json.dumps(value), ex=CACHE_SECONDS)
    except redis.RedisError:
        logger.warning("sso.oidc: Redis unavailable, %s not cached", key)


def _cache_delete(key: str) -> None:
    with contextlib.suppress(redis.RedisError):
        redis_client().delete(key)


def _fetch_json(url: str, what: str) -> dict[str, Any]:
    """GET `url` as a JSON object, from a public address only (sso.services.outbound), or
    a refusal naming what went wrong in plain words (`what` is the document's name, already
    translated)."""
    words = {"what": what, "url": url}
    try:
        response = outbound.fetch(
            "GET",
            url,
            headers={"Accept": "application/json"},
            timeout=HTTP_TIMEOUT_SECONDS,
            max_bytes=MAX_DOCUMENT_BYTES,
        )
    except AddressRefused as exc:
        raise SsoRefused(
            SsoErrorCode.METADATA_INVALID,
            _(
                "The identity provider's %(what)s at %(url)s is not fetched: %(reason)s "
                "Lectern reaches only public addresses."
            )
            % {**words, "reason": exc.reason},
        ) from exc
    except outbound.AnswerTooLarge as exc:
        raise SsoRefused(
            SsoErrorCode.METADATA_INVALID,
            _("The identity provider's %(what)s is too large.") % words,
        ) from exc
    except httpx.HTTPError as exc:
        raise SsoRefused(
            SsoErrorCode.METADATA_UNREACHABLE,
            _("The identity provider's %(what)s at %(url)s could not be reached (%(error)s).")
            % {**words, "error": type(exc).__name__},
            status=502,
        ) from exc
    if response.status_code != 200:
        raise SsoRefused(
            SsoErrorCode.METADATA_UNREACHABLE,
            _("The identity provider's %(what)s at %(url)s answered HTTP %(status)s.")
            % {**words, "status": response.status_code},
            status=502,
        )
    try:
        document = json.loads(response.content)
    except ValueError as exc:
        raise SsoRefused(
            SsoErrorCode.METADATA_INVALID,
            _("The identity provider's %(what)s at %(url)s is not JSON.") % words,
        ) from exc
    if not isinstance(document, dict):
        raise SsoRefused(
            SsoErrorCode.METADATA_INVALID,
            _("The identity provider's %(what)s at %(url)s is not a JSON object.") % words,
        )
    return document


def _discovery_checked(provider: IdentityProvider, document: dict[str, Any]) -> None:
    configured = issuer_normalised(provider.oidc_issuer)
    announced = document.get("issuer")
    if not isinstance(announced, str) or issuer_normalised(announced) != configured:
        raise SsoRefused(
            SsoErrorCode.ISSUER_UNKNOWN,
            _(
                "The discovery document says its issuer is %(announced)s, but this identity "
                "provider is configured with the issuer %(configured)s. They must be the same."
            )
            % {"announced": repr(announced), "configured": repr(configured)},
        )
    for field in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = document.get(field)
        if not isinstance(value, str) or not value.startswith(("https://", "http://")):
            raise SsoRefused(
                SsoErrorCode.METADATA_INVALID,
                _("The discovery document has no usable %(field)s.") % {"field": field},
            )
    # Lectern itself calls these (the browser only visits authorization_endpoint): refuse a
    # document that points them into this platform's own network, naming the field.
    for field in FETCHED_ENDPOINTS:
        value = document.get(field)
        if field == "userinfo_endpoint" and not value:
            continue
        if not isinstance(value, str) or not value.startswith(("https://", "http://")):
            raise SsoRefused(
                SsoErrorCode.METADATA_INVALID,
                _("The discovery document has no usable %(field)s.") % {"field": field},
            )
        problem = outbound.address_problem(value)
        if problem:
            raise SsoRefused(
                SsoErrorCode.METADATA_INVALID,
                _(
                    "The discovery document's %(field)s (%(url)s) is refused: %(reason)s "
                    "Lectern reaches only public addresses."
                )
                % {"field": field, "url": value, "reason": problem},
            )


def discovery_load(provider: IdentityProvider) -> Discovery:
    """The provider's discovery document, from the cache when it is there."""
    if not provider.oidc_issuer:
        raise SsoRefused(
            SsoErrorCode.PROVIDER_INVALID, _("This identity provider has no issuer configured.")
        )
    url = discovery_url(provider)
    key = _cache_key("discovery", provider, url)
    cached = _cache_get(key)
    if isinstance(cached, dict):
        return Discovery(document=cached, from_cache=True)
    document = _fetch_json(url, _("discovery document"))
    _discovery_checked(provider, document)
    _cache_set(key, document)
    return Discovery(document=document, from_cache=False)


@dataclass(frozen=True)
class KeySet:
    keys: list[dict[str, Any]]
    from_cache: bool

    def key_for(self, kid: str | None) -> list[dict[str, Any]]:
        signing = [key for key in self.keys if key.get("use", "sig") == "sig"]
        if kid is None:
            return signing
        return [key for key in signing if key.get("kid") == kid]


def _jwks_fetch(url: str) -> list[dict[str, Any]]:
    document = _fetch_json(url, _("key set (JWKS)"))
    keys = document.get("keys")
    if not isinstance(keys, list) or not all(isinstance(key, dict) for key in keys):
        raise SsoRefused(
            SsoErrorCode.METADATA_INVALID,
            _("The key set at %(url)s has no list of keys.") % {"url": url},
        )

    return keys


def jwks_load(provider: IdentityProvider, discovery: Discovery) -> KeySet:
    url = discovery.document["jwks_uri"]
    key = _cache_key("jwks", provider, url)
    cached = _cache_get(key)
    if isinstance(cached, list):
        return KeySet(keys=cached, from_cache=True)
    keys = _jwks_fetch(url)
    _cache_set(key, keys)
    return KeySet(keys=keys, from_cache=False)


def jwks_refresh(provider: IdentityProvider, discovery: Discovery) -> KeySet:
    """Fetch the key set again (a token named a key the cached set lacks)."""
    url = discovery.document["jwks_uri"]
    _cache_delete(_cache_key("jwks", provider, url))
    return jwks_load(provider, discovery)


def metadata_forget(provider: IdentityProvider) -> None:
    """Drop the cached discovery document and key set (after the provider was edited)."""
    if not provider.oidc_issuer:
        return
    url = discovery_url(provider)
    cached = _cache_get(_cache_key("discovery", provider, url))
    _cache_delete(_cache_key("discovery", provider, url))
    if isinstance(cached, dict) and isinstance(cached.get("jwks_uri"), str):
        _cache_delete(_cache_key("jwks", provider, cached["jwks_uri"]))
