"""Fixtures of the course payment tests: the FAKE provider APIs on loopback (see
fake_provider_apis.py), a tenant with Stripe and Razorpay connected through the service,
and webhook deliveries signed with the providers' own SDK functions."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
import razorpay
import stripe
from django_tenants.utils import schema_context

from billing.payments.services.accounts import payment_account_save
from tenant_apps.people.models import Role
from tests.billing.payments.fake_provider_apis import FakeProviderApis
from tests.builders import course_build

STRIPE_SECRET_KEY = "sk_test_" + "a1" * 12
STRIPE_WEBHOOK_SECRET = "whsec_" + "b2" * 16
RAZORPAY_KEY_ID = "rzp_test_" + "C3d4E5f6G7"
RAZORPAY_KEY_SECRET = "razorpay-key-secret-" + "x" * 8
RAZORPAY_WEBHOOK_SECRET = "razorpay-webhook-secret"


@pytest.fixture
def fake_apis(settings) -> Iterator[FakeProviderApis]:
    with FakeProviderApis() as fake:
        settings.PAYMENTS_STRIPE_API_BASE = fake.url
        settings.PAYMENTS_RAZORPAY_API_BASE = fake.url
        yield fake


def connect_providers(actor=None) -> None:
    """Both providers connected in the current schema, through the service."""
    payment_account_save(
        provider="stripe",
        key_secret=STRIPE_SECRET_KEY,
        webhook_secret=STRIPE_WEBHOOK_SECRET,
        actor=actor,
    )
    payment_account_save(
        provider="razorpay",
        key_id=RAZORPAY_KEY_ID,
        key_secret=RAZORPAY_KEY_SECRET,
        webhook_secret=RAZORPAY_WEBHOOK_SECRET,
        actor=actor,
    )


@pytest.fixture
def connected(tenant_a, db, fake_apis) -> FakeProviderApis:
    with schema_context(tenant_a.schema):
        connect_providers()
    return fake_apis


@pytest.fixture
def admin(make_person):
    return make_person(Role.ADMIN, email="ada@example.com")


@pytest.fixture
def learner(make_person):
    return make_person(Role.LEARNER, email="lena@example.com")


@pytest.fixture
def course(tenant_a, db, admin):
    with schema_context(tenant_a.schema):
        return course_build(owner=admin, title="Paid birds", price="49.90", currency="EUR")


def stripe_delivery(event: dict, secret: str = STRIPE_WEBHOOK_SECRET, at: int | None = None):
    """(raw body, headers) of a Stripe delivery signed with the SDK's own function."""
    body = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=at)
    return body.encode(), {"HTTP_STRIPE_SIGNATURE": header}


def stripe_session_event(event_id: str, event_type: str, session: dict, **object_changes) -> dict:
    return {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "data": {"object": {**session, **object_changes}},
    }


def razorpay_delivery(
    event: dict, event_id: str, secret: str = RAZORPAY_WEBHOOK_SECRET
) -> tuple[bytes, dict]:
    """(raw body, headers) of a Razorpay delivery, signed as its Utility verifies (the
    HMAC-SHA256 hex of the raw body under the webhook secret, computed with the SDK)."""
    body = json.dumps(event)
    client = razorpay.Client(auth=("", ""))
    signature = _razorpay_hmac(client, body, secret)
    client.utility.verify_webhook_signature(body, signature, secret)  # the SDK agrees
    return body.encode(), {
        "HTTP_X_RAZORPAY_SIGNATURE": signature,
        "HTTP_X_RAZORPAY_EVENT_ID": event_id,
    }


def _razorpay_hmac(client, body: str, secret: str) -> str:
    import hashlib
    import hmac

    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()


def razorpay_checkout_signature(order_id: str, payment_id: str) -> str:
    """What Razorpay Checkout hands the browser: HMAC-SHA256 of `order_id|payment_id`."""
    signature = _razorpay_hmac(None, f"{order_id}|{payment_id}", RAZORPAY_KEY_SECRET)
    razorpay.Client(auth=(RAZORPAY_KEY_ID, RAZORPAY_KEY_SECRET)).utility.verify_payment_signature(
        {
            "razorpay_order_id": order_id,
            "razorpay_payment_id": payment_id,
            "razorpay_signature": signature,
        }
    )
    return signature


def razorpay_payment_event(event: str, order: dict, payment_id: str, **payment_changes) -> dict:
    return {
        "entity": "event",
        "event": event,
        "contains": ["payment"],
        "payload": {
            "payment": {
                "entity": {
                    "id": payment_id,
                    "entity": "payment",
                    "order_id": order["id"],
                    "amount": order["amount"],
                    "currency": order["currency"],
                    "status": "captured",
                    **payment_changes,
                }
            }
        },
        "created_at": int(time.time()),
    }
