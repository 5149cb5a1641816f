"""Fetching a URL an admin or partner named, pinned to the address that was checked.

The host is resolved once (core.addresses), every address it has is checked, and the
connection goes to the first of them: the request URL names that IP, while the `Host`
header and the TLS server name (SNI, and the name the certificate is checked against) name
the host. A DNS answer that changes between check and connect (rebinding) is never used.
Redirects are not followed and proxies from the environment are not used."""

from __future__ import annotations

import ssl
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

import httpx
from django.utils.translation import gettext as _

from core.addresses import AddressRefused, IPAddress, Network, host_addresses_checked

DEFAULT_PORTS = {"https": 443, "http": 80}


@dataclass(frozen=True)
class PinnedDestination:
    """Where a request goes: `address` (checked), saying `host` in Host and SNI."""

    scheme: str
    host: str
    port: int
    address: IPAddress
    path: str  # path and query, as sent in the request line

    @property
    def url(self) -> str:
        """The request URL naming the checked address itself."""
        address = str(self.address)
        if self.address.version == 6:
            address = f"[{address}]"
        return f"{self.scheme}://{address}:{self.port}{self.path}"

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host  # an IPv6 literal
        return host if self.port == DEFAULT_PORTS.get(self.scheme) else f"{host}:{self.port}"

    @property
    def extensions(self) -> dict[str, str]:
        """httpx request extensions: the TLS server name the certificate must match."""
        return {"sni_hostname": self.host} if self.scheme == "https" else {}


def destination_pinned(url: str, allowed: Iterable[Network] = ()) -> PinnedDestination:
    """Resolve `url`'s host once and check every address (AddressRefused names the first
    problem); the destination to connect to."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise AddressRefused(_("The address is not a valid URL.")) from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise AddressRefused(_("Give an http:// or https:// address with a host name."))
    port = port or DEFAULT_PORTS[scheme]
    addresses = host_addresses_checked(parts.hostname, port, allowed)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return PinnedDestination(
        scheme=scheme, host=parts.hostname, port=port, address=addresses[0], path=path
    )


@cache
def system_trust() -> ssl.SSLContext:
    """The certificate authorities httpx trusts by default, loaded once per process:
    loading them takes about 20 ms, more than a whole request to a nearby provider."""
    return httpx.create_ssl_context()


@contextmanager
def pinned_stream(
    method: str,
    url: str,
    *,
    allowed: Iterable[Network] = (),
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
    auth: httpx.Auth | None = None,
    timeout: float | tuple[float, float] = 30.0,
    trusted: ssl.SSLContext | None = None,
) -> Iterator[httpx.Response]:
    """A streamed answer from `url`, connected to the checked address only; `content` is
    the request body; `timeout` in seconds, or (connect, read); `trusted` replaces the
    system's certificate authorities (tests). Raises AddressRefused before connecting,
    httpx.HTTPError on the way."""
    if isinstance(timeout, tuple):
        timeout = httpx.Timeout(timeout[1], connect=timeout[0])
    destination = destination_pinned(url, allowed)
    client = httpx.Client(
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
        verify=trusted if trusted is not None else system_trust(),
    )
    with (
        client,
        client.stream(
            method,
            destination.url,
            headers={**(headers or {}), "Host": destination.host_header},
            content=content,
            auth=auth,
            extensions=destination.extensions,
        ) as response,
    ):
        yield response
