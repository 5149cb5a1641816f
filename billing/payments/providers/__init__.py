"""The payment providers a tenant connects: Stripe (Checkout Sessions) and Razorpay (Orders),
each through its official SDK, each built per tenant from its stored, sealed keys."""

from __future__ import annotations

from billing.payments.providers.common import (
    ProviderCheckout,
    ProviderError,
    ProviderState,
    WebhookRejected,
)

__all__ = ["ProviderCheckout", "ProviderError", "ProviderState", "WebhookRejected"]
