"""What every provider adapter returns, in our terms (minor units, ISO capitals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class ProviderError(Exception):
    """The provider refused a call or could not be reached; the message is for logs."""


class WebhookRejected(Exception):
    """A webhook delivery whose signature or body does not verify."""


@dataclass(frozen=True)
class ProviderCheckout:
    """A checkout the provider has opened for one payment attempt."""

    order_id: str  # Stripe Checkout Session id / Razorpay order id
    redirect_url: str = ""  # Stripe: where the learner pays
    # Razorpay: what its Checkout needs in the browser (key id, order id, amount, currency).
    client_data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderState:
    """What the provider says about an order: paid / pending / failed / expired."""

    status: str
    amount: int | None = None
    currency: str = ""
    payment_id: str = ""


@dataclass(frozen=True)
class ProviderWebhookEvent:
    """A verified webhook event, reduced to what the services act on."""

    event_id: str
    event_type: str
    payload: dict[str, Any]
    # The order (Stripe session / Razorpay order) the event is about, if any.
    order_id: str = ""
    payment_id: str = ""
    amount: int | None = None
    currency: str = ""
    # For refunds: the total refunded so far, in minor units.
    refunded_amount: int | None = None
    # The tenant schema the order's metadata names (Stripe), if any.
    tenant_schema: str = ""


def as_dict(value: Any) -> dict[str, Any]:
    """`value` if it is an object, else {}: a signed but odd payload never breaks us."""
    return value if isinstance(value, dict) else {}


def as_amount(value: Any) -> int | None:
    """An integer amount of minor units, or None for anything else."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else ""
