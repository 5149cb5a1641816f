"""Attacks on the OpenID Connect sign-in; each is refused with no session, and audited.

`state` mismatch and replayed codes run against the real `oidc-provider` process end to end.
Tokens the real provider will not mint (wrong audience, wrong nonce, expired, signed with an
unknown key, `alg: none`, HS256 with the client secret, a tampered signature) come from an
attacker's server the test runs (`AttackersServer`): its discovery document is a copy of
the real provider's with the attacker's origin as issuer and its own token endpoint, while
the key set (`jwks_uri`) is still the real provider's. The attacker signs with the real
provider's private key — which this test generated and handed to the provider — so that
each token fails exactly the one check it is built to fail, and a well-made token from the
same server is accepted (`test_a_proper_token_from_the_same_server_is_accepted`)."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django_tenants.utils import schema_context

from tenant_apps.people.models import User
from tests.live import free_port
from tests.sso.idps.oidc import OidcProviderProcess, SigningKey, query_of, sign_in_at_provider
from tests.sso.oidc_support import (
    assert_refused,
    callback_for,
    callback_send,
    login_start,
    provider_row,
    signed_in_user_id,
)

# The provider serves on 127.0.0.1, admitted by name (SSO_OUTBOUND_ALLOWLIST).
pytestmark = pytest.mark.usefixtures("oidc_on_loopback")


@pytest.fixture(scope="module")
def idp(tmp_path_factory) -> Iterator[OidcProviderProcess]:
    process = OidcProviderProcess(
        workdir=tmp_path_factory.mktemp("oidc-provider"),
        redirect_uris=[callback_for("alpha.localhost", "corp")],
    ).start()
    process.account_set("eve-1", email="eve@corp.example", email_verified=True, name="Eve")
    yield process
    process.stop()


class AttackersServer:
    """An attacker's OpenID endpoint: discovery copied from the real provider (issuer and
    token endpoint its own, JWKS the real provider's), a token endpoint answering whatever
    ID token the test builds for the nonce of the sign-in under way."""

    def __init__(self, real: OidcProviderProcess) -> None:
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        document = real.discovery()
        document.update(issuer=self.origin, token_endpoint=f"{self.origin}/token")
        document.pop("userinfo_endpoint", None)
        self.discovery = document
        self.token_answer: Callable[[], bytes] = lambda: b"{}"
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    self._send(json.dumps(server.discovery).encode())
                else:
                    self.send_error(404)

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self._send(server.token_answer())

            def _send(self, body: bytes) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def answer_id_token(self, token: str) -> None:
        body = {"access_token": "attacker-access-token", "token_type": "Bearer"}
        self.token_answer = lambda: json.dumps({**body, "id_token": token}).encode()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def attacker(idp) -> Iterator[AttackersServer]:
    server = AttackersServer(idp)
    yield server
    server.stop()


def _claims(attacker: AttackersServer, idp: OidcProviderProcess, nonce: str, **changes) -> dict:
    now = int(time.time())
    claims = {
        "iss": attacker.origin,
        "sub": "eve-1",
        "aud": idp.client_id,
        "exp": now + 300,
        "iat": now,
        "nonce": nonce,
        "email": "eve@corp.example",
        "email_verified": True,
    }
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


def _signed(claims: dict, key: SigningKey, alg: str = "RS256") -> str:
    return jwt.encode(claims, key.private, algorithm=alg, headers={"kid": key.kid})


def _attempt(client: Client, attacker: AttackersServer, build_token: Callable[[str], str]):
    """Start a sign-in, let the attacker's token endpoint answer `build_token(nonce)`, and
    send the browser to our callback with a code and the right state."""
    authorization = query_of(login_start(client, "corp"))
    attacker.answer_id_token(build_token(authorization["nonce"]))
    return client.get(
        "/sso/oidc/corp/callback/", {"code": "code-from-nowhere", "state": authorization["state"]}
    )


@pytest.fixture
def attacked(idp, attacker, tenant_a, db):
    return provider_row(tenant_a.schema, idp, issuer=attacker.origin)


def _nobody_created(tenant_a) -> None:
    with schema_context(tenant_a.schema):
        assert not User.objects.filter(email="eve@corp.example").exists()


def test_a_proper_token_from_the_same_server_is_accepted(idp, attacker, attacked, tenant_a):
    client = Client(HTTP_HOST=tenant_a.host)
    response = _attempt(
        client, attacker, lambda nonce: _signed(_claims(attacker, idp, nonce), idp.keys[0])
    )
    assert response["Location"] == "/"
    assert signed_in_user_id(client, tenant_a.schema) is not None


def test_a_wrong_nonce_is_refused(idp, attacker, attacked, tenant_a, client_a):
    response = _attempt(
        client_a,
        attacker,
        lambda nonce: _signed(_claims(attacker, idp, "a-nonce-of-another-sign-in"), idp.keys[0]),
    )
    assert_refused(client_a, response, tenant_a.schema, attacked, "sso_nonce_mismatch")
    _nobody_created(tenant_a)


def test_a_token_for_another_client_is_refused(idp, attacker, attacked, tenant_a, client_a):
    response = _attempt(
        client_a,
        attacker,
        lambda nonce: _signed(_claims(attacker, idp, nonce, aud="another-app"), idp.keys[0]),
    )
    entry = assert_refused(client_a, response, tenant_a.schema, attacked, "sso_audience_wrong")
    assert "'another-app'" in entry.after["reason"]
    _nobody_created(tenant_a)


def test_several_audiences_without_us_as_authorised_party_are_refused(
    idp, attacker, attacked, tenant_a, client_a
):
    response = _attempt(
        client_a,
        attacker,
        lambda nonce: _signed(
            _claims(attacker, idp, nonce, aud=[idp.client_id, "other"], azp="other"),
            idp.keys[0],
        ),
    )
    assert_refused(client_a, response, tenant_a.schema, attacked, "sso_audience_wrong")


def test_an_expired_id_token_is_refused(idp, attacker, attacked, tenant_a, client_a):
    now = int(time.time())
    response = _attempt(
        client_a,
        attacker,
        lambda nonce: _signed(
            _claims(attacker, idp, nonce, iat=now - 400, exp=now - 300), idp.keys[0]
        ),
    )
    entry = assert_refused(client_a, response, tenant_a.schema, attacked, "sso_clock")
    assert re.search(r"expired 30[01] seconds ago", entry.after["reason"]), entry.after
    _nobody_created(tenant_a)


def test_a_token_signed_with_an_unknown_key_is_refused(idp, attacker, attacked, tenant_a, client_a):
    stranger = SigningKey.make("attackers-key")
    response = _attempt(
        client_a, attacker, lambda nonce: _signed(_claims(attacker, idp, nonce), stranger)
    )
    entry = assert_refused(client_a, response, tenant_a.schema, attacked, "sso_signature_invalid")
    assert "'attackers-key'" in entry.after["reason"]
    _nobody_created(tenant_a)


def test_a_token_claiming_a_published_kid_but_signed_by_another_key_is_refused(
    idp, attacker, attacked, tenant_a, client_a
):
    impostor = SigningKey(kid=idp.keys[0].kid, private=SigningKey.make("x").private)
    response = _attempt(
        client_a, attacker, lambda nonce: _signed(_claims(attacker, idp, nonce), impostor)
    )
    assert_refused(client_a, response, tenant_a.schema, attacked, "sso_signature_invalid")


def test_an_unsigned_token_alg_none_is_refused(idp, attacker, attacked, tenant_a, client_a):
    response = _attempt(
        client_a,
        attacker,
        lambda nonce: jwt.encode(
            _claims(attacker, idp, nonce), None, algorithm="none", headers={"kid": "key-1"}
        ),
    )
    entry = assert_refused(client_a, response, tenant_a.schema, attacked, "sso_signature_invalid")
    assert "alg: none" in entry.after["reason"]
    _nobody_created(tenant_a)


def test_a_token_signed_with_the_client_secret_hs256_is_refused(
    idp, attacker, attacked, tenant_a, client_a
):
    response = _attempt(
        client_a,
        attacker,
        lambda nonce: jwt.encode(
            _claims(attacker, idp, nonce), idp.client_secret, algorithm="HS256"
        ),
    )
    entry = assert_refused(client_a, response, tenant_a.schema, attacked, "sso_signature_invalid")
    assert "shared secret (HS256)" in entry.after["reason"]


def test_a_token_response_that_is_not_json_ends_on_the_login_page(
    attacker, attacked, tenant_a, client_a
):
    attacker.token_answer = lambda: b"<html>Bad gateway</html>"
    authorization = query_of(login_start(client_a, "corp"))
    response = client_a.get(
        "/sso/oidc/corp/callback/", {"code": "c", "state": authorization["state"]}
    )
    assert_refused(client_a, response, tenant_a.schema, attacked, "sso_response_invalid")


def test_a_discovery_document_naming_another_issuer_is_refused(idp, attacker, tenant_a, client_a):
    provider = provider_row(tenant_a.schema, idp, issuer=attacker.origin)
    attacker.discovery["issuer"] = idp.issuer
    response = client_a.get("/sso/oidc/corp/login/")
    assert_refused(client_a, response, tenant_a.schema, provider, "sso_issuer_unknown")


# -- against the real provider, end to end ---------------------------------------------


@pytest.fixture
def real(idp, tenant_a, db):
    return provider_row(tenant_a.schema, idp)


def test_a_state_mismatch_is_refused(idp, real, tenant_a, client_a):
    callback_url = sign_in_at_provider(login_start(client_a, "corp"))
    forged = callback_url.replace("state=", "state=forged")
    response = callback_send(client_a, forged)
    assert_refused(client_a, response, tenant_a.schema, real, "sso_state_mismatch")
    _nobody_created(tenant_a)


def test_a_callback_without_a_sign_in_under_way_is_refused(idp, real, tenant_a, client_a):
    """Login CSRF: someone else's callback URL opened in this browser."""
    victim = Client(HTTP_HOST=tenant_a.host)
    callback_url = sign_in_at_provider(login_start(victim, "corp"))
    response = callback_send(client_a, callback_url)
    assert_refused(client_a, response, tenant_a.schema, real, "sso_state_mismatch")


