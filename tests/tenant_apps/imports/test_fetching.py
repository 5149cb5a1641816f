"""Fetching the HR export from a URL: credentials sealed at rest and sent, HTTPS and public
addresses only, failures kept on the source, and a due fetch making a dry run (applied by
itself only when it passes no threshold)."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.errors import ValidationFailed
from core.secret_box import secret_open
from tenant_apps.imports.models import ImportSource, RunStatus
from tenant_apps.imports.services.fetching import source_fetch, source_fetch_if_due, source_save
from tenant_apps.people.models import User
from tests.tenant_apps.imports.conftest import people_csv


class _Export(BaseHTTPRequestHandler):
    body = b""
    seen_authorizations: list[str] = []

    def do_GET(self) -> None:
        _Export.seen_authorizations.append(self.headers.get("Authorization", ""))
        if self.path == "/redirect.csv":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.end_headers()
        self.wfile.write(_Export.body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def export_server(settings) -> Iterator[str]:
    settings.IMPORTS_FETCH_ALLOW_HTTP = True
    settings.IMPORTS_FETCH_ALLOW_PRIVATE = True
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Export)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Export.seen_authorizations = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _values(url: str, **overrides) -> dict:
    return {
        "url": url,
        "auth": "basic",
        "username": "hr-bot",
        "every_hours": 24,
        "apply_automatically": True,
        "enabled": True,
        **overrides,
    }


def test_a_due_fetch_sends_the_sealed_credentials_and_applies_a_safe_file(
    export_server, admin, standard_mapping, django_capture_on_commit_callbacks
):
    standard_mapping()
    _Export.body = people_csv([("fetched@example.com", "Fetched", "F1", "", "", "", "")]).encode()
    source = source_save(
        values=_values(f"{export_server}/people.csv"), secret="s3cret pass", actor=admin
    )
    assert "s3cret" not in source.secret_sealed
    assert secret_open(source.secret_sealed) == "s3cret pass"
    with django_capture_on_commit_callbacks(execute=True):
        run = source_fetch_if_due()
    run.refresh_from_db()
    assert run.status == RunStatus.APPLIED  # the task ran eagerly
    assert _Export.seen_authorizations == [
        "Basic " + base64.b64encode(b"hr-bot:s3cret pass").decode()
    ]
    assert User.objects.get(email="fetched@example.com").external_id == "F1"
    assert source_fetch_if_due() is None  # not due again for 24 hours


def test_a_fetched_file_past_the_threshold_waits_for_an_admin(
    export_server, admin, make_person, standard_mapping
):
    standard_mapping(full_sync=True)
    for i in range(3):
        make_person(email=f"p{i}@example.com")
    _Export.body = people_csv([("ada@example.com", "Ada Admin", "", "", "", "", "")]).encode()
    source = source_save(
        values=_values(f"{export_server}/people.csv", auth="bearer"), secret="tok", actor=admin
    )
    run = source_fetch(source=source)
    assert run.status == RunStatus.PLANNED and run.needs_confirmation
    assert User.objects.filter(is_active=True).count() == 5
    assert _Export.seen_authorizations == ["Bearer tok"]


def test_redirects_are_not_followed_and_the_failure_is_kept(export_server, in_tenant_a, admin):
    source = source_save(
        values=_values(f"{export_server}/redirect.csv", auth="none"), secret=None, actor=admin
    )
    assert source_fetch(source=source) is None
    source.refresh_from_db()
    assert source.last_error == "The server answered 302."


def test_only_https_and_public_addresses(settings, in_tenant_a, admin):
    settings.IMPORTS_FETCH_ALLOW_HTTP = False
    settings.IMPORTS_FETCH_ALLOW_PRIVATE = False
    for url, message in [
        ("http://example.com/people.csv", "Give an https:// address."),
        ("https://127.0.0.1/people.csv", "127.0.0.1 is a loopback address"),
        ("https://10.1.2.3/people.csv", "10.1.2.3 is a private address"),
        (
            "https://user:pw@example.com/x.csv",
            "Give a host name, without credentials in the address.",
        ),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            source_save(values=_values(url), secret="x", actor=admin)
        assert refused.value.details[0].field == "url"
        assert message in refused.value.details[0].message
    assert not ImportSource.objects.exists()


def test_the_source_page(portal, admin, export_server, standard_mapping, tenant_a):
    standard_mapping()
    client = portal(admin)
    page = "/manage/people-sync/imports/source/"
    assert client.get(page).status_code == 200
    response = client.post(
        page,
        {"url": "https://u:p@example.com/x", "auth": "basic", "every_hours": "24"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["username"] == ["Give the user name."]
    assert form.errors["url"] == ["Give a host name, without credentials in the address."]
    assert form["url"].value() == "https://u:p@example.com/x"  # what was typed is kept
    _Export.body = people_csv([("viapage@example.com", "Via Page", "", "", "", "", "")]).encode()
    response = client.post(
        page,
        {
            "url": f"{export_server}/people.csv",
            "auth": "bearer",
            "secret": "tok-123",
            "every_hours": "12",
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    shown = client.get(page).content.decode()
    assert "tok-123" not in shown
    response = client.post("/manage/people-sync/imports/source/fetch/")
    assert response.status_code == 302 and "/manage/people-sync/imports/" in response["Location"]
    assert _Export.seen_authorizations == ["Bearer tok-123"]


def test_the_address_is_checked_again_at_fetch_time(settings, outbound_dns, in_tenant_a, admin):
    settings.IMPORTS_FETCH_ALLOW_HTTP = False
    settings.IMPORTS_FETCH_ALLOW_PRIVATE = False
    outbound_dns.addresses["hr.example.test"] = ["93.184.215.14"]
    source = source_save(
        values=_values("https://hr.example.test/people.csv"), secret="pw", actor=admin
    )
    # The name now points into the private network (DNS rebinding): nothing is fetched.
    outbound_dns.addresses["hr.example.test"] = ["10.0.0.7"]
    assert source_fetch(source=source) is None
    source.refresh_from_db()
    assert source.last_error == (
        "hr.example.test resolves to 10.0.0.7 is a private address; only public hosts are reached."
    )


def test_a_fetch_connects_to_the_checked_address(
    export_server, outbound_dns, in_tenant_a, admin, standard_mapping
):
    standard_mapping()
    # hr.example.test is known to the loopback DNS server only: the download reaches the
    # export by connecting to the address the check resolved, not by looking it up again.
    outbound_dns.addresses["hr.example.test"] = ["127.0.0.1"]
    _Export.body = people_csv([("fetched@example.com", "Fetched", "F1", "", "", "", "")]).encode()
    url = export_server.replace("127.0.0.1", "hr.example.test") + "/people.csv"
    source = source_save(values=_values(url, auth="none"), secret=None, actor=admin)
    outbound_dns.asked.clear()
    run = source_fetch(source=source)
    assert run is not None, ImportSource.objects.get().last_error
    assert outbound_dns.asked["hr.example.test"] == 1
