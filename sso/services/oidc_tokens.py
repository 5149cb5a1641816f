"""The checks an ID token must pass, one by one, each recorded in the test-connection trace
with its reason in plain words: the header is readable, its algorithm is one of the
provider's public-key algorithms that its discovery advertises (never `none`, never HS*
with the client secret), the signing key is in the provider's JWKS (fetched again once
when the `kid` is unknown), the signature holds, then issuer, audience and authorised
party, expiry, issue time and not-before. The nonce is checked by the caller against the
sign-in's session."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sso.errors import SsoErrorCode, SsoRefused
from sso.models import ConnectionTest
from sso.services.oidc_metadata import ASYMMETRIC_ALGORITHMS, KeySet, issuer_normalised
from sso.services.trace import trace_step

# Clocks of the provider and ours may differ this much.
LEEWAY_SECONDS = 60
# An ID token issued longer ago than this is refused (it was not minted for this sign-in).
MAX_AGE_SECONDS = 600


@dataclass(frozen=True)
class TokenExpectations:
    issuer: str
    client_id: str
    algorithms: list[str]
    leeway: int = LEEWAY_SECONDS
    max_age: int = MAX_AGE_SECONDS


@dataclass(frozen=True)
class VerifiedIdToken:
    claims: dict[str, Any]
    header: dict[str, Any]
    key: dict[str, Any]


def _refuse(
    trace: ConnectionTest | None, title: str, code: SsoErrorCode, reason: str, data: Any = ""
) -> SsoRefused:
    trace_step(trace, title, ok=False, detail=reason, data=data)
    return SsoRefused(code, reason)


def _header_read(token: str, trace: ConnectionTest | None) -> tuple[dict, dict]:
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise _refuse(
            trace,
            _("ID token decoded"),
            SsoErrorCode.TOKEN_INVALID,
            _("The ID token is not a readable JWT (%(error)s).") % {"error": exc},
        ) from exc
    if not isinstance(unverified, dict):
        raise _refuse(
            trace,
            _("ID token decoded"),
            SsoErrorCode.TOKEN_INVALID,
            _("The ID token has no claims."),
        )
    trace_step(trace, _("ID token header (decoded, not yet trusted)"), ok=None, data=header)
    trace_step(trace, _("ID token claims (decoded, not yet trusted)"), ok=None, data=unverified)
    return header, unverified


def _algorithm_check(header: dict, expected: TokenExpectations, trace) -> str:
    title = _("Signature algorithm")
    alg = header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none":
        raise _refuse(
            trace,
            title,
            SsoErrorCode.SIGNATURE_INVALID,
            _(
                "The ID token is not signed (alg: none). Lectern accepts only tokens signed "
                "with the identity provider's published keys."
            ),
        )
    if alg.upper().startswith("HS"):
        raise _refuse(
            trace,
            title,
            SsoErrorCode.SIGNATURE_INVALID,
            _(
                "The ID token is signed with a shared secret (%(algorithm)s). Anyone holding "
                "the client secret could make such a token, so Lectern accepts only the "
                "identity provider's public-key signatures (RS256, PS256, ES256, ...)."
            )
            % {"algorithm": alg},
        )
    if alg not in ASYMMETRIC_ALGORITHMS or alg not in expected.algorithms:
        raise _refuse(
            trace,
            title,
            SsoErrorCode.SIGNATURE_INVALID,
            _(
                "The ID token is signed with %(algorithm)s, which is not among the algorithms "
                "the provider's discovery document advertises and Lectern accepts "
                "(%(accepted)s)."
            )
            % {"algorithm": alg, "accepted": ", ".join(expected.algorithms) or _("none")},
        )
    trace_step(
        trace,
        title,
        ok=True,
        detail=_("%(algorithm)s, advertised by the provider.") % {"algorithm": alg},
    )
    return alg


def _signature_check(
    token: str,
    header: dict,
    alg: str,
    keys_load: Callable[[], KeySet],
    keys_refresh: Callable[[], KeySet],
    trace,
) -> tuple[dict, dict]:
    """(verified claims, the JWK that verified them)."""
    kid = header.get("kid")
    keyset = keys_load()
    candidates = keyset.key_for(kid)
    if not candidates and kid is not None:
        trace_step(
            trace,
            _("Signing key lookup"),
            ok=None,
            detail=_(
                "The cached key set has no key %(kid)s; fetching the provider's JWKS again "
                "(it may have rotated its keys)."
            )
            % {"kid": repr(kid)},
        )
        keyset = keys_refresh()
        candidates = keyset.key_for(kid)
    if not candidates:
        raise _refuse(
            trace,
            _("Signing key lookup"),
            SsoErrorCode.SIGNATURE_INVALID,
            _(
                "The ID token was signed with the key %(kid)s, which the identity provider "
                "does not publish in its JWKS."
            )
            % {"kid": repr(kid)},
            data={"published_kids": [key.get("kid") for key in keyset.keys]},
        )
    found = (
        _("Key %(kid)s found in the provider's JWKS (cached).")
        if keyset.from_cache
        else _("Key %(kid)s found in the provider's JWKS (fetched).")
    )
    trace_step(trace, _("Signing key lookup"), ok=True, detail=found % {"kid": repr(kid)})
    for jwk in candidates:
        if jwk.get("alg") not in (None, alg):
            continue
        try:
            key = jwt.PyJWK(jwk, algorithm=alg)
            claims = jwt.decode(
                token,
                key=key.key,
                algorithms=[alg],
                options={
                    "verify_signature": True,
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "verify_aud": False,
                    "verify_iss": False,
                },
            )
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError as exc:
            raise _refuse(
                trace,
                _("Signature"),
                SsoErrorCode.SIGNATURE_INVALID,
                _("The ID token's signature could not be checked (%(error)s).") % {"error": exc},
            ) from exc
        trace_step(
            trace,
            _("Signature"),
            ok=True,
            detail=_("Valid %(algorithm)s signature.") % {"algorithm": alg},
        )
        return claims, jwk
    raise _refuse(
        trace,
        _("Signature"),
        SsoErrorCode.SIGNATURE_INVALID,
        _(
            "The ID token's signature does not match the identity provider's key: it was "
            "altered or signed by someone else."
        ),
    )


def _issuer_check(claims: dict, expected: TokenExpectations, trace) -> None:
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or issuer_normalised(issuer) != issuer_normalised(
        expected.issuer
    ):
        raise _refuse(
            trace,
            _("Issuer"),
            SsoErrorCode.ISSUER_UNKNOWN,
            _(
                "The ID token was issued by %(issuer)s, not by this identity provider "
                "(%(expected)s)."
            )
            % {"issuer": repr(issuer), "expected": repr(expected.issuer)},
        )
    trace_step(
        trace, _("Issuer"), ok=True, detail=_("%(issuer)s, as configured.") % {"issuer": issuer}
    )


def _audience_check(claims: dict, expected: TokenExpectations, trace) -> None:
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or expected.client_id not in audiences:
        raise _refuse(
            trace,
            _("Audience"),
            SsoErrorCode.AUDIENCE_WRONG,
            _("The ID token is meant for %(audience)s, not for Lectern's client id %(client_id)s.")
            % {"audience": repr(audience), "client_id": repr(expected.client_id)},
        )
    azp = claims.get("azp")
    if (len(audiences) > 1 and azp is None) or (azp is not None and azp != expected.client_id):
        raise _refuse(
            trace,
            _("Audience"),
            SsoErrorCode.AUDIENCE_WRONG,
            _(
                "The ID token names several audiences and its authorised party (azp) is "
                "%(azp)s, not Lectern's client id %(client_id)s."
            )
            % {"azp": repr(azp), "client_id": repr(expected.client_id)},
        )
    trace_step(
        trace,
        _("Audience"),
        ok=True,
        detail=_("Issued for %(client_id)s.") % {"client_id": expected.client_id},
    )


def _number(claims: dict, name: str) -> float | None:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _times_check(claims: dict, expected: TokenExpectations, now: float, trace) -> None:
    exp = _number(claims, "exp")
    if exp is None:
        raise _refuse(
            trace, _("Expiry"), SsoErrorCode.TOKEN_INVALID, _("The ID token has no expiry (exp).")
        )
    if now > exp + expected.leeway:
        ago = int(now - exp)
        raise _refuse(
            trace,
            _("Expiry"),
            SsoErrorCode.CLOCK,
            ngettext(
                "The ID token expired %(count)s second ago (allowed clock skew: %(leeway)s s).",
                "The ID token expired %(count)s seconds ago (allowed clock skew: %(leeway)s s).",
                ago,
            )
            % {"count": ago, "leeway": expected.leeway},
        )
    left = int(exp - now)
    trace_step(
        trace,
        _("Expiry"),
        ok=True,
        detail=ngettext(
            "Valid for %(count)s more second.", "Valid for %(count)s more seconds.", left
        )
        % {"count": left},
    )
    iat = _number(claims, "iat")
    if iat is None:
        raise _refuse(
            trace,
            _("Issued at"),
            SsoErrorCode.TOKEN_INVALID,
            _("The ID token does not say when it was issued (iat)."),
        )
    if iat > now + expected.leeway:
        ahead = int(iat - now)
        raise _refuse(
            trace,
            _("Issued at"),
            SsoErrorCode.CLOCK,
            ngettext(
                "The ID token claims to be issued %(count)s second in the future: the "
                "identity provider's clock and ours disagree.",
                "The ID token claims to be issued %(count)s seconds in the future: the "
                "identity provider's clock and ours disagree.",
                ahead,
            )
            % {"count": ahead},
        )
    age = int(now - iat)
    if now - iat > expected.max_age:
        raise _refuse(
            trace,
            _("Issued at"),
            SsoErrorCode.CLOCK,
            ngettext(
                "The ID token was issued %(count)s second ago; a sign-in accepts tokens up "
                "to %(max_age)s seconds old.",
                "The ID token was issued %(count)s seconds ago; a sign-in accepts tokens up "
                "to %(max_age)s seconds old.",
                age,
            )
            % {"count": age, "max_age": expected.max_age},
        )
    trace_step(
        trace,
        _("Issued at"),
        ok=True,
        detail=ngettext("%(count)s second ago.", "%(count)s seconds ago.", age) % {"count": age},
    )
    nbf = _number(claims, "nbf")
    if nbf is not None and now + expected.leeway < nbf:
        wait = int(nbf - now)
        raise _refuse(
            trace,
            _("Not before"),
            SsoErrorCode.CLOCK,
            ngettext(
                "The ID token is not valid for another %(count)s second.",
                "The ID token is not valid for another %(count)s seconds.",
                wait,
            )
            % {"count": wait},
        )


def id_token_verify(
    token: str,
    *,
    expected: TokenExpectations,
    keys_load: Callable[[], KeySet],
    keys_refresh: Callable[[], KeySet],
    trace: ConnectionTest | None = None,
    now: float | None = None,
) -> VerifiedIdToken:
    """The ID token's claims once every check passed; the first failing check refuses with
    its reason (SsoRefused)."""
    header, _unverified = _header_read(token, trace)
    alg = _algorithm_check(header, expected, trace)
    claims, jwk = _signature_check(token, header, alg, keys_load, keys_refresh, trace)
    _issuer_check(claims, expected, trace)
    _audience_check(claims, expected, trace)
    _times_check(claims, expected, time.time() if now is None else now, trace)
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise _refuse(
            trace, _("Subject"), SsoErrorCode.TOKEN_INVALID, _("The ID token names no subject.")
        )

    return VerifiedIdToken(claims=claims, header=header, key={**jwk, "alg": alg})
