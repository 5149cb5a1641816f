"""Stripe for the platform-billing tests.

Customers, legacy Plans/Products and subscriptions go to a real local Stripe API fake,
PyPI `localstripe` (started on loopback with `--from-scratch`). localstripe has no Checkout
or billing-portal sessions, so `CheckoutAndPortalFake` — an HTTP-level FAKE of just those two
Stripe endpoints, named as such — answers them on loopback and hands every other request on
to localstripe unchanged. Webhook signatures are made with the Stripe SDK's own function."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl

import stripe

from tests.live import free_port

WEBHOOK_SECRET = "whsec_platform_tests"
SECRET_KEY = "sk_test_platform_tests"


class LocalStripe:
    """A localstripe process on a loopback port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LocalStripe:
        binary = Path(sys.executable).with_name("localstripe")
        self.process = subprocess.Popen(
            [str(binary), "--port", str(self.port), "--from-scratch"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(  # noqa: S310 - loopback
                    urllib.request.Request(  # noqa: S310 - loopback
                        self.url + "/v1/customers",
                        headers={"Authorization": f"Bearer {SECRET_KEY}"},
                    ),
                    timeout=1,
                )
                return self
            except urllib.error.HTTPError:
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("localstripe did not start")

    def __exit__(self, *exc) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)


class CheckoutAndPortalFake:
    """FAKE of Stripe's Checkout Session and billing-portal Session endpoints (not in
    localstripe); records what was asked, proxies the rest to localstripe."""

    def __init__(self, localstripe_url: str) -> None:
        self.localstripe_url = localstripe_url
        self.checkout_requests: list[dict] = []
        self.portal_requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _send(self, status: int, body: bytes, content_type="application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _proxy(self, body: bytes | None) -> None:
                request = urllib.request.Request(  # noqa: S310 - loopback
                    fake.localstripe_url + self.path,
                    data=body,
                    method=self.command,
                    headers={
                        name: value
                        for name, value in self.headers.items()
                        if name.lower() in ("authorization", "content-type", "idempotency-key")
                    },
                )
                try:
                    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
                        self._send(answer.status, answer.read())
                except urllib.error.HTTPError as failed:
                    self._send(failed.code, failed.read())

            def do_GET(self) -> None:
                self._proxy(None)

            def do_DELETE(self) -> None:
                self._proxy(None)

            def do_POST(self) -> None:
                body = self._body()
                params = dict(parse_qsl(body.decode(), keep_blank_values=True))
                if self.path == "/v1/checkout/sessions":
                    fake.checkout_requests.append(params)
                    number = len(fake.checkout_requests)
                    session = {
                        "id": f"cs_test_fake_{number}",
                        "object": "checkout.session",
                        "mode": params.get("mode"),
                        "customer": params.get("customer"),
                        "url": f"https://checkout.stripe.test/c/pay/cs_test_fake_{number}",
                    }
                    self._send(200, json.dumps(session).encode())
                elif self.path == "/v1/billing_portal/sessions":
                    fake.portal_requests.append(params)
                    session = {
                        "id": "bps_test_fake",
                        "object": "billing_portal.session",
                        "customer": params.get("customer"),
                        "url": "https://billing.stripe.test/p/session/bps_test_fake",
                    }
                    self._send(200, json.dumps(session).encode())
                else:
                    self._proxy(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> CheckoutAndPortalFake:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def signed_headers(payload: str, secret: str = WEBHOOK_SECRET, at: int | None = None) -> dict:
    """The Stripe-Signature header Stripe would send, made by the SDK's own signer."""
    at = int(time.time()) if at is None else at
    signature = stripe.WebhookSignature._compute_signature(f"{at}.{payload}", secret)
    return {"HTTP_STRIPE_SIGNATURE": f"t={at},v1={signature}"}


def event(event_type: str, obj: dict, *, event_id: str, created: int) -> str:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": event_type,
            "created": created,
            "livemode": False,
            "data": {"object": obj},
        }
    )
