"""One door to the providers for the services: picks the adapter for a payment's provider
and opens the tenant's keys for the call."""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.utils.translation import gettext as _

from billing.payments.errors import PaymentErrorCode
from billing.payments.models import CoursePayment, Provider
from billing.payments.providers import razorpay_orders, stripe_checkout
from billing.payments.providers.common import ProviderCheckout, ProviderError, ProviderState
from billing.payments.services.accounts import ProviderKeys, provider_keys
from core.errors import ApplicationError, FieldError, ValidationFailed


def provider_unavailable() -> ApplicationError:
    return ApplicationError(
        code=PaymentErrorCode.PROVIDER_UNAVAILABLE,
        message=_("The payment provider could not be reached. Try again in a moment."),
        status=502,
    )


def keys_for(provider: str) -> ProviderKeys:
    keys = provider_keys(provider) if provider in Provider.values else None
    if keys is None:
        raise ValidationFailed(
            PaymentErrorCode.PROVIDER_NOT_CONNECTED,
            _("This school does not take payments with that provider."),
            [FieldError("provider", _("Choose a provider this school has connected."))],
        )
    return keys


def checkout_open(
    payment: CoursePayment, *, success_url: str, cancel_url: str, expires_at: datetime
) -> ProviderCheckout:
    keys = keys_for(payment.provider)
    try:
        if payment.provider == Provider.STRIPE:
            return stripe_checkout.checkout_create(
                secret_key=keys.key_secret,
                amount=payment.amount,
                currency=payment.currency,
                product_name=payment.course.title,
                payment_public_id=str(payment.public_id),
                tenant_schema=connection.schema_name,
                customer_email=payment.learner.email,
                success_url=success_url,
                cancel_url=cancel_url,
                expires_at=expires_at,
            )
        return razorpay_orders.order_create(
            key_id=keys.key_id,
            key_secret=keys.key_secret,
            amount=payment.amount,
            currency=payment.currency,
            receipt=payment.receipt,
            notes={"payment_id": str(payment.public_id), "tenant_schema": connection.schema_name},
            name=payment.course.title[:100],
            description=payment.course.title[:255],
            prefill_email=payment.learner.email,
        )
    except ProviderError as exc:
        raise provider_unavailable() from exc


def razorpay_client_data(payment: CoursePayment) -> dict:
    """What Razorpay Checkout needs in the browser to pay an existing order."""
    keys = keys_for(Provider.RAZORPAY)
    return {
        "key": keys.key_id,
        "order_id": payment.provider_order_id,
        "amount": payment.amount,
        "currency": payment.currency,
        "name": payment.course.title[:100],
        "description": payment.course.title[:255],
        "prefill": {"email": payment.learner.email},
    }


def state_of(payment: CoursePayment) -> ProviderState:
    """What the provider says about the payment's order (ProviderError when unreachable)."""
    keys = keys_for(payment.provider)
    if payment.provider == Provider.STRIPE:
        return stripe_checkout.checkout_state(
            secret_key=keys.key_secret, session_id=payment.provider_order_id
        )
    return razorpay_orders.order_state(
        key_id=keys.key_id, key_secret=keys.key_secret, order_id=payment.provider_order_id
    )


def checkout_close(payment: CoursePayment) -> ProviderState:
    """Stop the payment's order from being paid where the provider allows it (a Stripe
    Checkout Session is expired; a Razorpay order cannot be closed, and a late payment of
    it is flagged for the admin), and say its state after (ProviderError when
    unreachable). A payment is closed on our side only after this."""
    keys = keys_for(payment.provider)
    if payment.provider == Provider.STRIPE:
        return stripe_checkout.checkout_expire(
            secret_key=keys.key_secret, session_id=payment.provider_order_id
        )
    return state_of(payment)


def refund_open(payment: CoursePayment, *, amount: int, idempotency_key: str) -> str:
    keys = keys_for(payment.provider)
    try:
        if payment.provider == Provider.STRIPE:
            return stripe_checkout.refund_create(
                secret_key=keys.key_secret,
                payment_intent_id=payment.provider_payment_id,
                amount=amount,
                key=idempotency_key,
            )
        return razorpay_orders.refund_create(
            key_id=keys.key_id,
            key_secret=keys.key_secret,
            payment_id=payment.provider_payment_id,
            amount=amount,
            receipt=idempotency_key[:40],
        )
    except ProviderError as exc:
        raise provider_unavailable() from exc
