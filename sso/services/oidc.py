"""Sign-in through an OpenID Connect provider (kind `oidc`) or a plain OAuth 2 provider
(kind `oauth2`, a named social-core backend), per tenant, configured in the database.

`oidc_login_begin` sends the browser to the provider (state, nonce and PKCE verifier bound
to its session); `oidc_login_complete` takes the provider's answer at the callback, checks
it (sso.services.oidc_social, oidc_tokens) and signs the person in through just-in-time
provisioning. A refusal ends on the login page with a support reference and an audit event.
A test run (`?test=<ConnectionTest id>` by an admin) records every step and signs nobody in.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import redis
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from social_core.exceptions import (
    AuthCanceled,
    AuthConfigurationError,
    AuthCredentialError,
    AuthInputError,
    AuthProviderError,
    AuthSessionError,
    SocialAuthBaseException,
)

from core.errors import ApplicationError
from core.secret_box import SecretUnreadable
from sso.errors import SsoErrorCode, SsoRefused
from sso.models import ConnectionTest, IdentityProvider, ProviderKind
from sso.services import oidc_metadata
from sso.services.failures import login_failure_record
from sso.services.oidc_social import backend_for
from sso.services.provisioning import (
    AssertedIdentity,
    attributes_plain,
    identity_map,
    person_from_identity,
)
from sso.services.trace import test_run_open, trace_finish, trace_step
from tenant_apps.people.models import User
from tenant_apps.people.permissions import Capability, user_can

# The browser's sign-ins under way: {state: {"provider", "next", "test", "started"}}.
PENDING_SESSION_KEY = "sso_oidc_pending"
# A browser may have this many sign-ins under way (several tabs); older ones are dropped.
PENDING_LIMIT = 5
KINDS = (ProviderKind.OIDC, ProviderKind.OAUTH2)


@dataclass(frozen=True)
class SignInOutcome:
    """Where the browser goes next; `user` to sign in, or `message` for the login page."""

    redirect_to: str
    user: User | None = None
    message: str = ""


def provider_for_slug(slug: str) -> IdentityProvider | None:
    return IdentityProvider.objects.filter(slug=slug.lower(), kind__in=KINDS).first()


def callback_url(request: HttpRequest, provider: IdentityProvider) -> str:
    return request.build_absolute_uri(reverse("sso-oidc-callback", kwargs={"slug": provider.slug}))


def _test_page(test: ConnectionTest) -> str:
    try:
        return reverse("manage-sso-test", kwargs={"test_id": test.pk})
    except NoReverseMatch:  # the admin pages are not installed: the run is saved anyway
        return "/"


def _usable(provider: IdentityProvider) -> None:
    if not provider.enabled:
        raise SsoRefused(
            SsoErrorCode.PROVIDER_DISABLED,
            _("%(provider)s is switched off in this portal.") % {"provider": provider.name},
        )
    if not provider.oidc_client_id:
        raise SsoRefused(
            SsoErrorCode.PROVIDER_INVALID,
            _("%(provider)s has no client id configured.") % {"provider": provider.name},
        )
    if provider.kind == ProviderKind.OAUTH2 and not provider.oauth2_backend:
        raise SsoRefused(
            SsoErrorCode.PROVIDER_INVALID,
            _("%(provider)s names no OAuth 2 backend.") % {"provider": provider.name},
        )


def _refusal_from_social(error: SocialAuthBaseException) -> SsoRefused:
    """social-core's exception in the words of the trace and the audit log."""
    stage = error.stage
    said = f"{error.provider_code}: {error.detail}" if error.provider_code else error.detail
    if isinstance(error, AuthSessionError | AuthInputError) and (
        error.code in ("state_mismatch", "session_context_missing")
        or error.parameter in ("state", "code_verifier")
    ):
        return SsoRefused(
            SsoErrorCode.STATE_MISMATCH,
            _(
                "The callback's state is not one this browser's sign-in is waiting for: it is "
                "missing, forged, expired or already used (a replayed callback)."
            ),
        )
    if isinstance(error, AuthCanceled):
        return SsoRefused(
            SsoErrorCode.RESPONSE_INVALID,
            _("The identity provider did not sign the person in (%(said)s).")
            % {"said": said or _("cancelled")},
        )
    if isinstance(error, AuthCredentialError):
        return SsoRefused(
            SsoErrorCode.REPLAYED,
            _(
                "The identity provider refused the authorization code (%(said)s): it was "
                "already used or has expired."
            )
            % {"said": said},
        )
    if isinstance(error, AuthProviderError):
        if error.code in ("timeout", "connection_failed", "tls_error"):
            return SsoRefused(
                SsoErrorCode.METADATA_UNREACHABLE,
                _(
                    "The identity provider could not be reached during the %(stage)s step "
                    "(%(code)s)."
                )
                % {"stage": stage, "code": error.code},
                status=502,
            )
        said = said or error.code
        if error.status_code:
            said = f"{said}, HTTP {error.status_code}"
        return SsoRefused(
            SsoErrorCode.RESPONSE_INVALID,
            _("The identity provider answered with an error during the %(stage)s step (%(said)s).")
            % {"stage": stage, "said": said},
        )
    if isinstance(error, AuthConfigurationError):
        return SsoRefused(
            SsoErrorCode.PROVIDER_INVALID,
            _(
                "The identity provider refused Lectern's request during the %(stage)s step "
                "(%(said)s); check the client id, secret, scopes and redirect URI."
            )
            % {"stage": stage, "said": said or error.code},
        )
    if error.claim == "sub":
        return SsoRefused(
            SsoErrorCode.TOKEN_INVALID,
            _("The UserInfo answer is about another subject than the ID token."),
        )
    return SsoRefused(
        SsoErrorCode.RESPONSE_INVALID,
        _("The identity provider's answer could not be used during the %(stage)s step (%(said)s).")
        % {"stage": stage, "said": f"{error.code}: {said}" if said else error.code},
    )


