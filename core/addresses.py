"""Whether Lectern may reach out to a host an admin or partner named (webhook endpoints, an
IdP's metadata, an HR export): never to this platform's own network. A host is refused when
any address it resolves to is private, loopback, link-local, shared (CGNAT), multicast,
reserved or a cloud metadata address; callers pass the networks their settings admit for
development and tests.

Names are resolved by the machine's resolver, or by the nameserver `OUTBOUND_DNS_NAMESERVER`
(port `OUTBOUND_DNS_NAMESERVER_PORT`) when set: tests point it at a DNS server on loopback.
Connect only to an address this module checked (core.outbound does)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

import dns.exception
import dns.resolver
from django.conf import settings
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


def _resolved(host: str, port: int) -> list[IPAddress]:
    """Every address of `host` (A and AAAA), in the resolver's order; raises OSError-like
    socket.gaierror when it has none."""
    nameserver = getattr(settings, "OUTBOUND_DNS_NAMESERVER", "")
    if not nameserver:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        return list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [nameserver]
    resolver.port = int(getattr(settings, "OUTBOUND_DNS_NAMESERVER_PORT", 53))
    resolver.timeout = resolver.lifetime = 5.0
    found: list[IPAddress] = []
    for record_type in ("A", "AAAA"):
        try:
            answer = resolver.resolve(host, record_type, search=False)
        except (dns.resolver.NoAnswer, dns.resolver.NXDOMAIN):
            continue
        except (dns.exception.DNSException, OSError) as exc:
            raise socket.gaierror(str(exc)) from exc
        found.extend(ipaddress.ip_address(record.address) for record in answer)
    if not found:
        raise socket.gaierror(f"{host} has no address")
    return list(dict.fromkeys(found))


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
            addresses = _resolved(host, port)
        except (socket.gaierror, UnicodeError, ValueError) as exc:
            raise AddressRefused(
                _("%(host)s does not resolve to an address.") % {"host": host}
            ) from exc
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
