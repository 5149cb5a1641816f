"""A real SAML 2.0 identity provider for the tests: PyPI `pysaml2` (xmlsec1 signs).

Two uses:
- in-process, `Pysaml2Idp.response(...)` mints a Response with
  `Server.create_authn_response`, signed or not, by this IdP's key or another's, for any
  audience, destination, InResponseTo, validity period, SHA-1 or SHA-256, encrypted or not:
  the negative tests' crafted responses;
- as a process (`python -m tests.sso.idps.pysaml2_idp CONFIG.json`, started with
  `idp_process`), a WSGI IdP on a loopback port: single sign-on (Redirect and POST bindings,
  the person it signs in set by the test), IdP-initiated sign-on and single logout both
  ways. The round-trip tests drive it over HTTP.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import http.client
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import parse_qs

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, xmldsig
from saml2.config import IdPConfig
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
from saml2.sigver import pre_signature_part, read_cert_from_file

REPO_ROOT = Path(__file__).resolve().parents[3]
XMLSEC = "/usr/bin/xmlsec1"
SAML_NS = {
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
}
AUTHN = {"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"}


@dataclass(frozen=True)
class KeyPair:
    key_file: str
    cert_file: str

    @property
    def certificate_pem(self) -> str:
        return Path(self.cert_file).read_text()


def key_pair_make(directory: Path, name: str) -> KeyPair:
    """A self-signed RSA key pair in PEM files under `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = directory / f"{name}.key", directory / f"{name}.crt"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return KeyPair(str(key_file), str(cert_file))


def _saml_time(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Pysaml2Idp:
    """A pysaml2 IdP: `entity_id`, its endpoints under `base_url`, signing with `keys`."""

    def __init__(
        self,
        *,
        entity_id: str,
        base_url: str,
        keys: KeyPair,
        sp_metadata: list[str] | None = None,
        sign_logout: bool = True,
    ) -> None:
        self.entity_id = entity_id
        self.base_url = base_url.rstrip("/")
        self.keys = keys
        self.sign_logout = sign_logout
        config = IdPConfig()
        config.load(
            {
                "entityid": entity_id,
                "xmlsec_binary": XMLSEC,
                "key_file": keys.key_file,
                "cert_file": keys.cert_file,
                "encryption_keypairs": [{"key_file": keys.key_file, "cert_file": keys.cert_file}],
                "metadata": {"inline": list(sp_metadata or [])},
                "service": {
                    "idp": {
                        "name": "pysaml2 test IdP",
                        "endpoints": {
                            "single_sign_on_service": [
                                (f"{self.base_url}/sso/redirect", BINDING_HTTP_REDIRECT),
                                (f"{self.base_url}/sso/post", BINDING_HTTP_POST),
                            ],
                            "single_logout_service": [
                                (f"{self.base_url}/slo", BINDING_HTTP_REDIRECT)
                            ],
                        },
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": 15},
                                "attribute_restrictions": None,
                                "name_form": NAME_FORMAT_URI,
                            }
                        },
                        "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                        "want_authn_requests_signed": False,
                    }
                },
            }
        )
        self.server = Server(config=config)

    @property
    def sso_url(self) -> str:
        return f"{self.base_url}/sso/redirect"

    @property
    def sso_post_url(self) -> str:
        return f"{self.base_url}/sso/post"

    @property
    def slo_url(self) -> str:
        return f"{self.base_url}/slo"

    def sp_register(self, entity_id: str, acs_url: str) -> None:
        """Make an SP known to the IdP (pysaml2 answers only SPs in its metadata): a
        minimal metadata entry, for audiences the negative tests invent."""
        try:
            self.server.metadata[entity_id]
            return
        except KeyError:
            pass
        self.server.metadata.load(
            "inline",
            '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
            f'entityID="{escape(entity_id)}"><md:SPSSODescriptor '
            'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
            '<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" '
            f'Location="{escape(acs_url)}" index="0"/></md:SPSSODescriptor></md:EntityDescriptor>',
        )

    def sp_metadata_load(self, xml: str) -> None:
        self.server.metadata.load("inline", xml)

    # -- minting ------------------------------------------------------------------------
    def response(
        self,
        *,
        audience: str,
        acs_url: str,
        in_response_to: str | None,
        name_id: str,
        attributes: dict[str, list[str]] | None = None,
        sign_response: bool = True,
        sign_assertion: bool = True,
        sha1: bool = False,
        encrypt_to_pem: str | None = None,
        issuer: str | None = None,
        signing_keys: KeyPair | None = None,
        not_before: datetime.datetime | None = None,
        not_on_or_after: datetime.datetime | None = None,
        recipient: str | None = None,
        session_index: str | None = None,
    ) -> str:
        """A Response as XML text. Without time or recipient overrides it comes straight
        from `Server.create_authn_response`; with them, pysaml2 makes it unsigned, the
        harness sets the values and then signs (as an IdP with a wrong clock or a
        misconfigured endpoint would)."""
        self.sp_register(audience, acs_url)
        crafted = not_before or not_on_or_after or recipient or signing_keys or issuer
        sign_alg = xmldsig.SIG_RSA_SHA1 if sha1 else xmldsig.SIG_RSA_SHA256
        digest_alg = xmldsig.DIGEST_SHA1 if sha1 else xmldsig.DIGEST_SHA256
        made = self.server.create_authn_response(
            identity=attributes or {"mail": [name_id]},
            in_response_to=in_response_to,
            destination=acs_url,
            sp_entity_id=audience,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=name_id),
            authn=AUTHN,
            sign_response=sign_response and not crafted,
            sign_assertion=sign_assertion and not crafted,
            sign_alg=sign_alg,
            digest_alg=digest_alg,
            encrypt_assertion=bool(encrypt_to_pem) and not crafted,
            encrypt_cert_assertion=encrypt_to_pem if not crafted else None,
            encrypt_assertion_self_contained=True,
            session_index=session_index,
        )
        xml = str(made)
        if not crafted:
            return xml
        document = etree.fromstring(xml.encode())
        if issuer:
            for node in document.xpath("//saml:Issuer", namespaces=SAML_NS):
                node.text = issuer
        # Conditions carry both bounds; SubjectConfirmationData only NotOnOrAfter (a bearer
        # confirmation has no NotBefore, SAML profiles 4.1.4.2).
        for node in document.xpath("//saml:Conditions", namespaces=SAML_NS):
            if not_before:
                node.set("NotBefore", _saml_time(not_before))
            if not_on_or_after:
                node.set("NotOnOrAfter", _saml_time(not_on_or_after))
        for node in document.xpath("//saml:SubjectConfirmationData", namespaces=SAML_NS):
            if not_on_or_after:
                node.set("NotOnOrAfter", _saml_time(not_on_or_after))
        if recipient:
            for node in document.xpath("//saml:SubjectConfirmationData", namespaces=SAML_NS):
                node.set("Recipient", recipient)
        return self.sign(
            etree.tostring(document).decode(),
            keys=signing_keys or self.keys,
            sign_response=sign_response,
            sign_assertion=sign_assertion,
            sha1=sha1,
        )

    def sign(
        self,
        xml: str,
        *,
        keys: KeyPair,
        sign_response: bool,
        sign_assertion: bool,
        sha1: bool = False,
    ) -> str:
        """Sign the assertion and/or the response of `xml` with `keys` (xmlsec1 through
        pysaml2's security context), as pysaml2 itself does."""
        sign_alg = xmldsig.SIG_RSA_SHA1 if sha1 else xmldsig.SIG_RSA_SHA256
        digest_alg = xmldsig.DIGEST_SHA1 if sha1 else xmldsig.DIGEST_SHA256
        document = etree.fromstring(xml.encode())
        for signature in document.xpath("//ds:Signature", namespaces=SAML_NS):
            signature.getparent().remove(signature)
        context = self.server.sec
        targets = []
        if sign_assertion:
            targets += [
                ("urn:oasis:names:tc:SAML:2.0:assertion:Assertion", node)
                for node in document.xpath("//saml:Assertion", namespaces=SAML_NS)
            ]
        if sign_response:
            targets.append(("urn:oasis:names:tc:SAML:2.0:protocol:Response", document))
        for _, node in targets:
            template = pre_signature_part(
                ident=node.get("ID"),
                public_key=read_cert_from_file(keys.cert_file, "pem"),
                sign_alg=sign_alg,
                digest_alg=digest_alg,
            )
            issuer = node.find("saml:Issuer", namespaces=SAML_NS)
            signature = etree.fromstring(str(template).encode())
            if issuer is not None:
                issuer.addnext(signature)
            else:
                node.insert(0, signature)
        text = etree.tostring(document).decode()
        for node_name, node in targets:
            text = context.sign_statement(
                text, node_name, key_file=keys.key_file, node_id=node.get("ID")
            )
        return text


def b64(xml: str) -> str:
    return base64.b64encode(xml.encode()).decode()


# ---------------------------------------------------------------------------------------
# The IdP as a process: a WSGI app on a loopback port.
class IdpApp:
    """Endpoints: /sso/redirect, /sso/post (sign the current person in, answer with an
    auto-posting form to the ACS), /idp-initiated, /slo (our LogoutRequest → LogoutResponse),
    /start-logout (IdP-initiated LogoutRequest), /_test/person (set who is signed in),
    /_test/log (what happened)."""

    def __init__(self, idp: Pysaml2Idp) -> None:
        self.idp = idp
        self.person: dict = {}
        self.log: list[dict] = []
        self.sessions: dict[str, dict] = {}  # name_id -> {sp, session_index}

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        body = b""
        if environ.get("REQUEST_METHOD") == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length)
        try:
            status, headers, content = self.route(path, query, body, environ)
        except Exception as exc:  # report, never hang the test
            self.log.append({"event": "error", "error": repr(exc)})
            status, headers, content = "500 Error", [("Content-Type", "text/plain")], repr(exc)
        start_response(status, headers)
        return [content.encode() if isinstance(content, str) else content]

    def route(self, path: str, query: dict, body: bytes, environ):
        if path == "/_test/person":
            self.person = json.loads(body or b"{}")
            return "200 OK", [("Content-Type", "application/json")], "{}"
        if path == "/_test/log":
            return "200 OK", [("Content-Type", "application/json")], json.dumps(self.log)
        if path == "/sso/redirect":
            return self._sso(
                query["SAMLRequest"], BINDING_HTTP_REDIRECT, query.get("RelayState", ""), environ
            )
        if path == "/sso/post":
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            return self._sso(
                form["SAMLRequest"], BINDING_HTTP_POST, form.get("RelayState", ""), environ
            )
        if path == "/idp-initiated":
            return self._unsolicited(query)
        if path == "/slo":
            return self._slo(query, environ)
        if path == "/start-logout":
            return self._start_logout(query)
        return "404 Not Found", [("Content-Type", "text/plain")], "not found"

    def _form(self, action: str, fields: dict[str, str]):
        inputs = "".join(
            f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
            for k, v in fields.items()
        )
        page = (
            '<!doctype html><html><body onload="document.forms[0].submit()">'
            f'<form method="post" action="{escape(action)}">{inputs}'
            '<button type="submit">Continue</button></form></body></html>'
        )
        return "200 OK", [("Content-Type", "text/html")], page

    def _answer(self, *, audience: str, acs_url: str, in_response_to: str | None, relay: str):
        person = self.person
        session_index = uuid.uuid4().hex
        xml = self.idp.response(
            audience=audience,
            acs_url=acs_url,
            in_response_to=in_response_to,
            name_id=person["name_id"],
            attributes=person.get("attributes") or {"mail": [person["name_id"]]},
            encrypt_to_pem=person.get("encrypt_to_pem"),
            session_index=session_index,
        )
        self.sessions[person["name_id"]] = {"sp": audience, "session_index": session_index}
        self.log.append({"event": "sso", "sp": audience, "in_response_to": in_response_to})
        fields = {"SAMLResponse": b64(xml)}
        if relay:
            fields["RelayState"] = relay
        return self._form(acs_url, fields)

    def _sso(self, message: str, binding: str, relay: str, environ):
        request = self.idp.server.parse_authn_request(message, binding)
        authn = request.message
        self.log.append(
            {
                "event": "authn_request",
                "id": authn.id,
                "signed": authn.signature is not None
                or "Signature=" in environ.get("QUERY_STRING", ""),
                "binding": binding,
            }
        )
        return self._answer(
            audience=authn.issuer.text,
            acs_url=authn.assertion_consumer_service_url,
            in_response_to=authn.id,
            relay=relay,
        )

    def _unsolicited(self, query: dict):
        return self._answer(
            audience=query["sp"],
            acs_url=query["acs"],
            in_response_to=None,
            relay=query.get("relay", ""),
        )

    def _slo(self, query: dict, environ):
        if "SAMLRequest" in query:
            request = self.idp.server.parse_logout_request(
                query["SAMLRequest"], BINDING_HTTP_REDIRECT
            )
            message = request.message
            self.log.append(
                {
                    "event": "logout_request",
                    "name_id": message.name_id.text,
                    "signed": "Signature" in query,
                }
            )
            sp = message.issuer.text
            destination = self._sp_slo(sp)
            response = self.idp.server.create_logout_response(
                message, [BINDING_HTTP_REDIRECT], sign=False
            )
            info = self.idp.server.apply_binding(
                BINDING_HTTP_REDIRECT,
                str(response),
                destination,
                query.get("RelayState", ""),
                response=True,
                sign=True,
                sigalg=xmldsig.SIG_RSA_SHA256,
            )
            location = dict(info["headers"])["Location"]
            return "302 Found", [("Location", location)], ""
        if "SAMLResponse" in query:
            self.log.append({"event": "logout_response"})
            return "200 OK", [("Content-Type", "text/plain")], "logged out at the IdP"
        return "400 Bad Request", [("Content-Type", "text/plain")], "nothing"

    def _sp_slo(self, sp_entity_id: str) -> str:
        # Our SP's SLS sits next to its metadata URL (the entity ID).
        return sp_entity_id.replace("/metadata/", "/sls/")

    def _start_logout(self, query: dict):
        name_id = query["name_id"]
        session = self.sessions.get(name_id, {})
        sp = query.get("sp") or session.get("sp")
        _, request = self.idp.server.create_logout_request(
            self._sp_slo(sp),
            issuer_entity_id=sp,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=name_id),
            session_indexes=[session["session_index"]] if session.get("session_index") else None,
            sign=False,
        )
        info = self.idp.server.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(request),
            self._sp_slo(sp),
            "",
            sign=self.idp.sign_logout,
            sigalg=xmldsig.SIG_RSA_SHA256,
        )
        location = dict(info["headers"])["Location"]
        return "302 Found", [("Location", location)], ""


def serve(config_file: str) -> None:
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    config = json.loads(Path(config_file).read_text())
    idp = Pysaml2Idp(
        entity_id=config["entity_id"],
        base_url=config["base_url"],
        keys=KeyPair(config["key_file"], config["cert_file"]),
        sp_metadata=config.get("sp_metadata", []),
        sign_logout=config.get("sign_logout", True),
    )
    make_server("127.0.0.1", config["port"], IdpApp(idp), handler_class=Quiet).serve_forever()


@contextlib.contextmanager
def idp_process(config: dict, workdir: Path) -> Iterator[str]:
    """The IdP in a process of its own on `config["port"]`; yields its base URL."""
    config_file = workdir / f"idp-{config['port']}.json"
    config_file.write_text(json.dumps(config))
    log_path = workdir / f"idp-{config['port']}.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.sso.idps.pysaml2_idp", str(config_file)],
        cwd=str(REPO_ROOT),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the IdP exited: {log_path.read_text()}")
            with contextlib.suppress(OSError):
                conn = http.client.HTTPConnection("127.0.0.1", config["port"], timeout=2)
                conn.request("GET", "/_test/log")
                conn.getresponse().read()
                break
            if time.monotonic() > deadline:
                raise RuntimeError("the IdP did not start within 30 s")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{config['port']}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(url.split("?", 1)[1]).items()} if "?" in url else {}


if __name__ == "__main__":
    serve(sys.argv[1])