def _failed(
    provider: IdentityProvider | None,
    refusal: ApplicationError,
    trace: ConnectionTest | None,
) -> SignInOutcome:
    if trace is not None:
        trace_finish(trace, failure=refusal.message, failure_code=str(refusal.code))
        return SignInOutcome(redirect_to=_test_page(trace))
    _reference, message = login_failure_record(provider=provider, error=refusal)
    return SignInOutcome(redirect_to=reverse("login"), message=message)


def _guarded(provider, trace, step):
    """Run `step`, turning every refusal a partner or the network can cause into the login
    page's failure (or the test run's), never a 500."""
    try:
        return step()
    except ApplicationError as exc:
        return _failed(provider, exc, trace)
    except SocialAuthBaseException as exc:
        refusal = _refusal_from_social(exc)
        trace_step(trace, _("Identity provider's answer"), ok=False, detail=refusal.message)
        return _failed(provider, refusal, trace)
    except redis.RedisError:
        refusal = SsoRefused(
            SsoErrorCode.RESPONSE_INVALID,
            _("Single sign-on is briefly unavailable (its session store did not answer)."),
            status=503,
        )
        return _failed(provider, refusal, trace)
    except SecretUnreadable:
        refusal = SsoRefused(
            SsoErrorCode.PROVIDER_INVALID,
            _("The stored client secret cannot be opened; an admin must enter it again."),
        )
        return _failed(provider, refusal, trace)


def _test_run_for(request: HttpRequest, provider, test_id: str | None) -> ConnectionTest | None:
    if not test_id or not user_can(request.user, Capability.MANAGE_SSO):
        return None
    return test_run_open(test_id, provider)


def _discovery_traced(provider: IdentityProvider, trace) -> None:
    url = oidc_metadata.discovery_url(provider)
    try:
        discovery = oidc_metadata.discovery_load(provider)
    except SsoRefused as exc:
        trace_step(trace, _("Discovery"), ok=False, detail=exc.message, data=url)
        raise
    detail = (
        _(
            "%(url)s (cached): the issuer matches the configured one; ID tokens accepted "
            "signed with %(algorithms)s."
        )
        if discovery.from_cache
        else _(
            "%(url)s: the issuer matches the configured one; ID tokens accepted signed with "
            "%(algorithms)s."
        )
    )
    trace_step(
        trace,
        _("Discovery"),
        ok=True,
        detail=detail
        % {
            "url": url,
            "algorithms": ", ".join(discovery.signing_algorithms) or _("nothing Lectern accepts"),
        },
        data=discovery.document,
    )


