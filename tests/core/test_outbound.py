"""The pinned fetch (core.outbound): a host is resolved once through the loopback DNS
server, every address is checked, and the connection goes to the checked address with the
host in the Host header; a name resolving to a private address is refused unconnected."""

from __future__ import annotations

import datetime
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from core.addresses import AddressRefused, networks
from core.outbound import destination_pinned, pinned_stream


class _Seen(BaseHTTPRequestHandler):
    hosts: list[str] = []
    bodies: list[bytes] = []

    def do_POST(self) -> None:
        _Seen.bodies.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        self.do_GET()

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
    _Seen.bodies = []
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


def test_a_request_body_is_sent_to_the_checked_address(outbound_dns, loopback_server):
    outbound_dns.addresses["idp.example.test"] = ["127.0.0.1"]
    url = f"http://idp.example.test:{loopback_server}/token"
    with pinned_stream(
        "POST",
        url,
        allowed=networks(["127.0.0.1/32"]),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        content=b"grant_type=authorization_code&code=abc",
    ) as response:
        assert response.status_code == 200
    assert _Seen.bodies == [b"grant_type=authorization_code&code=abc"]
    assert _Seen.hosts == [f"idp.example.test:{loopback_server}"]


def test_https_names_the_host_for_the_certificate_check(outbound_dns):
    outbound_dns.addresses["idp.example.test"] = ["93.184.215.14"]
    destination = destination_pinned("https://idp.example.test/metadata")
    assert destination.url == "https://93.184.215.14:443/metadata"
    assert destination.host_header == "idp.example.test"
    assert destination.extensions == {"sni_hostname": "idp.example.test"}


def _certificate(name: str) -> tuple[bytes, bytes]:
    """A self-signed certificate for `name` (PEM) and its key (PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return (
        certificate.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


@pytest.fixture
def tls_server(tmp_path) -> Iterator[tuple[int, bytes]]:
    """An HTTPS server on loopback whose certificate names idp.example.test."""
    certificate, key = _certificate("idp.example.test")
    (tmp_path / "cert.pem").write_bytes(certificate)
    (tmp_path / "key.pem").write_bytes(key)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Seen)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Seen.hosts = []
    _Seen.bodies = []
    yield server.server_address[1], certificate
    server.shutdown()
    server.server_close()


def test_tls_is_checked_against_the_host_name_not_the_address(outbound_dns, tls_server):
    port, certificate = tls_server
    trusted = ssl.create_default_context(cadata=certificate.decode())
    loopback = networks(["127.0.0.0/8"])
    outbound_dns.addresses["idp.example.test"] = ["127.0.0.1"]
    outbound_dns.addresses["other.example.test"] = ["127.0.0.1"]
    url = f"https://idp.example.test:{port}/metadata"
    with pinned_stream("GET", url, allowed=loopback, trusted=trusted) as response:
        assert response.status_code == 200
    assert _Seen.hosts == [f"idp.example.test:{port}"]
    # The same server under a name its certificate does not carry: refused.
    other = f"https://other.example.test:{port}/metadata"
    with (
        pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
        pinned_stream("GET", other, allowed=loopback, trusted=trusted),
    ):
        pass
