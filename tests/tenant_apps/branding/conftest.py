"""A DNS server on loopback for the custom-domain tests (dnslib), never the internet, and
the resolver pointed at it."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from dnslib import QTYPE, RCODE, RR, TXT
from dnslib.server import BaseResolver, DNSLogger, DNSServer
from PIL import Image


@dataclass
class Zone(BaseResolver):
    """TXT records by name; a name in `empty` exists with no TXT record; any other name is
    NXDOMAIN."""

    txt: dict[str, list[str]] = field(default_factory=dict)
    empty: set[str] = field(default_factory=set)

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        if name in self.txt and request.q.qtype == QTYPE.TXT:
            for value in self.txt[name]:
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(value), ttl=60))
        elif name not in self.txt and name not in self.empty:
            reply.header.rcode = RCODE.NXDOMAIN
        return reply


@pytest.fixture
def dns_zone(settings) -> Iterator[Zone]:
    """A DNS server on 127.0.0.1 (a free port) answering from the returned zone; the
    resolver of custom-domain verification asks it."""
    zone = Zone()
    server = DNSServer(
        zone,
        address="127.0.0.1",
        port=0,
        logger=DNSLogger("-request,-reply,-truncated,-error,-recv,-send,-data"),
    )
    server.start_thread()
    settings.CUSTOM_DOMAIN_NAMESERVER = "127.0.0.1"
    settings.CUSTOM_DOMAIN_NAMESERVER_PORT = server.server.server_address[1]
    settings.CUSTOM_DOMAIN_DNS_TIMEOUT = 2.0
    yield zone
    server.stop()
    server.server.server_close()


@pytest.fixture
def silent_dns(settings) -> Iterator[None]:
    """A loopback UDP port that never answers: every lookup times out (quickly)."""
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    settings.CUSTOM_DOMAIN_NAMESERVER = "127.0.0.1"
    settings.CUSTOM_DOMAIN_NAMESERVER_PORT = sink.getsockname()[1]
    settings.CUSTOM_DOMAIN_DNS_TIMEOUT = 0.5
    yield
    sink.close()


def image_file(kind: str = "PNG", name: str | None = None, size=(40, 20)) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, kind)
    buffer.seek(0)
    buffer.name = name or f"image.{kind.lower()}"
    return buffer


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script></svg>"
)


def svg_file(name: str = "logo.svg") -> io.BytesIO:
    buffer = io.BytesIO(SVG)
    buffer.name = name
    return buffer


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    """Uploaded images land in the test's own folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