def oidc_login_begin(
    *,
    request: HttpRequest,
    provider: IdentityProvider | None,
    next_url: str,
    test_id: str | None = None,
) -> SignInOutcome:
    """Send the browser to the provider's authorization endpoint (a test run when an
    admin gave `test_id`)."""
    if provider is None:
        refusal = SsoRefused(SsoErrorCode.PROVIDER_NOT_FOUND, _("No such identity provider."))
        return _failed(None, refusal, None)
    trace = _test_run_for(request, provider, test_id)

    def begin() -> SignInOutcome:
        _usable(provider)
        backend = backend_for(request, provider, callback_url(request, provider), trace)
        if provider.kind == ProviderKind.OIDC:
            _discovery_traced(provider, trace)
        url = backend.auth_url()
        params = dict(parse_qsl(urlsplit(url).query))
        state = params.get("state", "")
        pending = dict(request.session.get(PENDING_SESSION_KEY) or {})
        pending[state] = {
            "provider": provider.pk,
            "next": next_url,
            "test": str(trace.pk) if trace else None,
            "started": int(time.time()),
        }
        newest = sorted(pending.items(), key=lambda item: item[1]["started"])[-PENDING_LIMIT:]
        request.session[PENDING_SESSION_KEY] = dict(newest)
        trace_step(
            trace,
            _("Authorization request"),
            ok=None,
            detail=_(
                "The browser is sent to the identity provider with a state and nonce bound "
                "to its session and a PKCE challenge (S256)."
            ),
            data={"url": url.split("?", 1)[0], "parameters": params},
        )
        return SignInOutcome(redirect_to=url)

    return _guarded(provider, trace, begin)


def _pending_take(request: HttpRequest, provider: IdentityProvider, state: str) -> dict | None:
    pending = dict(request.session.get(PENDING_SESSION_KEY) or {})
    entry = pending.pop(state, None) if state else None
    if entry is not None:
        request.session[PENDING_SESSION_KEY] = pending
    if entry is None or entry.get("provider") != provider.pk:
        return None
    return entry


def _answer_checked(request: HttpRequest, provider: IdentityProvider, trace) -> AssertedIdentity:
    data = request.GET
    trace_step(
        trace,
        _("Callback"),
        ok=None,
        detail=_("The identity provider sent the browser back."),
        data={
            key: (value[:6] + "..." if key == "code" and len(value) > 6 else value)
            for key, value in data.items()
        },
    )
    returned_issuer = data.get("iss")
    if (
        provider.kind == ProviderKind.OIDC
        and returned_issuer is not None
        and oidc_metadata.issuer_normalised(returned_issuer)
        != oidc_metadata.issuer_normalised(provider.oidc_issuer)
    ):
        reason = _(
            "The callback says it comes from %(issuer)s, not from this identity provider "
            "(a mix-up of providers)."
        ) % {"issuer": repr(returned_issuer)}
        trace_step(trace, _("Callback issuer (iss)"), ok=False, detail=reason)
        raise SsoRefused(SsoErrorCode.ISSUER_UNKNOWN, reason)
    backend = backend_for(request, provider, callback_url(request, provider), trace)
    answer = backend.auth_complete()
    trace_step(trace, _("Claims"), ok=True, data=answer.claims)
    return AssertedIdentity(
        subject=answer.subject,
        attributes=attributes_plain(answer.claims),
        email_verified=answer.email_verified,
    )


def oidc_login_complete(
    *, request: HttpRequest, provider: IdentityProvider | None
) -> SignInOutcome:
    """The provider's answer at the callback: the person to sign in and where to go, or the
    refusal recorded (a test run: the trace finished, nobody signed in)."""
    if provider is None:
        refusal = SsoRefused(SsoErrorCode.PROVIDER_NOT_FOUND, _("No such identity provider."))
        return _failed(None, refusal, None)
    entry = _pending_take(request, provider, request.GET.get("state", ""))
    trace = test_run_open(entry.get("test"), provider) if entry else None

    def complete() -> SignInOutcome:
        _usable(provider)
        identity = _answer_checked(request, provider, trace)
        if trace is not None:
            mapped = identity_map(provider, identity)
            trace_step(
                trace,
                _("Mapping onto a person"),
                ok=True,
                detail=_("Nothing saved and nobody signed in: this is a test run."),
                data=mapped.as_dict(),
            )
            trace_finish(
                trace,
                attributes={key: list(values) for key, values in identity.attributes.items()},
                mapped=mapped.as_dict(),
            )
            return SignInOutcome(redirect_to=_test_page(trace))
        user = person_from_identity(provider, identity)
        return SignInOutcome(redirect_to=entry["next"] if entry else "/", user=user)

    return _guarded(provider, trace, complete)
