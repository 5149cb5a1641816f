"""Provider webhooks: verify the signature over the raw body, keep the event once under
(provider, event_id), and apply it through the settlement services. A duplicate delivery
does nothing; an unknown type is kept and ignored; an event about an order this tenant does
not have is refused and nothing is kept."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from billing.payments.models import (
    CoursePayment,
    EventOutcome,
    PaymentStatus,
    Provider,
    ProviderEvent,
)
from billing.payments.providers import razorpay_orders, stripe_checkout
from billing.payments.providers.common import ProviderWebhookEvent, WebhookRejected
from billing.payments.services.accounts import provider_keys
from billing.payments.services.settlement import (
    payment_close,
    payment_mark_paid,
    payment_refunded_to,
)

logger = logging.getLogger(__name__)


class EventRefused(Exception):
    """A verified event about an order that is not this tenant's; nothing is kept."""


@dataclass(frozen=True)
class EventReceipt:
    outcome: str  # applied / ignored / duplicate
    event_id: str


STRIPE_TYPES = frozenset(
    {
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "checkout.session.async_payment_failed",
        "checkout.session.expired",
        "charge.refunded",
    }
)
RAZORPAY_TYPES = frozenset({"payment.captured", "order.paid", "payment.failed", "refund.processed"})


def _verified(provider: str, raw_body: bytes, headers) -> ProviderWebhookEvent:
    keys = provider_keys(provider) if provider in Provider.values else None
    if keys is None or not keys.webhook_secret:
        raise WebhookRejected("provider not connected")
    if provider == Provider.STRIPE:
        return stripe_checkout.webhook_event(
            raw_body=raw_body,
            signature=headers.get("Stripe-Signature", ""),
            secret=keys.webhook_secret,
        )
    return razorpay_orders.webhook_event(
        raw_body=raw_body,
        signature=headers.get("X-Razorpay-Signature", ""),
        secret=keys.webhook_secret,
        event_id=(headers.get("X-Razorpay-Event-Id", "") or "")[:255],
    )


def provider_webhook_receive(*, provider: str, raw_body: bytes, headers) -> EventReceipt:
    """Handle one delivery. WebhookRejected: the signature does not verify (nothing kept);
    EventRefused: not this tenant's order (nothing kept)."""
    event = _verified(provider, raw_body, headers)
    if event.tenant_schema and event.tenant_schema != connection.schema_name:
        raise EventRefused(f"event for tenant schema {event.tenant_schema!r}")
    with transaction.atomic():
        try:
            with transaction.atomic():
                stored = ProviderEvent.objects.create(
                    provider=provider,
                    event_id=event.event_id[:255],
                    event_type=event.event_type[:100],
                    payload=event.payload,
                )
        except IntegrityError:
            return EventReceipt("duplicate", event.event_id)
        known = STRIPE_TYPES if provider == Provider.STRIPE else RAZORPAY_TYPES
        if event.event_type not in known:
            outcome, detail = EventOutcome.IGNORED, "type not handled"
        else:
            detail = _apply(provider, event)
            outcome = EventOutcome.APPLIED
        stored.outcome = outcome
        stored.detail = detail[:300]
        stored.processed_at = timezone.now()
        stored.save(update_fields=["outcome", "detail", "processed_at"])
    return EventReceipt(str(outcome), event.event_id)


def _payment_of(provider: str, event: ProviderWebhookEvent) -> CoursePayment:
    payments = CoursePayment.objects.filter(provider=provider)
    if event.order_id:
        payment = payments.filter(provider_order_id=event.order_id).first()
    elif event.payment_id:
        payment = payments.filter(provider_payment_id=event.payment_id).first()
    else:
        payment = None
    if payment is None:
        raise EventRefused("no such order in this tenant")
    return payment


def _apply(provider: str, event: ProviderWebhookEvent) -> str:
    payment = _payment_of(provider, event)
    kind = event.event_type
    if kind in (
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "payment.captured",
        "order.paid",
    ):
        completed_unpaid = kind == "checkout.session.completed" and (
            event.payload.get("data", {}).get("object", {}).get("payment_status") == "unpaid"
        )
        if completed_unpaid:
            # Delayed payment methods: the async_payment_* event follows.
            return "awaiting asynchronous payment"
        settled = payment_mark_paid(
            payment_id=payment.pk,
            amount=event.amount,
            currency=event.currency,
            provider_payment_id=event.payment_id,
        )
        return f"payment {settled.public_id}: {settled.status}"
    if kind == "checkout.session.async_payment_failed":
        closed = payment_close(payment_id=payment.pk, status=PaymentStatus.FAILED)
        return f"payment {closed.public_id}: {closed.status}"
    if kind == "payment.failed":
        # Razorpay: one card attempt failed; the learner may retry in the same Checkout.
        # The order stays open until it is paid or times out.
        return f"payment {payment.public_id}: attempt failed, still {payment.status}"
    if kind == "checkout.session.expired":
        closed = payment_close(payment_id=payment.pk, status=PaymentStatus.EXPIRED)
        return f"payment {closed.public_id}: {closed.status}"
    # charge.refunded / refund.processed: the total refunded so far.
    if event.refunded_amount is None:
        return "refund without a total: nothing to record"
    refunded = payment_refunded_to(payment_id=payment.pk, refunded_amount=event.refunded_amount)
    return f"payment {refunded.public_id}: {refunded.status}"
