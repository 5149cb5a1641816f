"""A FAKE of the two provider HTTP APIs our code calls, served on loopback for the tests.

Nothing real runs here for them: localstripe has no Checkout Sessions (RECIPES.md: legacy
Plan/Product only) and Razorpay has no local server. This fake answers only what the
official SDKs ask of it, in the providers' documented shapes:

* Stripe: POST /v1/checkout/sessions, GET /v1/checkout/sessions/<id>,
  POST /v1/checkout/sessions/<id>/expire, POST /v1/refunds
  (form-encoded requests, JSON objects with `object` set, as the SDK expects).
* Razorpay: POST /v1/orders, GET /v1/orders/<id>, GET /v1/orders/<id>/payments,
  POST /v1/payments/<id>/refund (JSON, HTTP basic auth).

Tests move an order to paid with `stripe_pay` / `razorpay_pay` (the learner paying on the
provider's page), or let a browser do it on the FAKE hosted pages (see fake_hosted_pages.py):
Stripe's Checkout page at the session's `url`, Razorpay's hosted checkout at
POST /v1/checkout/embedded. Those pages, once their Pay button is clicked, send the signed
webhook to the shop's /billing/webhooks/<provider>/ when `webhook_secrets` holds the
provider's secret, and send the browser back as the provider would."""

from __future__ import annotations

import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from tests.billing.payments import fake_hosted_pages

_numbers = itertools.count(1)


def _next(prefix: str) -> str:
    return f"{prefix}_fake{next(_numbers):08d}"


class FakeProviderApis:
    def __init__(self) -> None:
        self.sessions: dict[str, dict[str, Any]] = {}
        self.orders: dict[str, dict[str, Any]] = {}
        self.order_payments: dict[str, list[dict[str, Any]]] = {}
        self.refunds: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str]] = []
        self.fail_next = 0  # answer the next N calls with 500
        # For the fake hosted pages: the secrets the real provider would sign with.
        self.webhook_secrets: dict[str, str] = {}
        self.razorpay_key_secret = ""
        self.checkout_forms: dict[str, dict[str, str]] = {}  # Razorpay order id → posted form
        self.deliveries: list[tuple[str, int]] = []  # (webhook URL, our answer's status)
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                self._answer_raw(status, json.dumps(body).encode(), "application/json")

            def _answer_raw(
                self, status: int, data: bytes, content_type: str, location: str = ""
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                if location:
                    self.send_header("Location", location)
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def do_GET(self) -> None:
                fake._serve(self, "GET", b"")

            def do_POST(self) -> None:
                fake._serve(self, "POST", self._body())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeProviderApis:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- what a learner does on the provider's page -----------------------------------------
    def stripe_pay(self, session_id: str) -> dict[str, Any]:
        with self._lock:
            session = self.sessions[session_id]
            session.update(payment_status="paid", status="complete", payment_intent=_next("pi"))
            return dict(session)

    def razorpay_pay(self, order_id: str) -> str:
        with self._lock:
            order = self.orders[order_id]
            payment_id = _next("pay")
            order.update(status="paid", amount_paid=order["amount"], amount_due=0)
            self.order_payments.setdefault(order_id, []).append(
                {
                    "id": payment_id,
                    "entity": "payment",
                    "order_id": order_id,
                    "amount": order["amount"],
                    "currency": order["currency"],
                    "status": "captured",
                }
            )
            return payment_id

    # -- the HTTP side ----------------------------------------------------------------------
    def _serve(self, handler, method: str, body: bytes) -> None:
        path = handler.path.split("?")[0]
        self.requests.append((method, path))
        hosted = fake_hosted_pages.serve(self, method, path, body)
        if hosted is not None:
            handler._answer_raw(*hosted)
            return
        if self.fail_next:
            self.fail_next -= 1
            handler._answer(500, {"error": {"message": "fake outage"}})
            return
        with self._lock:
            status, answer = self._route(method, path, body)
        handler._answer(status, answer)

    def _route(self, method: str, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        parts = path.strip("/").split("/")
        if parts[:3] == ["v1", "checkout", "sessions"]:
            if method == "POST" and len(parts) == 3:
                return 200, self._session_create(parse_qs(body.decode()))
            if method == "GET" and len(parts) == 4 and parts[3] in self.sessions:
                return 200, self.sessions[parts[3]]
            if method == "POST" and len(parts) == 5 and parts[4] == "expire":
                session = self.sessions.get(parts[3])
                if session is None or session["status"] != "open":
                    return 400, {
                        "error": {"type": "invalid_request_error", "message": "fake: not open"}
                    }
                session["status"] = "expired"
                return 200, session
        if parts == ["v1", "refunds"] and method == "POST":
            form = parse_qs(body.decode())
            refund = {
                "id": _next("re"),
                "object": "refund",
                "amount": int(form["amount"][0]),
                "payment_intent": form["payment_intent"][0],
                "status": "succeeded",
            }
            self.refunds.append(refund)
            return 200, refund
        if parts[:2] == ["v1", "orders"]:
            if method == "POST" and len(parts) == 2:
                return 200, self._order_create(json.loads(body or b"{}"))
            if method == "GET" and len(parts) == 3 and parts[2] in self.orders:
                return 200, self.orders[parts[2]]
            if method == "GET" and len(parts) == 4 and parts[3] == "payments":
                items = self.order_payments.get(parts[2], [])
                return 200, {"entity": "collection", "count": len(items), "items": items}
        if parts[:2] == ["v1", "payments"] and len(parts) == 4 and parts[3] == "refund":
            data = json.loads(body or b"{}")
            refund = {
                "id": _next("rfnd"),
                "entity": "refund",
                "payment_id": parts[2],
                "amount": data["amount"],
                "status": "processed",
            }
            self.refunds.append(refund)
            return 200, refund
        return 404, {"error": {"message": f"fake: no route {method} {path}"}}

    def _session_create(self, form: dict[str, list[str]]) -> dict[str, Any]:
        def one(key: str) -> str:
            return form[key][0]

        session_id = _next("cs_test")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": one("mode"),
            "url": f"{self.url}/fake-hosted/stripe/{session_id}",
            "amount_total": int(one("line_items[0][price_data][unit_amount]")),
            "currency": one("line_items[0][price_data][currency]"),
            "payment_status": "unpaid",
            "status": "open",
            "payment_intent": None,
            "expires_at": int(one("expires_at")),
            "success_url": one("success_url"),
            "cancel_url": one("cancel_url"),
            "client_reference_id": one("client_reference_id"),
            "metadata": {
                "payment_id": one("metadata[payment_id]"),
                "tenant_schema": one("metadata[tenant_schema]"),
            },
        }
        self.sessions[session_id] = session
        return session

    def _order_create(self, data: dict[str, Any]) -> dict[str, Any]:
        receipts = {order["receipt"] for order in self.orders.values()}
        if data["receipt"] in receipts:
            raise AssertionError("a receipt was used twice")
        order_id = _next("order")
        order = {
            "id": order_id,
            "entity": "order",
            "amount": data["amount"],
            "amount_paid": 0,
            "amount_due": data["amount"],
            "currency": data["currency"],
            "receipt": data["receipt"],
            "status": "created",
            "notes": data.get("notes", {}),
        }
        self.orders[order_id] = order
        return order
