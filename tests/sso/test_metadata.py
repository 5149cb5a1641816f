"""SAML metadata: read from XML (one IdP, or one picked by entity ID from a federation's
document; DTDs and entities refused) and fetched from a URL served by a real HTTP server on
loopback (size limit, timeout, no redirects); a refresh that fails keeps the old settings
and records why; the daily task refreshes what is due."""

from __future__ import annotations

import datetime
import http.server
import threading
import time
from collections.abc import Iterator

import pytest
from django.utils import timezone

from core.errors import ValidationFailed
from sso.models import IdentityProvider, SamlBinding
from sso.services import metadata
from sso.services.metadata import (
    metadata_parse,
    provider_create_from_metadata,
    provider_metadata_refresh,
)
from sso.tasks import metadata_refresh_due
from tenant_apps.audit.models import AuditAction, AuditEntry
from tests.sso.admin_documents import (
    body_of,
    certificate_pem,
    federation_xml,
    idp_entity,
    metadata_xml,
)

OLD = certificate_pem("old.idp.example")
NEW = certificate_pem("new.idp.example")


class MetadataServer:
    """A real HTTP server on a free loopback port serving whatever `documents` holds."""

    def __init__(self) -> None:
        self.documents: dict[str, tuple[int, bytes, dict]] = {}
        self.delay = 0.0
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                time.sleep(owner.delay)
                status, body, headers = owner.documents.get(self.path, (404, b"", {}))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/samlmetadata+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def serve(self, path: str, body: str | bytes, status: int = 200, **headers) -> str:
        self.documents[path] = (status, body.encode() if isinstance(body, str) else body, headers)
        return self.base + path


@pytest.fixture
def server(settings) -> Iterator[MetadataServer]:
    settings.SSO_DEVELOPMENT_URLS = True  # plain http on loopback, as in development
    running = MetadataServer()
    yield running
    running.httpd.shutdown()
    running.httpd.server_close()


def test_one_idps_metadata_gives_its_settings():
    found = metadata_parse(
        metadata_xml(
            certificates=[OLD, NEW], binding="HTTP-POST", slo_url="https://idp.acme.example/slo"
        )
    )
    assert found.entity_id == "https://idp.acme.example/saml"
    assert found.sso_url == "https://idp.acme.example/sso"
    assert found.sso_binding == SamlBinding.POST
    assert found.slo_url == "https://idp.acme.example/slo"
    assert found.certificates == [body_of(OLD), body_of(NEW)]


def test_a_federation_document_needs_the_entity_id_of_the_idp():
    document = federation_xml(
        idp_entity("https://one.example/idp", "https://one.example/sso", [OLD]),
        idp_entity("https://two.example/idp", "https://two.example/sso", [NEW]),
    )
    with pytest.raises(ValidationFailed) as refused:
        metadata_parse(document)
    assert refused.value.details[0].field == "entity_id"
    assert "https://one.example/idp, https://two.example/idp" in refused.value.details[0].message
    found = metadata_parse(document, "https://two.example/idp")
    assert (found.sso_url, found.certificates) == ("https://two.example/sso", [body_of(NEW)])
    with pytest.raises(ValidationFailed) as refused:
        metadata_parse(document, "https://three.example/idp' or '1'='1")
    assert refused.value.details[0].field == "entity_id"


@pytest.mark.parametrize(
    "document",
    [
        '<?xml version="1.0"?><!DOCTYPE md [<!ENTITY x "boom">]>'
        + metadata_xml().replace("https://idp.acme.example/sso", "&x;"),
        '<?xml version="1.0"?><!DOCTYPE md SYSTEM "http://evil.example/x.dtd">' + metadata_xml(),
    ],
)
def test_a_dtd_or_entity_is_refused(document):
    with pytest.raises(ValidationFailed) as refused:
        metadata_parse(document)
    assert "document type declaration or entities" in refused.value.details[0].message


def test_metadata_without_a_certificate_or_sso_is_refused_in_words():
    bare = (
        metadata_xml()
        .replace("<md:KeyDescriptor", "<md:Nothing")
        .replace("</md:KeyDescriptor>", "</md:Nothing>")
    )
    with pytest.raises(ValidationFailed) as refused:
        metadata_parse(bare)
    assert refused.value.details[0].message == (
        "The identity provider publishes no signing certificate."
    )
    with pytest.raises(ValidationFailed) as refused:
        metadata_parse("<md:EntityDescriptor")
    assert refused.value.details[0].message == "This is not well-formed XML."


def test_a_provider_is_made_from_a_metadata_url_and_refreshed(in_tenant_a, server):
    url = server.serve("/idp/metadata", metadata_xml(certificates=[OLD]))
    provider = provider_create_from_metadata(
        actor=None, name="Acme", slug="acme", preset="okta", metadata_url=url
    )
    assert provider.saml_metadata_url == url
    assert provider.saml_certificates == [body_of(OLD)]
    assert provider.attribute_mapping["first_name"] == "firstName"
    assert provider.saml_metadata_refreshed_at is not None
    # The IdP rolls its certificate: a refresh takes it.
    server.serve("/idp/metadata", metadata_xml(certificates=[OLD, NEW]))
    provider = provider_metadata_refresh(provider=provider, actor=None)
    assert provider.saml_certificates == [body_of(OLD), body_of(NEW)]
    assert provider.saml_metadata_error == ""
    assert AuditEntry.objects.filter(action=AuditAction.SSO_METADATA_REFRESHED).count() == 1


