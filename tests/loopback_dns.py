"""A DNS server on loopback (dnslib) answering A and AAAA queries from a table, never the
internet, with the resolver of core.addresses pointed at it (OUTBOUND_DNS_NAMESERVER). The
machine's own resolver does not know these names: a client that looked a name up again
itself, instead of connecting to the checked address, would fail."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from dnslib import AAAA, QTYPE, RCODE, RR, A
from dnslib.server import BaseResolver, DNSLogger, DNSServer


@dataclass
class AddressZone(BaseResolver):
    """Addresses by name (IPv4 and IPv6 mixed); every other name is NXDOMAIN. `asked`
    counts the A queries per name."""

    addresses: dict[str, list[str]] = field(default_factory=dict)
    asked: Counter = field(default_factory=Counter)

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        if name not in self.addresses:
            reply.header.rcode = RCODE.NXDOMAIN
            return reply
        if request.q.qtype == QTYPE.A:
            self.asked[name] += 1
        for address in self.addresses[name]:
            if ":" in address and request.q.qtype == QTYPE.AAAA:
                reply.add_answer(RR(request.q.qname, QTYPE.AAAA, rdata=AAAA(address), ttl=0))
            elif ":" not in address and request.q.qtype == QTYPE.A:
                reply.add_answer(RR(request.q.qname, QTYPE.A, rdata=A(address), ttl=0))
        return reply


@pytest.fixture
def outbound_dns(settings) -> Iterator[AddressZone]:
    """The zone every outbound host name is resolved in during the test."""
    zone = AddressZone()
    server = DNSServer(
        zone,
        address="127.0.0.1",
        port=0,
        logger=DNSLogger("-request,-reply,-truncated,-error,-recv,-send,-data"),
    )
    server.start_thread()
    settings.OUTBOUND_DNS_NAMESERVER = "127.0.0.1"
    settings.OUTBOUND_DNS_NAMESERVER_PORT = server.server.server_address[1]
    yield zone
    server.stop()
    server.server.server_close()
