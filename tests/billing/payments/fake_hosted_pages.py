"""A FAKE of the providers' HOSTED payment pages, served by the fake provider APIs (see
fake_provider_apis.py) for browser tests: nothing of Stripe's or Razorpay's runs here.

* Stripe Checkout: GET /fake-hosted/stripe/<session id> is the page the session's `url`
  names; its Pay button (POST .../pay) marks the session paid, sends `checkout.session.
  completed` signed as Stripe signs (`stripe.WebhookSignature`, the SDK's own function) to
  the shop's /billing/webhooks/stripe/, and redirects to the session's `success_url`.
* Razorpay hosted checkout: POST /v1/checkout/embedded (the form the shop's page posts)
  shows the order; its Pay button (POST /fake-hosted/razorpay/<order id>/pay) marks the
  order paid, sends `payment.captured` signed as Razorpay signs (HMAC-SHA256 hex of the raw
  body under the webhook secret) and posts `razorpay_payment_id`, `razorpay_order_id` and
  `razorpay_signature` (HMAC-SHA256 of `order_id|payment_id` under the key secret) to the
  form's `callback_url`, as Razorpay's page does.

Not our pages: these carry an inline script (the auto-posting form) and no CSP."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import time
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import stripe

if TYPE_CHECKING:
    from tests.billing.payments.fake_provider_apis import FakeProviderApis

HTML = "text/html; charset=utf-8"


def _page(title: str, body: str) -> bytes:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title></head><body><main><h1>{escape(title)}</h1>{body}</main></body></html>"
    ).encode()


def _webhook_url(return_url: str, provider: str) -> tuple[str, str, str]:
    """(host:port to connect to, Host header, path) of the shop's webhook for a return URL."""
    parts = urlsplit(return_url)
    port = parts.port or 80
    return f"127.0.0.1:{port}", parts.netloc, f"/billing/webhooks/{provider}/"


def _deliver(fake: FakeProviderApis, return_url: str, provider: str, body: str, headers: dict):
    address, host, path = _webhook_url(return_url, provider)
    connection = http.client.HTTPConnection(address, timeout=30)
    try:
        connection.request(
            "POST",
            path,
            body=body.encode(),
            headers={"Host": host, "Content-Type": "application/json", **headers},
        )
        status = connection.getresponse().status
    finally:
        connection.close()
    fake.deliveries.append((f"http://{host}{path}", status))


def serve(fake: FakeProviderApis, method: str, path: str, body: bytes):
    """(status, body, content type, location) for a hosted page's path; None for others."""
    parts = path.strip("/").split("/")
    if parts[:2] == ["fake-hosted", "stripe"] and len(parts) >= 3:
        return _stripe(fake, method, parts[2], parts[3:])
    if parts == ["v1", "checkout", "embedded"] and method == "POST":
        return _razorpay_embedded(fake, parse_qs(body.decode()))
    if parts[:2] == ["fake-hosted", "razorpay"] and len(parts) == 4 and method == "POST":
        return _razorpay_pay(fake, parts[2])
    return None


def _stripe(fake: FakeProviderApis, method: str, session_id: str, rest: list[str]):
    session = fake.sessions.get(session_id)
    if session is None:
        return 404, _page("Fake Stripe Checkout", "<p>No such session.</p>"), HTML, ""
    if method == "GET" and not rest:
        amount = f"{session['amount_total']} {session['currency'].upper()} (minor units)"
        body = (
            "<p>FAKE of Stripe's hosted Checkout page, for tests.</p>"
            f'<p id="fake-amount">{escape(amount)}</p>'
            f'<form method="post" action="/fake-hosted/stripe/{escape(session_id)}/pay">'
            '<button type="submit">Pay</button></form>'
            f'<p><a href="{escape(session["cancel_url"])}">Back to the shop</a></p>'
        )
        return 200, _page("Fake Stripe Checkout", body), HTML, ""
    if method == "POST" and rest == ["pay"]:
        paid = fake.stripe_pay(session_id)
        secret = fake.webhook_secrets.get("stripe")
        if secret:
            event = {
                "id": f"evt_fake_{session_id}",
                "object": "event",
                "type": "checkout.session.completed",
                "created": int(time.time()),
                "data": {"object": paid},
            }
            payload = json.dumps(event)
            header = stripe.WebhookSignature.generate_signature_header(payload, secret)
            _deliver(fake, paid["success_url"], "stripe", payload, {"Stripe-Signature": header})
        return 303, b"", HTML, paid["success_url"]
    return 404, _page("Fake Stripe Checkout", "<p>No such page.</p>"), HTML, ""


def _razorpay_embedded(fake: FakeProviderApis, form: dict[str, list[str]]):
    fields = {key: values[0] for key, values in form.items()}
    order = fake.orders.get(fields.get("order_id", ""))
    if order is None or fields.get("key_id", "") == "":
        return 400, _page("Fake Razorpay Checkout", "<p>No such order.</p>"), HTML, ""
    fake.checkout_forms[order["id"]] = fields
    amount = f"{order['amount']} {order['currency']} (minor units)"
    body = (
        "<p>FAKE of Razorpay's hosted checkout page, for tests.</p>"
        f"<p>{escape(fields.get('name', ''))}: {escape(fields.get('description', ''))}</p>"
        f'<p id="fake-amount">{escape(amount)}</p>'
        f'<form method="post" action="/fake-hosted/razorpay/{escape(order["id"])}/pay">'
        '<button type="submit">Pay</button></form>'
        f'<p><a href="{escape(fields.get("cancel_url", ""))}">Back to the shop</a></p>'
    )
    return 200, _page("Fake Razorpay Checkout", body), HTML, ""


def _hmac_hex(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def _razorpay_pay(fake: FakeProviderApis, order_id: str):
    fields = fake.checkout_forms.get(order_id)
    if fields is None:
        return 404, _page("Fake Razorpay Checkout", "<p>No such checkout.</p>"), HTML, ""
    payment_id = fake.razorpay_pay(order_id)
    order = fake.orders[order_id]
    secret = fake.webhook_secrets.get("razorpay")
    if secret:
        event: dict[str, Any] = {
            "entity": "event",
            "event": "payment.captured",
            "contains": ["payment"],
            "payload": {
                "payment": {
                    "entity": {
                        "id": payment_id,
                        "entity": "payment",
                        "order_id": order_id,
                        "amount": order["amount"],
                        "currency": order["currency"],
                        "status": "captured",
                    }
                }
            },
            "created_at": int(time.time()),
        }
        payload = json.dumps(event)
        _deliver(
            fake,
            fields["callback_url"],
            "razorpay",
            payload,
            {
                "X-Razorpay-Signature": _hmac_hex(secret, payload),
                "X-Razorpay-Event-Id": f"evt_fake_{payment_id}",
            },
        )
    signature = _hmac_hex(fake.razorpay_key_secret, f"{order_id}|{payment_id}")
    body = (
        f'<form method="post" action="{escape(fields["callback_url"])}" id="back">'
        f'<input type="hidden" name="razorpay_payment_id" value="{escape(payment_id)}">'
        f'<input type="hidden" name="razorpay_order_id" value="{escape(order_id)}">'
        f'<input type="hidden" name="razorpay_signature" value="{escape(signature)}">'
        '<button type="submit">Return to the shop</button></form>'
        "<script>document.getElementById('back').submit();</script>"
    )
    return 200, _page("Fake Razorpay Checkout: paid", body), HTML, ""
