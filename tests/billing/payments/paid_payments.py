"""Course payments made the way learners make them, for the admin page tests: a checkout
through the API against the FAKE provider APIs (fake_provider_apis.py), then Stripe's
signed webhook saying it was paid."""

from __future__ import annotations

from tests.billing.payments.conftest import stripe_delivery, stripe_session_event


def stripe_paid(api, client, fake, learner, course, *, event_id: str, **paid_changes) -> str:
    """The public id of `learner`'s payment for `course`, paid through Stripe (with
    `paid_changes` to the session the webhook reports: `amount_total=1` makes a mismatch)."""
    started = api(learner).post(
        "/api/v1/billing/checkout", {"course_id": course.pk, "provider": "stripe"}, format="json"
    )
    assert started.status_code == 201, started.json()
    session_id = started.json()["redirect_url"].rsplit("/", 1)[1]
    session = fake.stripe_pay(session_id)
    event = stripe_session_event(event_id, "checkout.session.completed", session, **paid_changes)
    body, headers = stripe_delivery(event)
    delivered = client.post(
        "/billing/webhooks/stripe/", data=body, content_type="application/json", **headers
    )
    assert delivered.status_code == 200
    return started.json()["payment"]["id"]
