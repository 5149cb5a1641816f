"""The pinned fetch (core.outbound): a host is resolved once through the loopback DNS
server, every address is checked, and the connection goes to the checked address with the
host in the Host header; a name resolving to a private address is refused unconnected."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.addresses import AddressRefused, networks
from core.outbound import destination_pinned, pinned_stream


class _Seen(BaseHTTPRequestHandler):
    hosts: list[str] = []

    def do_GET(self) -> None:
        _Seen.hosts.append(self.headers.get("Host", ""))
        body = b"email\nada@example.com\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def loopback_server() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Seen)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Seen.hosts = []
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("addresses", "reason"),
    [
        (["10.0.0.7"], "10.0.0.7 is a private address"),
        (["93.184.215.14", "127.0.0.1"], "127.0.0.1 is a loopback address"),
        (["169.254.169.254"], "cloud metadata"),
        (["fd00::1"], "fd00::1 is a private address"),
    ],
)
def test_a_name_resolving_to_a_private_address_is_refused(outbound_dns, addresses, reason):
    outbound_dns.addresses["intranet.example.test"] = addresses
    with (
        pytest.raises(AddressRefused) as refused,
        pinned_stream("GET", "https://intranet.example.test/people.csv"),
    ):
        pass
    assert reason in refused.value.reason
    assert refused.value.reason.startswith("intranet.example.test resolves to ")


def test_an_unknown_name_is_refused(outbound_dns):
    with pytest.raises(AddressRefused) as refused:
        destination_pinned("https://nowhere.example.test/")
    assert refused.value.reason == "nowhere.example.test does not resolve to an address."


def test_the_fetch_connects_to_the_address_checked_and_resolves_once(outbound_dns, loopback_server):
    outbound_dns.addresses["hr.example.test"] = ["127.0.0.1"]
    url = f"http://hr.example.test:{loopback_server}/people.csv?day=1"
    destination = destination_pinned(url, networks(["127.0.0.0/8"]))
    assert destination.url == f"http://127.0.0.1:{loopback_server}/people.csv?day=1"
    assert destination.host_header == f"hr.example.test:{loopback_server}"
    outbound_dns.asked.clear()
    # The machine's own resolver does not know hr.example.test: only a connection to the
    # checked address (no second lookup) reaches the server.
    with pinned_stream("GET", url, allowed=networks(["127.0.0.0/8"])) as response:
        assert response.status_code == 200
        assert response.read() == b"email\nada@example.com\n"
    assert outbound_dns.asked["hr.example.test"] == 1
    assert _Seen.hosts == [f"hr.example.test:{loopback_server}"]


def test_https_names_the_host_for_the_certificate_check(outbound_dns):
    outbound_dns.addresses["idp.example.test"] = ["93.184.215.14"]
    destination = destination_pinned("https://idp.example.test/metadata")
    assert destination.url == "https://93.184.215.14:443/metadata"
    assert destination.host_header == "idp.example.test"
    assert destination.extensions == {"sni_hostname": "idp.example.test"}
