"""The webhook admin pages in a real browser (Chromium against gunicorn): an admin adds an
endpoint pointing at a real receiver on loopback (admitted by the allow-list setting), copies
the secret shown once, sends a test event and finds it in the delivery log; axe-core finds
nothing serious or critical on any webhook admin page. The receiver gets the test event, and
its signature verifies with the secret the page showed, by the reference implementation of
the spec (PyPI standardwebhooks)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django_tenants.utils import schema_context

from tenant_apps.people.models import Role
from tests.browser import chromium, page_for_axe, serious_accessibility_violations
from tests.factories import PASSWORD, UserFactory
from tests.live import live_server, server_env

SLUG = "hooksbrowsed"


class Receiver(ThreadingHTTPServer):
    """A webhook receiver on loopback: keeps every request, answers 204."""

    daemon_threads = True

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        super().__init__(("127.0.0.1", 0), _ReceiverHandler)


class _ReceiverHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def receiver():
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def tenant(committed_tenant, django_db_blocker):
    made = committed_tenant(SLUG, "Hooks Browsed")
    with django_db_blocker.unblock(), schema_context(made.schema_name):
        UserFactory(role=Role.ADMIN, email="hooks-browser-admin@example.com")
    return made


@pytest.fixture
def server(tenant, tmp_path):
    env = server_env(
        MEDIA_ROOT=str(tmp_path / "media"),
        WEBHOOK_ALLOW_HTTP="true",
        WEBHOOK_DESTINATION_ALLOWLIST="127.0.0.0/8",
    )
    with live_server(env, tmp_path / "server.log", workers=1) as base_url:
        yield base_url.replace("127.0.0.1", f"{SLUG}.localhost")


def _no_serious_violations(page) -> None:
    assert serious_accessibility_violations(page) == [], page.url


@pytest.mark.timeout(240)
def test_an_admin_adds_an_endpoint_sends_a_test_event_and_finds_it_in_the_log(server, receiver):
    receiver_url = f"http://127.0.0.1:{receiver.server_address[1]}/lectern-hook"
    with chromium() as browser:
        page = page_for_axe(browser)
        page.goto(f"{server}/accounts/login/")
        page.fill("#id_username", "hooks-browser-admin@example.com")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server}/")

        page.goto(f"{server}/manage/webhooks/")
        assert page.locator("h1").inner_text() == "Webhooks"
        _no_serious_violations(page)

        page.click("text=Add an endpoint")
        page.wait_for_url(f"{server}/manage/webhooks/add/")
        _no_serious_violations(page)
        # An event type Lectern does not send is refused next to its field; the rest stays.
        page.fill("#id_url", receiver_url)
        page.fill("#id_description", "Browser receiver")
        page.fill("#id_event_types", "course.* nothing.here")
        page.click("text=Add the endpoint")
        page.wait_for_selector("#id_event_types_error")
        assert "nothing.here" in page.locator("#id_event_types_error").inner_text()
        assert page.locator("#id_url").input_value() == receiver_url
        _no_serious_violations(page)
        page.fill("#id_event_types", "course.* enrollment.*")
        page.click("text=Add the endpoint")

        page.wait_for_url("**/secret/")
        secret = page.locator("#webhook-secret").input_value()
        assert secret.startswith("whsec_")
        _no_serious_violations(page)
        page.reload()
        assert "is not shown again" in page.content()
        assert secret not in page.content()

        page.click("text=Go to the endpoint")
        page.wait_for_selector("text=Send a test event")
        assert secret not in page.content()
        _no_serious_violations(page)
        page.click("text=Send a test event")
        page.wait_for_url("**/manage/webhooks/log/?endpoint=*")
        assert "Sent a test event" in page.content()
        row = page.locator("table tbody tr").first
        assert "webhook.test" in row.inner_text()
        _no_serious_violations(page)

        row.locator("a").click()
        page.wait_for_url("**/manage/webhooks/messages/**")
        assert "webhook.test" in page.locator("h1").inner_text()
        _no_serious_violations(page)

        from standardwebhooks.webhooks import Webhook

        deadline = time.monotonic() + 30
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.2)
        assert receiver.received, "the test event never reached the receiver"
        headers, body = receiver.received[0]
        assert Webhook(secret).verify(body, headers)["type"] == "webhook.test"
        page.reload()
        assert "Delivered" in page.content()

        page.goto(f"{server}/manage/webhooks/")
        assert "Browser receiver" in page.locator("table").inner_text()
        page.click("table th a")
        page.wait_for_url("**/manage/webhooks/endpoints/*/")
        page.click("text=Health over the last 24 hours")
        page.wait_for_url("**/health/")
        page.wait_for_selector("canvas#chart-latency")
        page.wait_for_function(
            "Array.from(document.querySelectorAll('canvas[data-chart]'))"
            ".every(c => window.Chart && window.Chart.getChart(c))"
        )
        _no_serious_violations(page)

        page.goto(f"{server}/manage/webhooks/log/?status=lost")
        assert page.locator("#id_status_error").count() == 1
        _no_serious_violations(page)