def test_a_failed_refresh_keeps_the_settings_and_says_why(in_tenant_a, server):
    url = server.serve("/idp/metadata", metadata_xml(certificates=[OLD]))
    provider = provider_create_from_metadata(actor=None, name="A", slug="a", metadata_url=url)
    server.serve("/idp/metadata", "gone", status=500)
    with pytest.raises(ValidationFailed):
        provider_metadata_refresh(provider=provider, actor=None)
    provider.refresh_from_db()
    assert provider.saml_certificates == [body_of(OLD)]
    assert provider.saml_metadata_error == f"{url} answered HTTP 500."
    server.serve("/idp/metadata", "<not-xml", status=200)
    with pytest.raises(ValidationFailed):
        provider_metadata_refresh(provider=provider, actor=None)
    provider.refresh_from_db()
    assert provider.saml_metadata_error == "This is not well-formed XML."
    assert provider.saml_sso_url == "https://idp.acme.example/sso"


def test_redirects_big_documents_and_slow_servers_are_refused(in_tenant_a, server, monkeypatch):
    moved = server.serve("/moved", "", status=302, Location="http://elsewhere.example/m")
    with pytest.raises(ValidationFailed) as refused:
        metadata.metadata_fetch(moved)
    assert refused.value.details[0].message.endswith(
        "redirects to http://elsewhere.example/m; enter that address."
    )
    huge = server.serve("/huge", b"<x>" + b" " * (metadata.METADATA_MAX_BYTES + 10) + b"</x>")
    with pytest.raises(ValidationFailed) as refused:
        metadata.metadata_fetch(huge)
    assert refused.value.details[0].message == "The metadata is over 1000 kB."
    monkeypatch.setattr(metadata, "FETCH_TIMEOUT_SECONDS", (1, 0.3))
    server.delay = 1.0
    slow = server.serve("/slow", metadata_xml())
    with pytest.raises(ValidationFailed) as refused:
        metadata.metadata_fetch(slow)
    assert refused.value.details[0].message == f"{slow} did not answer in time."


def test_outside_development_http_and_private_addresses_are_refused(in_tenant_a, settings):
    settings.SSO_DEVELOPMENT_URLS = False
    with pytest.raises(ValidationFailed) as refused:
        metadata.metadata_fetch("http://idp.example/metadata")
    assert refused.value.details[0].message == "Use an https:// address."
    with pytest.raises(ValidationFailed) as refused:
        metadata.metadata_fetch("https://127.0.0.1:9/metadata")
    assert refused.value.details[0].message == "127.0.0.1 is not a public address on the internet."


def test_the_daily_task_refreshes_what_is_due(in_tenant_a, server):
    url = server.serve("/idp/metadata", metadata_xml(certificates=[OLD]))
    due = provider_create_from_metadata(actor=None, name="Due", slug="due", metadata_url=url)
    fresh = provider_create_from_metadata(
        actor=None,
        name="Fresh",
        slug="fresh",
        metadata_url=url,
        entity_id="https://idp.acme.example/saml",
    )
    IdentityProvider.objects.filter(pk=due.pk).update(
        saml_metadata_refreshed_at=timezone.now() - datetime.timedelta(days=2)
    )
    server.serve("/idp/metadata", metadata_xml(certificates=[NEW]))
    assert metadata_refresh_due() == {"refreshed": 1, "failed": 0}
    due.refresh_from_db()
    fresh.refresh_from_db()
    assert due.saml_certificates == [body_of(NEW)]
    assert fresh.saml_certificates == [body_of(OLD)]


def test_a_name_resolving_to_a_private_address_is_refused(in_tenant_a, settings, outbound_dns):
    settings.SSO_DEVELOPMENT_URLS = False
    outbound_dns.addresses["idp.example.test"] = ["10.0.0.7"]
    with pytest.raises(ValidationFailed) as refused:
        metadata.metadata_fetch("https://idp.example.test/metadata")
    assert refused.value.details[0].message == (
        "idp.example.test is not a public address on the internet."
    )


def test_the_fetch_connects_to_the_checked_address(in_tenant_a, server, outbound_dns):
    # Known to the loopback DNS server only: reached through the address checked, once.
    outbound_dns.addresses["idp.example.test"] = ["127.0.0.1"]
    document = metadata_xml()
    url = server.serve("/named", document).replace("127.0.0.1", "idp.example.test")
    outbound_dns.asked.clear()
    assert metadata.metadata_fetch(url) == document.encode()
    assert outbound_dns.asked["idp.example.test"] == 1
