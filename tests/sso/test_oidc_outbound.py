"""An OpenID provider cannot make Lectern's server call into the platform's own network.

A hostile issuer (a small HTTP server this test runs on 127.0.0.2, the only private address
admitted, as `idp.example.test` in the loopback DNS zone) publishes a discovery document
whose `jwks_uri`, `token_endpoint` or `userinfo_endpoint` points at loopback (a canary
server on 127.0.0.1 that records every request it gets), the cloud metadata address, or a
name resolving to 10.x. The sign-in is refused, audited with the field named, and the canary
gets no request. A name that passes when discovery is read and rebinds to loopback before the
token exchange or the key fetch is refused too (the fetch checks again, and connects to the
address it checked)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from django_tenants.utils import schema_context

from core.secret_box import secret_seal
from sso.models import IdentityProvider, ProviderKind
from tests.live import free_port
from tests.sso.idps.oidc import SigningKey, query_of
from tests.sso.oidc_support import assert_refused, login_start

HOSTILE_ADDRESS = "127.0.0.2"
CLIENT_ID = "lectern-tests"


class RecordingServer:
    """An HTTP server on `address` recording each request's path; GET answers `documents`
    by path, POST answers `post_answer`."""

    def __init__(self, address: str) -> None:
        self.port = free_port()
        self.requests: list[str] = []
        self.documents: dict[str, dict] = {}
        self.post_answer: dict = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(f"GET {self.path}")
                document = server.documents.get(self.path.split("?")[0])
                if document is None:
                    self.send_error(404)
                else:
                    self._send(document)

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                server.requests.append(f"POST {self.path}")
                self._send(server.post_answer)

            def _send(self, document: dict) -> None:
                body = json.dumps(document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer((address, self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def canary() -> Iterator[RecordingServer]:
    """Something on loopback an attacker wants Lectern to call."""
    server = RecordingServer("127.0.0.1")
    yield server
    server.stop()


@pytest.fixture
def hostile(settings, outbound_dns) -> Iterator[RecordingServer]:
    """The hostile issuer: `http://idp.example.test:<port>`, admitted by its address only."""
    settings.SSO_OUTBOUND_ALLOWLIST = [f"{HOSTILE_ADDRESS}/32"]
    outbound_dns.addresses["idp.example.test"] = [HOSTILE_ADDRESS]
    outbound_dns.addresses["intranet.example.test"] = ["10.0.0.7"]
    server = RecordingServer(HOSTILE_ADDRESS)
    server.origin = f"http://idp.example.test:{server.port}"
    server.documents["/.well-known/openid-configuration"] = {
        "issuer": server.origin,
        "authorization_endpoint": f"{server.origin}/auth",
        "token_endpoint": f"{server.origin}/token",
        "jwks_uri": f"{server.origin}/jwks",
        "id_token_signing_alg_values_supported": ["RS256"],
    }
    yield server
    server.stop()


@pytest.fixture
def provider(hostile, tenant_a, db) -> IdentityProvider:
    with schema_context(tenant_a.schema):
        return IdentityProvider.objects.create(
            slug="corp",
            name="Corp Login",
            kind=ProviderKind.OIDC,
            oidc_issuer=hostile.origin,
            oidc_client_id=CLIENT_ID,
            oidc_client_secret_sealed=secret_seal("a-client-secret"),
            oidc_scopes="openid email",
            attribute_mapping={"email": "email"},
        )


def _discovery_points(hostile: RecordingServer, field: str, url: str) -> None:
    hostile.documents["/.well-known/openid-configuration"][field] = url


def _target(url: str, canary: RecordingServer) -> str:
    return url.replace("CANARY", str(canary.port))


@pytest.mark.parametrize(
    ("field", "url", "reason"),
    [
        ("jwks_uri", "http://127.0.0.1:CANARY/jwks", "127.0.0.1 is a loopback address"),
        ("token_endpoint", "http://127.0.0.1:CANARY/token", "127.0.0.1 is a loopback address"),
        ("userinfo_endpoint", "http://127.0.0.1:CANARY/me", "127.0.0.1 is a loopback address"),
        ("jwks_uri", "http://[::ffff:127.0.0.1]:CANARY/jwks", "loopback address"),
        ("jwks_uri", "http://169.254.169.254/latest/meta-data/", "cloud metadata"),
        ("token_endpoint", "http://169.254.169.254/token", "cloud metadata"),
        ("token_endpoint", "http://intranet.example.test:CANARY/token", "10.0.0.7 is a private"),
        ("jwks_uri", "http://intranet.example.test:CANARY/jwks", "10.0.0.7 is a private"),
    ],
)
def test_a_discovery_document_pointing_inside_is_refused(
    hostile, canary, provider, tenant_a, client_a, field, url, reason
):
    _discovery_points(hostile, field, _target(url, canary))

    response = client_a.get("/sso/oidc/corp/login/")

    entry = assert_refused(client_a, response, tenant_a.schema, provider, "sso_metadata_invalid")
    assert f"discovery document's {field}" in entry.after["reason"]
    assert reason in entry.after["reason"]
    assert hostile.requests == ["GET /.well-known/openid-configuration"]
    assert canary.requests == []


@pytest.mark.parametrize(
    "issuer",
    [
        "http://127.0.0.1:CANARY",
        "http://intranet.example.test:CANARY",
        "http://169.254.169.254",
    ],
)
def test_an_issuer_inside_the_platform_is_not_fetched(
    hostile, canary, provider, tenant_a, client_a, issuer
):
    with schema_context(tenant_a.schema):
        IdentityProvider.objects.filter(pk=provider.pk).update(oidc_issuer=_target(issuer, canary))

    response = client_a.get("/sso/oidc/corp/login/")

    entry = assert_refused(client_a, response, tenant_a.schema, provider, "sso_metadata_invalid")
    assert "only public addresses" in entry.after["reason"]
    assert canary.requests == []


def test_a_token_endpoint_rebinding_to_loopback_after_discovery_is_not_called(
    hostile, canary, provider, outbound_dns, tenant_a, client_a
):
    # When discovery is read the token endpoint's name resolves to the admitted address...
    outbound_dns.addresses["token.example.test"] = [HOSTILE_ADDRESS]
    _discovery_points(hostile, "token_endpoint", f"http://token.example.test:{canary.port}/t")
    authorization = query_of(login_start(client_a, "corp"))
    # ...and to loopback, where the canary listens, when the code is exchanged.
    outbound_dns.addresses["token.example.test"] = ["127.0.0.1"]

    response = client_a.get(
        "/sso/oidc/corp/callback/", {"code": "a-code", "state": authorization["state"]}
    )

    entry = assert_refused(client_a, response, tenant_a.schema, provider, "sso_metadata_invalid")
    assert "127.0.0.1 is a loopback address" in entry.after["reason"]
    assert canary.requests == []


def test_a_key_set_rebinding_to_loopback_after_discovery_is_not_fetched(
    hostile, canary, provider, outbound_dns, tenant_a, client_a
):
    outbound_dns.addresses["keys.example.test"] = [HOSTILE_ADDRESS]
    _discovery_points(hostile, "jwks_uri", f"http://keys.example.test:{canary.port}/jwks")
    authorization = query_of(login_start(client_a, "corp"))
    outbound_dns.addresses["keys.example.test"] = ["127.0.0.1"]
    now = int(time.time())
    claims = {
        "iss": hostile.origin,
        "sub": "eve-1",
        "aud": CLIENT_ID,
        "exp": now + 300,
        "iat": now,
        "nonce": authorization["nonce"],
    }
    key = SigningKey.make("key-1")
    token = jwt.encode(claims, key.private, algorithm="RS256", headers={"kid": key.kid})
    hostile.post_answer = {"access_token": "at", "token_type": "Bearer", "id_token": token}

    response = client_a.get(
        "/sso/oidc/corp/callback/", {"code": "a-code", "state": authorization["state"]}
    )

    entry = assert_refused(client_a, response, tenant_a.schema, provider, "sso_metadata_invalid")
    assert "127.0.0.1 is a loopback address" in entry.after["reason"]
    assert "POST /token" in hostile.requests  # the exchange went to the admitted issuer
    assert canary.requests == []
