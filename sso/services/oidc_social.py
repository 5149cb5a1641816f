"""social-auth (social-core + social-auth-app-django) wired for one tenant's provider at run
time. social-core does the OAuth 2 protocol: the authorization URL, `state` bound to the
browser session and consumed once, PKCE (S256), the nonce bound to the session's state, the
token exchange and the UserInfo call. Lectern supplies:

- `PinnedRequests`: social-core's HTTP calls sent through sso.services.outbound (public
  addresses only, connected to the address checked) instead of `requests`;

- `ProviderStrategy`: a DjangoStrategy whose `setting()` answers from the provider's row
  (client id, the secret opened from `oidc_client_secret_sealed`, scopes, issuer) instead
  of Django settings, so each tenant configures its providers without a deploy;
- `RedisStorage`: the only storage social-core needs here, one-use state values and OIDC
  nonces, kept in Redis with a TTL under keys carrying the tenant's schema. social_django's
  tables are not used: people and their links to a provider are Lectern's own
  (`ExternalIdentity`, `sso.services.provisioning`), and the pipeline is not run;
- `TenantOpenIdConnect`: social-core's `OpenIdConnectAuth` with discovery and the JWKS from
  `sso.services.oidc_metadata` (cached per provider, issuer checked) and the ID token
  checked by `sso.services.oidc_tokens`, each check traced; it returns the verified claims
  instead of running social-core's pipeline;
- plain OAuth 2 providers through a named social-core backend (`oauth2_backend`), returning
  the provider's user data the same way.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import requests
from django.db import connection
from django.utils.translation import gettext as _
from social_core.backends.oauth import BaseOAuth2, BaseOAuth2PKCE
from social_core.backends.open_id_connect import OpenIdConnectAuth
from social_core.exceptions import AuthProviderError
from social_core.storage import AssociationMixin, BaseStorage, NonceMixin
from social_core.utils import http_error, module_member, user_agent
from social_django.strategy import DjangoStrategy

from core.addresses import AddressRefused
from core.redis_client import redis_client
from core.secret_box import secret_open
from sso.errors import SsoErrorCode, SsoRefused
from sso.models import ConnectionTest, IdentityProvider, ProviderKind
from sso.services import oidc_metadata, outbound
from sso.services.oidc_tokens import TokenExpectations, id_token_verify
from sso.services.trace import trace_step

# A sign-in must come back from the provider within this many seconds.
STATE_LIFETIME_SECONDS = 600
HTTP_TIMEOUT_SECONDS = 5.0
# Bigger than any real token, UserInfo or API answer; a guard against a hostile endpoint.
MAX_ANSWER_BYTES = 1_000_000

# The plain OAuth 2 backends a tenant may pick (`IdentityProvider.oauth2_backend`), and the
# setting that points a self-hosted one at the provider's base URL (`oidc_issuer`).
OAUTH2_BACKENDS: dict[str, tuple[str, str | None]] = {
    "github": ("social_core.backends.github.GithubOAuth2", None),
    "github-enterprise": (
        "social_core.backends.github_enterprise.GithubEnterpriseOAuth2",
        "URL",
    ),
    "gitlab": ("social_core.backends.gitlab.GitLabOAuth2", "API_URL"),
    "google-oauth2": ("social_core.backends.google.GoogleOAuth2", None),
    "linkedin-oauth2": ("social_core.backends.linkedin.LinkedinOAuth2", None),
    "bitbucket-oauth2": ("social_core.backends.bitbucket.BitbucketOAuth2", None),
}


def _redis_key(*parts: str) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]
    return f"lectern:{connection.schema_name}:sso:oidc:{parts[0]}:{digest}"


class RedisNonce(NonceMixin):
    """One-use values (OAuth 2 `state`): `use` stores one, `consume` takes it exactly once."""

    _CONSUME = (
        "if redis.call('GET', KEYS[1]) == ARGV[1] then "
        "return redis.call('DEL', KEYS[1]) else return 0 end"
    )

    @classmethod
    def use(cls, server_url: str, timestamp, salt: str) -> bool:
        key = _redis_key("nonce", server_url, salt)
        return bool(
            redis_client().set(key, str(int(timestamp)), nx=True, ex=STATE_LIFETIME_SECONDS)
        )

    @classmethod
    def consume(cls, server_url: str, timestamp: int, salt: str) -> bool:
        key = _redis_key("nonce", server_url, salt)
        return bool(redis_client().eval(cls._CONSUME, 1, key, str(int(timestamp))))

    @classmethod
    def get(cls, server_url: str, salt: str):
        raise NotImplementedError

    @classmethod
    def delete(cls, nonce) -> None:
        raise NotImplementedError


@dataclass
class StoredAssociation(AssociationMixin):
    """An OIDC nonce as social-core stores it (handle = nonce, assoc_type = state)."""

    id: str
    handle: str
    issued: int
    lifetime: int
    assoc_type: str
    server_url: str = ""
    secret: str = ""


class RedisAssociation(AssociationMixin):
    @classmethod
    def store(cls, server_url, association) -> None:
        key = _redis_key("association", server_url, association.handle)
        value = {
            "handle": association.handle,
            "issued": int(association.issued),
            "lifetime": int(association.lifetime),
            "assoc_type": association.assoc_type,
        }
        redis_client().set(key, json.dumps(value), ex=max(int(association.lifetime), 1))

    @classmethod
    def get(cls, server_url: str | None = None, handle: str | None = None):
        if server_url is None or handle is None:
            return []
        key = _redis_key("association", server_url, handle)
        raw = redis_client().get(key)
        if not raw:
            return []
        value = json.loads(raw)
        return [StoredAssociation(id=key, server_url=server_url, **value)]

    @classmethod
    def remove(cls, ids_to_delete) -> None:
        if ids_to_delete:
            redis_client().delete(*ids_to_delete)


class RedisStorage(BaseStorage):
    nonce = RedisNonce
    association = RedisAssociation


@dataclass
class SignInContext:
    """What one sign-in's backend works with: the provider row, its opened secret, and the
    test-connection trace (None for a real sign-in)."""

    provider: IdentityProvider
    trace: ConnectionTest | None = None
    discovery: oidc_metadata.Discovery | None = None
    settings: dict[str, Any] = field(default_factory=dict)


class ProviderStrategy(DjangoStrategy):
    """social-auth's Django strategy with settings answered by the provider's row."""

    def __init__(self, request, context: SignInContext) -> None:
        self.context = context
        super().__init__(RedisStorage, request)

    def setting(self, name: str, default=None, backend=None):
        return self.context.settings.get(name, default)

    def get_setting(self, name: str):
        if name in self.context.settings:
            return self.context.settings[name]
        raise AttributeError(name)


def _settings_for(provider: IdentityProvider) -> dict[str, Any]:
    scopes = (provider.oidc_scopes or "").split()
    if provider.kind == ProviderKind.OIDC and "openid" not in scopes:
        scopes = ["openid", *scopes]
    settings: dict[str, Any] = {
        "KEY": provider.oidc_client_id,
        "SECRET": secret_open(provider.oidc_client_secret_sealed),
        "SCOPE": scopes,
        "IGNORE_DEFAULT_SCOPE": provider.kind == ProviderKind.OIDC or bool(scopes),
        "USE_PKCE": True,
        "PKCE_CODE_CHALLENGE_METHOD": "S256",
        "STATE_LIFETIME": STATE_LIFETIME_SECONDS,
        "NONCE_LIFETIME": STATE_LIFETIME_SECONDS,
        "REQUESTS_TIMEOUT": HTTP_TIMEOUT_SECONDS,
        "VERIFY_SSL": True,
    }
    if provider.kind == ProviderKind.OIDC:
        settings["OIDC_ENDPOINT"] = oidc_metadata.issuer_normalised(provider.oidc_issuer)
    else:
        _path, base_setting = OAUTH2_BACKENDS.get(provider.oauth2_backend, ("", None))
        if base_setting and provider.oidc_issuer:
            settings[base_setting] = oidc_metadata.issuer_normalised(provider.oidc_issuer)
    return settings


@dataclass(frozen=True)
class ProviderAnswer:
    """What the provider said about the person, verified: the subject and the claims (ID
    token merged over UserInfo for OIDC; the user data for plain OAuth 2)."""

    subject: str
    claims: dict[str, Any]
    email_verified: bool


class PinnedRequests:
    """social-core's HTTP calls (token exchange, UserInfo, a plain OAuth 2 provider's API)
    sent through sso.services.outbound instead of `requests`: public addresses only, to the
    address checked. The answer is handed back as the `requests.Response` social-core
    expects, and its errors raised as social-core raises them."""

    def request(
        self,
        url: str,
        *,
        method="GET",
        headers=None,
        data=None,
        json=None,
        auth=None,
        params=None,
        timeout=None,
        stage="user_info",
    ) -> requests.Response:
        headers = dict(headers or {})
        if self.SEND_USER_AGENT and "User-Agent" not in headers:
            headers["User-Agent"] = self.setting("USER_AGENT") or user_agent()
        prepared = requests.Request(
            method, url, headers=headers, data=data, json=json, auth=auth, params=params
        ).prepare()
        body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
        try:
            answer = outbound.fetch(
                method,
                prepared.url,
                headers=dict(prepared.headers),
                content=body,
                timeout=timeout or HTTP_TIMEOUT_SECONDS,
                max_bytes=MAX_ANSWER_BYTES,
            )
        except AddressRefused as exc:
            raise SsoRefused(
                SsoErrorCode.METADATA_INVALID,
                _(
                    "The identity provider's address %(url)s is not called during the "
                    "%(stage)s step: %(reason)s Lectern reaches only public addresses."
                )
                % {"url": url, "stage": stage, "reason": exc.reason},
            ) from exc
        except outbound.AnswerTooLarge as exc:
            raise SsoRefused(
                SsoErrorCode.RESPONSE_INVALID,
                _("The identity provider's answer during the %(stage)s step is too large.")
                % {"stage": stage},
            ) from exc
        except httpx.TimeoutException as exc:
            raise AuthProviderError(self, code="timeout", stage=stage) from exc
        except httpx.HTTPError as exc:
            code = "tls_error" if "CERTIFICATE_VERIFY" in str(exc) else "connection_failed"
            raise AuthProviderError(self, code=code, stage=stage) from exc
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers.update(answer.headers)
        response._content = answer.content
        response.url = prepared.url
        response.request = prepared
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        try:
            response.raise_for_status()
        except requests.HTTPError as error:
            raise http_error(self, error, stage=stage) from error
        return response


class StateTracing:
    """Records the `state` check (social-core's, which consumes the state once)."""

    context: SignInContext

    def validate_state(self):
        state = super().validate_state()
        trace_step(
            self.context.trace,
            _("State"),
            ok=True,
            detail=_(
                "Matches the state bound to this browser's sign-in; used up now, so this "
                "callback cannot be replayed."
            ),
        )
        return state


class TenantOpenIdConnect(PinnedRequests, StateTracing, OpenIdConnectAuth):
    """social-core's OpenID Connect backend for one tenant's provider."""

    name = "lectern-oidc"
    DEFAULT_USE_PKCE = True
    USE_NONCE = True

    def __init__(self, strategy: ProviderStrategy, redirect_uri: str) -> None:
        # Session keys and one-use values are per provider: a callback for one provider
        # cannot complete a sign-in started with another.
        self.name = f"lectern-oidc-{strategy.context.provider.pk}"
        self.context = strategy.context
        super().__init__(strategy, redirect_uri=redirect_uri)

    # -- discovery and keys, cached per provider ------------------------------------
    def _discovery(self) -> oidc_metadata.Discovery:
        if self.context.discovery is None:
            self.context.discovery = oidc_metadata.discovery_load(self.context.provider)
        return self.context.discovery

    def oidc_config(self) -> dict:
        return self._discovery().document

    def get_jwks_keys(self) -> list[dict[str, Any]]:
        return oidc_metadata.jwks_load(self.context.provider, self._discovery()).keys

    # -- the token response and the ID token ----------------------------------------
    def request_access_token(self, url, method="GET", headers=None, data=None, **kwargs):
        response = BaseOAuth2.request_access_token(
            self, url, method=method, headers=headers, data=data, **kwargs
        )
        trace = self.context.trace
        trace_step(
            trace,
            _("Token response"),
            ok=None,
            detail=_("The provider exchanged the authorization code (PKCE verifier sent)."),
            data={
                key: (_redacted(value) if key in ("access_token", "refresh_token") else value)
                for key, value in response.items()
                if key != "id_token"
            }
            | {"id_token": "(decoded below)" if response.get("id_token") else None},
        )
        for parameter in ("id_token", "access_token"):
            if not isinstance(response.get(parameter), str) or not response[parameter]:
                trace_step(
                    trace,
                    _("Token response"),
                    ok=False,
                    detail=_("No %(parameter)s.") % {"parameter": parameter},
                )
                raise SsoRefused(
                    SsoErrorCode.RESPONSE_INVALID,
                    _("The identity provider's token response has no %(parameter)s.")
                    % {"parameter": parameter},
                )
        self.id_token = self.validate_and_return_id_token(
            response["id_token"], response["access_token"]
        )
        return response

    def decode_and_validate_id_token(self, id_token, access_token):
        discovery = self._discovery()
        provider = self.context.provider
        verified = id_token_verify(
            id_token,
            expected=TokenExpectations(
                issuer=oidc_metadata.issuer_normalised(provider.oidc_issuer),
                client_id=provider.oidc_client_id,
                algorithms=discovery.signing_algorithms,
            ),
            keys_load=lambda: oidc_metadata.jwks_load(provider, discovery),
            keys_refresh=lambda: oidc_metadata.jwks_refresh(provider, discovery),
            trace=self.context.trace,
        )
        if not self.validate_at_hash(verified.claims, access_token, verified.key):
            trace_step(self.context.trace, _("Access token hash (at_hash)"), ok=False)
            raise SsoRefused(
                SsoErrorCode.TOKEN_INVALID,
                _("The ID token's at_hash does not match the access token it came with."),
            )
        return verified.claims

    def validate_temporal_claims(self, id_token) -> None:
        """Done, with reasons, by sso.services.oidc_tokens."""

    def validate_claims(self, id_token) -> None:
        from social_core.exceptions import AuthResponseError

        try:
            super().validate_claims(id_token)
        except AuthResponseError as exc:
            reason = _(
                "The ID token's nonce is not the one this browser's sign-in sent "
                "(a token minted for another sign-in, or replayed)."
            )
            trace_step(self.context.trace, _("Nonce"), ok=False, detail=reason)
            raise SsoRefused(SsoErrorCode.NONCE_MISMATCH, reason) from exc
        trace_step(
            self.context.trace,
            _("Nonce"),
            ok=True,
            detail=_("Matches the nonce bound to this browser's sign-in; used up now."),
        )

    # -- the end: claims, not social-core's pipeline ---------------------------------
    def do_auth(self, access_token, *args, **kwargs) -> ProviderAnswer:
        claims = dict(self.id_token or {})
        userinfo: dict[str, Any] = {}
        if self._discovery().document.get("userinfo_endpoint"):
            userinfo = self.user_data(access_token) or {}
            trace_step(self.context.trace, _("UserInfo"), ok=True, data=userinfo)
        merged = {**userinfo, **claims}
        return ProviderAnswer(
            subject=str(claims["sub"]),
            claims=merged,
            email_verified=merged.get("email_verified") in (True, "true", "True"),
        )


class PlainOAuth2Mixin(PinnedRequests, StateTracing):
    """For a plain OAuth 2 backend: stop after the user data, return it as the claims."""

    context: SignInContext

    def do_auth(self, access_token, *args, **kwargs) -> ProviderAnswer:
        response = dict(kwargs.get("response") or {})
        data = self.user_data(access_token, *args, **kwargs) or {}
        response.update(data)
        trace_step(self.context.trace, _("User data"), ok=True, data=data)
        details = self.get_user_details(response)
        subject = self.get_user_id(details, response)
        if subject in (None, ""):
            raise SsoRefused(
                SsoErrorCode.ATTRIBUTE_MISSING,
                _("The provider's user data does not say who the person is (no id)."),
            )
        claims = {
            key: value
            for key, value in response.items()
            if key not in ("access_token", "refresh_token", "id_token")
            and isinstance(value, str | int | bool | list)
        }
        for key, value in details.items():
            if value not in (None, "") and key not in claims:
                claims[key] = value
        return ProviderAnswer(
            subject=str(subject),
            claims=claims,
            email_verified=claims.get("email_verified") in (True, "true", "True"),
        )


def backend_for(request, provider: IdentityProvider, redirect_uri: str, trace=None):
    """The social-core backend signing people in through `provider`, for this request."""
    context = SignInContext(provider=provider, trace=trace, settings=_settings_for(provider))
    strategy = ProviderStrategy(request, context)
    if provider.kind == ProviderKind.OIDC:
        return TenantOpenIdConnect(strategy, redirect_uri)
    path, _base = OAUTH2_BACKENDS.get(provider.oauth2_backend, ("", None))
    if not path:
        raise SsoRefused(
            SsoErrorCode.PROVIDER_INVALID,
            _("%(backend)s is not an OAuth 2 backend Lectern offers (%(offered)s).")
            % {
                "backend": repr(provider.oauth2_backend),
                "offered": ", ".join(sorted(OAUTH2_BACKENDS)),
            },
        )

    social_class = module_member(path)
    # PKCE for every plain OAuth 2 backend too (the providers offered all support it).
    bases = (PlainOAuth2Mixin, social_class)
    if not issubclass(social_class, BaseOAuth2PKCE):
        bases = (*bases, BaseOAuth2PKCE)
    backend_class = type(f"Tenant{social_class.__name__}", bases, {})
    backend = backend_class(strategy, redirect_uri=redirect_uri)
    backend.name = f"lectern-oauth2-{provider.pk}"
    backend.context = context
    return backend


def _redacted(value: Any) -> str:
    text = str(value)
    return f"{text[:6]}... ({len(text)} characters)" if len(text) > 8 else "(short value)"
