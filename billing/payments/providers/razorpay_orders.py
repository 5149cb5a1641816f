"""Razorpay through its official SDK: an Order per payment attempt (with our unique
`receipt`), fetching an order's state, refunds, and the two signature checks of its
`Utility`. `settings.PAYMENTS_RAZORPAY_API_BASE` points the client elsewhere (tests)."""

from __future__ import annotations

import json

import razorpay
import requests
from razorpay.errors import BadRequestError, GatewayError, ServerError, SignatureVerificationError

from billing.payments.providers.common import (
    ProviderCheckout,
    ProviderError,
    ProviderState,
    ProviderWebhookEvent,
    WebhookRejected,
    as_amount,
    as_dict,
    as_text,
)

_FAILURES = (BadRequestError, GatewayError, ServerError, requests.RequestException, ValueError)
TIMEOUT_SECONDS = 15


def _client(key_id: str, key_secret: str) -> razorpay.Client:
    from django.conf import settings

    return razorpay.Client(auth=(key_id, key_secret), base_url=settings.PAYMENTS_RAZORPAY_API_BASE)


def order_create(
    *,
    key_id: str,
    key_secret: str,
    amount: int,
    currency: str,
    receipt: str,
    notes: dict[str, str],
    name: str,
    description: str,
    prefill_email: str,
) -> ProviderCheckout:
    try:
        order = _client(key_id, key_secret).order.create(
            {"amount": amount, "currency": currency, "receipt": receipt, "notes": notes},
            timeout=TIMEOUT_SECONDS,
        )
    except _FAILURES as exc:
        raise ProviderError(f"razorpay order: {exc}") from exc
    return ProviderCheckout(
        order_id=order["id"],
        client_data={
            "key": key_id,
            "order_id": order["id"],
            "amount": amount,
            "currency": currency,
            "name": name,
            "description": description,
            "prefill": {"email": prefill_email},
        },
    )


def order_state(*, key_id: str, key_secret: str, order_id: str) -> ProviderState:
    """The order's state; for a paid order the captured payment's id."""
    client = _client(key_id, key_secret)
    try:
        order = client.order.fetch(order_id, timeout=TIMEOUT_SECONDS)
        payment_id = ""
        if order.get("status") == "paid":
            payments = client.order.payments(order_id, timeout=TIMEOUT_SECONDS)
            captured = [p for p in payments.get("items", []) if p.get("status") == "captured"]
            payment_id = captured[0]["id"] if captured else ""
    except _FAILURES as exc:
        raise ProviderError(f"razorpay order fetch: {exc}") from exc
    status = "paid" if order.get("status") == "paid" else "pending"
    return ProviderState(
        status, order.get("amount_paid"), (order.get("currency") or "").upper(), payment_id
    )


def checkout_signature_valid(
    *, key_id: str, key_secret: str, order_id: str, payment_id: str, signature: str
) -> bool:
    """Razorpay Checkout's HMAC-SHA256 of `order_id|payment_id`; `order_id` is the one WE
    stored for the payment, never one the browser sent."""
    try:
        return bool(
            _client(key_id, key_secret).utility.verify_payment_signature(
                {
                    "razorpay_order_id": order_id,
                    "razorpay_payment_id": payment_id,
                    "razorpay_signature": signature,
                }
            )
        )
    except (SignatureVerificationError, TypeError, ValueError):
        return False


def refund_create(
    *, key_id: str, key_secret: str, payment_id: str, amount: int, receipt: str
) -> str:
    try:
        refund = _client(key_id, key_secret).payment.refund(
            payment_id, {"amount": amount, "receipt": receipt}, timeout=TIMEOUT_SECONDS
        )
    except _FAILURES as exc:
        raise ProviderError(f"razorpay refund: {exc}") from exc
    return refund["id"]


def webhook_event(
    *, raw_body: bytes, signature: str, secret: str, event_id: str
) -> ProviderWebhookEvent:
    """The event, if X-Razorpay-Signature verifies over the raw body. Razorpay names each
    delivery's event in the X-Razorpay-Event-Id header."""
    try:
        body = raw_body.decode()
        razorpay.Client(auth=("", "")).utility.verify_webhook_signature(body, signature, secret)
        payload = json.loads(body)
    except (SignatureVerificationError, UnicodeDecodeError, ValueError, TypeError) as exc:
        raise WebhookRejected(str(exc)) from exc
    if not isinstance(payload, dict) or not event_id or not as_text(payload.get("event")):
        raise WebhookRejected("no event id or type")
    entities = as_dict(payload.get("payload"))
    payment = as_dict(as_dict(entities.get("payment")).get("entity"))
    order = as_dict(as_dict(entities.get("order")).get("entity"))
    refund = as_dict(as_dict(entities.get("refund")).get("entity"))
    event_type = payload["event"]
    if event_type == "refund.processed":
        return ProviderWebhookEvent(
            event_id=event_id,
            event_type=event_type,
            payload=payload,
            payment_id=as_text(refund.get("payment_id")) or as_text(payment.get("id")),
            refunded_amount=as_amount(payment.get("amount_refunded")),
            currency=as_text(refund.get("currency")).upper(),
        )
    return ProviderWebhookEvent(
        event_id=event_id,
        event_type=event_type,
        payload=payload,
        order_id=as_text(payment.get("order_id")) or as_text(order.get("id")),
        payment_id=as_text(payment.get("id")),
        amount=as_amount(payment.get("amount") if payment else order.get("amount_paid")),
        currency=(as_text(payment.get("currency")) or as_text(order.get("currency"))).upper(),
    )
