"""Whether Lectern may reach out to a host an admin or partner named (webhook endpoints, an
IdP's metadata, an HR export): never to this platform's own network. A host is refused when
any address it resolves to is private, loopback, link-local, shared (CGNAT), multicast,
reserved or a cloud metadata address; callers pass the networks their settings admit for
development and tests."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

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


class AddressRefused(Exception):
    """A host Lectern will not connect to; `reason` says why in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def networks(cidrs: Iterable[str]) -> list[Network]:
    return [ipaddress.ip_network(cidr, strict=False) for cidr in cidrs or ()]


def address_refusal(address: IPAddress, allowed: Iterable[Network] = ()) -> str | None:
    """Why `address` may not be reached, or None (also when one of `allowed` holds it)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if any(address in network for network in allowed):
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


def host_addresses_checked(
    host: str, port: int, allowed: Iterable[Network] = ()
) -> list[IPAddress]:
    """Every address `host` resolves to, all of them checked; raises AddressRefused naming
    the first problem (or a host that does not resolve). Connect to one of these, never
    resolve again (no DNS rebinding between check and connect)."""
    allowed = list(allowed)
    try:
        addresses: list[IPAddress] = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError, ValueError) as exc:
            raise AddressRefused(
                _("%(host)s does not resolve to an address.") % {"host": host}
            ) from exc
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
    if not addresses:
        raise AddressRefused(_("%(host)s does not resolve to an address.") % {"host": host})
    for address in addresses:
        refusal = address_refusal(address, allowed)
        if refusal:
            raise AddressRefused(
                _("%(host)s resolves to %(refusal)s; only public hosts are reached.")
                % {"host": host, "refusal": refusal}
            )
    return addresses
