"""Every request the SSO wing sends to an address a tenant admin typed, or that a provider's
discovery document names (SAML metadata; OIDC discovery, key set, token, UserInfo; a plain
OAuth 2 provider's API), goes through core.outbound: public addresses only, resolved once
and connected to the very address checked, no redirects followed, no proxies.

Besides public addresses, settings admit: every address under `SSO_DEVELOPMENT_URLS`
(development only), and the networks of `SSO_OUTBOUND_ALLOWLIST` (CIDRs; tests and
development put an identity provider on loopback there)."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from core.addresses import AddressRefused, Network, host_addresses_checked, networks
from core.outbound import pinned_stream


class AnswerTooLarge(Exception):
    """The answer was longer than the caller accepts."""


@dataclass(frozen=True)
class Answer:
    """A whole HTTP answer, read within the size limit."""

    status_code: int
    headers: httpx.Headers
    content: bytes
    url: str


def allowed_networks() -> list[Network]:
    """The non-public networks an SSO request may reach under this deployment's settings."""
    if getattr(settings, "SSO_DEVELOPMENT_URLS", False):
        return networks(["0.0.0.0/0", "::/0"])
    return networks(getattr(settings, "SSO_OUTBOUND_ALLOWLIST", ()) or ())


def address_problem(url: str) -> str | None:
    """Why Lectern will not fetch from `url`'s host (it is, or resolves to, an address of
    this platform's own network), or None. A host that does not resolve now is not refused
    here: every fetch checks again."""
    try:
        parts = urlsplit(url)
        port = parts.port or (80 if parts.scheme.lower() == "http" else 443)
    except ValueError:
        return _("The address is not a valid URL.")
    if not parts.hostname:
        return _("Give an http:// or https:// address with a host name.")
    try:
        host_addresses_checked(parts.hostname, port, allowed_networks())
    except AddressRefused as exc:
        if isinstance(exc.__cause__, socket.gaierror | UnicodeError | ValueError):
            return None
        return exc.reason
    return None


def fetch(
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
    timeout: float | tuple[float, float] = 5.0,
    max_bytes: int = 1_000_000,
) -> Answer:
    """`url`'s whole answer, fetched from the address that was checked. Raises
    AddressRefused before connecting, httpx.HTTPError on the way, AnswerTooLarge."""
    with pinned_stream(
        method,
        url,
        allowed=allowed_networks(),
        headers=headers,
        content=content,
        timeout=timeout,
    ) as response:
        body = b""
        for chunk in response.iter_bytes(64 * 1024):
            body += chunk
            if len(body) > max_bytes:
                raise AnswerTooLarge(url)
        return Answer(
            status_code=response.status_code, headers=response.headers, content=body, url=url
        )