def test_a_replayed_code_is_refused(idp, real, tenant_a, client_a):
    """The same callback again, in the browser that used it, and in an attacker's browser
    holding a copy of that browser's session from before the callback: the state was used
    up at the first callback (server-side, in Redis), so neither gets in."""
    callback_url = sign_in_at_provider(login_start(client_a, "corp"))
    with schema_context(tenant_a.schema):
        stolen = SessionStore()
        stolen.update(dict(client_a.session.items()))
        stolen.create()
    assert callback_send(client_a, callback_url)["Location"] == "/"
    first_user = signed_in_user_id(client_a, tenant_a.schema)
    assert first_user is not None

    attackers_browser = Client(HTTP_HOST=tenant_a.host)
    attackers_browser.cookies["sessionid"] = stolen.session_key
    response = callback_send(attackers_browser, callback_url)
    assert_refused(attackers_browser, response, tenant_a.schema, real, "sso_state_mismatch")

    again = callback_send(client_a, callback_url)
    assert again["Location"].endswith("/login/")
    assert signed_in_user_id(client_a, tenant_a.schema) == first_user


def test_a_callback_naming_another_issuer_is_refused(idp, real, tenant_a, client_a):
    """RFC 9207: the provider says who it is in `iss`; a mixed-up provider is refused."""
    callback_url = sign_in_at_provider(login_start(client_a, "corp"))
    assert query_of(callback_url)["iss"] == idp.issuer
    mixed_up = callback_url.replace("iss=", "iss=https%3A%2F%2Fother.example&was=")
    response = callback_send(client_a, mixed_up)
    assert_refused(client_a, response, tenant_a.schema, real, "sso_issuer_unknown")
