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
            "ID token decoded",
            SsoErrorCode.TOKEN_INVALID,
            f"The ID token is not a readable JWT ({exc}).",
        ) from exc
    if not isinstance(unverified, dict):
        raise _refuse(
            trace, "ID token decoded", SsoErrorCode.TOKEN_INVALID, "The ID token has no claims."
        )
    trace_step(trace, "ID token header (decoded, not yet trusted)", ok=None, data=header)
    trace_step(trace, "ID token claims (decoded, not yet trusted)", ok=None, data=unverified)
    return header, unverified


def _algorithm_check(header: dict, expected: TokenExpectations, trace) -> str:
    title = "Signature algorithm"
    alg = header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none":
        raise _refuse(
            trace,
            title,
            SsoErrorCode.SIGNATURE_INVALID,
            "The ID token is not signed (alg: none). Lectern accepts only tokens signed "
            "with the identity provider's published keys.",
        )
    if alg.upper().startswith("HS"):
        raise _refuse(
            trace,
            title,
            SsoErrorCode.SIGNATURE_INVALID,
            f"The ID token is signed with a shared secret ({alg}). Anyone holding the "
            "client secret could make such a token, so Lectern accepts only the identity "
            "provider's public-key signatures (RS256, PS256, ES256, ...).",
        )
    if alg not in ASYMMETRIC_ALGORITHMS or alg not in expected.algorithms:
        raise _refuse(
            trace,
            title,
            SsoErrorCode.SIGNATURE_INVALID,
            f"The ID token is signed with {alg}, which is not among the algorithms the "
            f"provider's discovery document advertises and Lectern accepts "
            f"({', '.join(expected.algorithms) or 'none'}).",
        )
    trace_step(trace, title, ok=True, detail=f"{alg}, advertised by the provider.")
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
            "Signing key lookup",
            ok=None,
            detail=f"The cached key set has no key {kid!r}; fetching the provider's JWKS "
            "again (it may have rotated its keys).",
        )
        keyset = keys_refresh()
        candidates = keyset.key_for(kid)
    if not candidates:
        raise _refuse(
            trace,
            "Signing key lookup",
            SsoErrorCode.SIGNATURE_INVALID,
            f"The ID token was signed with the key {kid!r}, which the identity provider "
            "does not publish in its JWKS.",
            data={"published_kids": [key.get("kid") for key in keyset.keys]},
        )
    trace_step(
        trace,
        "Signing key lookup",
        ok=True,
        detail=f"Key {kid!r} found in the provider's JWKS"
        + (" (cached)." if keyset.from_cache else " (fetched)."),
    )
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
                "Signature",
                SsoErrorCode.SIGNATURE_INVALID,
                f"The ID token's signature could not be checked ({exc}).",
            ) from exc
        trace_step(trace, "Signature", ok=True, detail=f"Valid {alg} signature.")
        return claims, jwk
    raise _refuse(
        trace,
        "Signature",
        SsoErrorCode.SIGNATURE_INVALID,
        "The ID token's signature does not match the identity provider's key: it was "
        "altered or signed by someone else.",
    )


def _issuer_check(claims: dict, expected: TokenExpectations, trace) -> None:
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or issuer_normalised(issuer) != issuer_normalised(
        expected.issuer
    ):
        raise _refuse(
            trace,
            "Issuer",
            SsoErrorCode.ISSUER_UNKNOWN,
            f"The ID token was issued by {issuer!r}, not by this identity provider "
            f"({expected.issuer!r}).",
        )
    trace_step(trace, "Issuer", ok=True, detail=f"{issuer}, as configured.")


def _audience_check(claims: dict, expected: TokenExpectations, trace) -> None:
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or expected.client_id not in audiences:
        raise _refuse(
            trace,
            "Audience",
            SsoErrorCode.AUDIENCE_WRONG,
            f"The ID token is meant for {audience!r}, not for Lectern's client id "
            f"{expected.client_id!r}.",
        )
    azp = claims.get("azp")
    if (len(audiences) > 1 and azp is None) or (azp is not None and azp != expected.client_id):
        raise _refuse(
            trace,
            "Audience",
            SsoErrorCode.AUDIENCE_WRONG,
            f"The ID token names several audiences and its authorised party (azp) is "
            f"{azp!r}, not Lectern's client id {expected.client_id!r}.",
        )
    trace_step(trace, "Audience", ok=True, detail=f"Issued for {expected.client_id}.")


def _number(claims: dict, name: str) -> float | None:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _times_check(claims: dict, expected: TokenExpectations, now: float, trace) -> None:
    exp = _number(claims, "exp")
    if exp is None:
        raise _refuse(
            trace, "Expiry", SsoErrorCode.TOKEN_INVALID, "The ID token has no expiry (exp)."
        )
    if now > exp + expected.leeway:
        raise _refuse(
            trace,
            "Expiry",
            SsoErrorCode.CLOCK,
            f"The ID token expired {int(now - exp)} seconds ago (allowed clock skew: "
            f"{expected.leeway} s).",
        )
    trace_step(trace, "Expiry", ok=True, detail=f"Valid for {int(exp - now)} more seconds.")
    iat = _number(claims, "iat")
    if iat is None:
        raise _refuse(
            trace,
            "Issued at",
            SsoErrorCode.TOKEN_INVALID,
            "The ID token does not say when it was issued (iat).",
        )
    if iat > now + expected.leeway:
        raise _refuse(
            trace,
            "Issued at",
            SsoErrorCode.CLOCK,
            f"The ID token claims to be issued {int(iat - now)} seconds in the future: the "
            "identity provider's clock and ours disagree.",
        )
    if now - iat > expected.max_age:
        raise _refuse(
            trace,
            "Issued at",
            SsoErrorCode.CLOCK,
            f"The ID token was issued {int(now - iat)} seconds ago; a sign-in accepts "
            f"tokens up to {expected.max_age} seconds old.",
        )
    trace_step(trace, "Issued at", ok=True, detail=f"{int(now - iat)} seconds ago.")
    nbf = _number(claims, "nbf")
    if nbf is not None and now + expected.leeway < nbf:
        raise _refuse(
            trace,
            "Not before",
            SsoErrorCode.CLOCK,
            f"The ID token is not valid for another {int(nbf - now)} seconds.",
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
            trace, "Subject", SsoErrorCode.TOKEN_INVALID, "The ID token names no subject."
        )
    return VerifiedIdToken(claims=claims, header=header, key={**jwk, "alg": alg})
