"""Where a webhook may be sent: never to this platform's own network. A destination is
refused when any address its host resolves to is private, loopback, link-local, shared
(CGNAT), multicast, reserved or a cloud metadata address — checked when an endpoint is saved
and again at every delivery, which then connects to the very address checked (no DNS
rebinding between check and connect). `WEBHOOK_DESTINATION_ALLOWLIST` (CIDR networks)
admits such addresses for development and tests; `WEBHOOK_ALLOW_HTTP` admits http URLs."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Addresses the ipaddress flags do not all cover: cloud metadata services and shared space.
_ALWAYS_REFUSED = tuple(
    ipaddress.ip_network(network)
    for network in (
        "169.254.169.254/32",  # AWS, GCP, Azure, OpenStack metadata
        "fd00:ec2::254/128",  # AWS metadata over IPv6
        "100.64.0.0/10",  # carrier-grade NAT (shared address space)
        "192.0.0.0/24",  # IETF protocol assignments
        "198.18.0.0/15",  # benchmarking
        "0.0.0.0/8",
    )
)


class DestinationRefused(Exception):
    """A webhook URL Lectern will not send to; `reason` says why in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Destination:
    """A checked destination: connect to `address` (one of those the host resolved to, all
    of which passed), sending `host` as the Host header and TLS server name."""

    scheme: str
    host: str
    port: int
    address: IPAddress
    path: str  # path and query, as sent in the request line


def _allowlist() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = getattr(settings, "WEBHOOK_DESTINATION_ALLOWLIST", ()) or ()
    return [ipaddress.ip_network(network, strict=False) for network in networks]


def address_refusal(address: IPAddress) -> str | None:
    """Why `address` may not receive webhooks, or None."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if any(address in network for network in _allowlist()):
        return None
    if any(address in network for network in _ALWAYS_REFUSED):
        return _("%(address)s is a cloud metadata or reserved address") % {"address": address}
    for flag, words in (
        ("is_loopback", _("%(address)s is a loopback address")),
        ("is_private", _("%(address)s is a private address")),
        ("is_link_local", _("%(address)s is a link-local address")),
        ("is_multicast", _("%(address)s is a multicast address")),
        ("is_reserved", _("%(address)s is a reserved address")),
        ("is_unspecified", _("%(address)s is an unspecified address")),
    ):
        if getattr(address, flag):
            return words % {"address": address}
    if not address.is_global:
        return _("%(address)s is not a public address") % {"address": address}
    return None


def url_shape_refusal(url: str) -> str | None:
    """Why `url` cannot be an endpoint on its face (scheme, host, credentials), or None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return _("The URL is not valid.")
    allowed = {"https", "http"} if getattr(settings, "WEBHOOK_ALLOW_HTTP", False) else {"https"}
    if parts.scheme not in allowed:
        return _("The URL must start with https://.")
    if not parts.hostname:
        return _("The URL has no host name.")
    if parts.username or parts.password:
        return _("Put credentials in a custom header, not in the URL.")
    if port is not None and not 0 < port < 65536:
        return _("The URL's port is not valid.")
    return None


def destination_resolve(url: str) -> Destination:
    """Check `url` and every address its host resolves to; the destination to connect to.
    Raises DestinationRefused naming the first problem."""
    problem = url_shape_refusal(url)
    if problem:
        raise DestinationRefused(problem)
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise DestinationRefused(
                _("%(host)s does not resolve to an address.") % {"host": host}
            ) from exc
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
        if not addresses:
            raise DestinationRefused(_("%(host)s does not resolve to an address.") % {"host": host})
    for address in addresses:
        refusal = address_refusal(address)
        if refusal:
            raise DestinationRefused(
                _("%(host)s resolves to %(refusal)s; webhooks go to public hosts.")
                % {"host": host, "refusal": refusal}
            )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Destination(scheme=parts.scheme, host=host, port=port, address=addresses[0], path=path)
