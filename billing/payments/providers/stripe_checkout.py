"""Stripe through its official SDK: a `StripeClient` per tenant secret key, Checkout
Sessions in payment mode, refunds, and webhook verification with `stripe.Webhook`.
`settings.PAYMENTS_STRIPE_API_BASE` points the client elsewhere (tests)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import stripe
from django.conf import settings

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

# Stripe's own tolerance for the Stripe-Signature timestamp, in seconds.
SIGNATURE_TOLERANCE = 300


def _client(secret_key: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        secret_key,
        base_addresses={"api": settings.PAYMENTS_STRIPE_API_BASE},
        max_network_retries=0,
    )


def checkout_create(
    *,
    secret_key: str,
    amount: int,
    currency: str,
    product_name: str,
    payment_public_id: str,
    tenant_schema: str,
    customer_email: str,
    success_url: str,
    cancel_url: str,
    expires_at: datetime,
) -> ProviderCheckout:
    """A Checkout Session for one payment attempt (unit_amount in minor units)."""
    metadata = {"payment_id": payment_public_id, "tenant_schema": tenant_schema}
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": currency.lower(),
                    "unit_amount": amount,
                    "product_data": {"name": product_name[:250]},
                },
            }
        ],
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
        "client_reference_id": payment_public_id,
        "customer_email": customer_email,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "expires_at": int(expires_at.timestamp()),
    }
    try:
        session = _client(secret_key).v1.checkout.sessions.create(
            params, {"idempotency_key": f"checkout-{payment_public_id}"}
        )
    except stripe.StripeError as exc:
        raise ProviderError(f"stripe checkout: {exc}") from exc
    return ProviderCheckout(order_id=session.id, redirect_url=session.url or "")


def _state_of_session(session: dict[str, Any]) -> ProviderState:
    payment_intent = session.get("payment_intent") or ""
    if isinstance(payment_intent, dict):
        payment_intent = payment_intent.get("id", "")
    payment_intent = as_text(payment_intent)
    amount = as_amount(session.get("amount_total"))
    currency = as_text(session.get("currency")).upper()
    if session.get("payment_status") in {"paid", "no_payment_required"}:
        status = "paid"
    elif session.get("status") == "expired":
        status = "expired"
    else:
        status = "pending"
    return ProviderState(status, amount, currency, payment_intent)


def checkout_state(*, secret_key: str, session_id: str) -> ProviderState:
    try:
        session = _client(secret_key).v1.checkout.sessions.retrieve(session_id)
    except stripe.StripeError as exc:
        raise ProviderError(f"stripe session retrieve: {exc}") from exc
    return _state_of_session(session.to_dict())


def checkout_expire(*, secret_key: str, session_id: str) -> ProviderState:
    """Close a Checkout Session at Stripe, so nobody can pay it any more; the session's
    state after (paid, if the learner paid it before it closed)."""
    try:
        session = _client(secret_key).v1.checkout.sessions.expire(session_id)
    except stripe.InvalidRequestError:  # not open any more: paid, or expired already
        return checkout_state(secret_key=secret_key, session_id=session_id)
    except stripe.StripeError as exc:
        raise ProviderError(f"stripe session expire: {exc}") from exc
    return _state_of_session(session.to_dict())


def refund_create(*, secret_key: str, payment_intent_id: str, amount: int, key: str) -> str:
    """Refund `amount` minor units of a paid PaymentIntent; the refund's id."""
    try:
        refund = _client(secret_key).v1.refunds.create(
            {"payment_intent": payment_intent_id, "amount": amount}, {"idempotency_key": key}
        )
    except stripe.StripeError as exc:
        raise ProviderError(f"stripe refund: {exc}") from exc
    return refund.id


def webhook_event(*, raw_body: bytes, signature: str, secret: str) -> ProviderWebhookEvent:
    """The event, if Stripe-Signature verifies over the raw body within 300 s."""
    try:
        event = stripe.Webhook.construct_event(
            raw_body, signature, secret, tolerance=SIGNATURE_TOLERANCE
        )
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise WebhookRejected(str(exc)) from exc
    payload = event.to_dict()
    obj = as_dict(as_dict(payload.get("data")).get("object"))
    event_type = as_text(payload.get("type"))
    if not as_text(payload.get("id")) or not event_type:
        raise WebhookRejected("no event id or type")
    metadata = as_dict(obj.get("metadata"))
    if event_type == "charge.refunded":
        # The charge names the PaymentIntent; the session is found through it.
        return ProviderWebhookEvent(
            event_id=payload["id"],
            event_type=event_type,
            payload=payload,
            payment_id=as_text(obj.get("payment_intent")),
            refunded_amount=as_amount(obj.get("amount_refunded")),
            currency=as_text(obj.get("currency")).upper(),
            tenant_schema=as_text(metadata.get("tenant_schema")),
        )
    state = _state_of_session(obj) if obj.get("object") == "checkout.session" else None
    return ProviderWebhookEvent(
        event_id=payload["id"],
        event_type=event_type,
        payload=payload,
        order_id=as_text(obj.get("id")) if state else "",
        payment_id=state.payment_id if state else "",
        amount=state.amount if state else None,
        currency=state.currency if state else "",
        tenant_schema=as_text(metadata.get("tenant_schema")),
    )
