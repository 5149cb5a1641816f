"""Events that come late or where nothing is set up: a webhook for a provider the tenant
has not connected, money arriving for an attempt we had already expired, a Razorpay refund
made in its dashboard. The provider APIs are the FAKE ones of fake_provider_apis.py."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import schema_context

from billing.payments.models import CoursePayment, ProviderEvent
from billing.payments.services.maintenance import overdue_payments_expire
from tenant_apps.enrollments.models import Enrollment
from tests.billing.payments.conftest import (
    razorpay_delivery,
    razorpay_payment_event,
    stripe_delivery,
)


def _deliver(client, provider, delivery) -> int:
    body, headers = delivery
    return client.post(
        f"/billing/webhooks/{provider}/", data=body, content_type="application/json", **headers
    ).status_code


def _start(api, learner, course, provider) -> dict:
    return (
        api(learner)
        .post(
            "/api/v1/billing/checkout",
            {"course_id": course.pk, "provider": provider},
            format="json",
        )
        .json()
    )


def test_a_provider_the_tenant_has_not_connected_gets_400_and_nothing_is_kept(
    client_a, tenant_a, fake_apis
):
    event = {"id": "evt_x", "object": "event", "type": "checkout.session.completed"}
    assert _deliver(client_a, "stripe", stripe_delivery(event)) == 400
    assert (
        client_a.post(
            "/billing/webhooks/paypal/", data=b"{}", content_type="application/json"
        ).status_code
        == 404
    )
    assert client_a.get("/billing/webhooks/stripe/").status_code == 405
    with schema_context(tenant_a.schema):
        assert ProviderEvent.objects.count() == 0


def test_an_overdue_stripe_attempt_is_closed_at_stripe_before_it_expires_here(
    api, learner, course, connected, tenant_a
):
    started = _start(api, learner, course, "stripe")
    session_id = started["redirect_url"].rsplit("/", 1)[1]
    with schema_context(tenant_a.schema):
        CoursePayment.objects.filter(public_id=started["payment"]["id"]).update(
            created_at=timezone.now() - timedelta(hours=3)
        )
        connected.fail_next = 10  # Stripe cannot be reached: nothing is closed yet
        assert overdue_payments_expire() == 0
        assert CoursePayment.objects.get(public_id=started["payment"]["id"]).status == "pending"
        connected.fail_next = 0
        assert overdue_payments_expire() == 1
        assert CoursePayment.objects.get(public_id=started["payment"]["id"]).status == "expired"
    assert connected.sessions[session_id]["status"] == "expired"  # nobody can pay it now


def test_money_for_a_razorpay_order_we_gave_up_on_is_flagged_for_review(
    api, learner, course, connected, client_a, tenant_a
):
    """A Razorpay order cannot be closed: one paid after we expired it is flagged."""
    started = _start(api, learner, course, "razorpay")
    with schema_context(tenant_a.schema):
        CoursePayment.objects.filter(public_id=started["payment"]["id"]).update(
            created_at=timezone.now() - timedelta(hours=3)
        )
        assert overdue_payments_expire() == 1
    order = connected.orders[started["razorpay"]["order_id"]]
    payment_id = connected.razorpay_pay(order["id"])
    captured = razorpay_payment_event("payment.captured", order, payment_id)
    assert _deliver(client_a, "razorpay", razorpay_delivery(captured, "rzp_a")) == 200
    with schema_context(tenant_a.schema):
        payment = CoursePayment.objects.get(public_id=started["payment"]["id"])
        assert payment.status == "flagged" and "expired" in payment.flag_reason
        assert Enrollment.objects.get(pk=payment.enrollment_id).status == "cancelled"


def test_a_razorpay_refund_arrives_by_webhook(api, learner, course, connected, client_a, tenant_a):
    started = _start(api, learner, course, "razorpay")
    order = connected.orders[started["razorpay"]["order_id"]]
    payment_id = connected.razorpay_pay(order["id"])
    captured = razorpay_payment_event("payment.captured", order, payment_id)
    assert _deliver(client_a, "razorpay", razorpay_delivery(captured, "rzp_a")) == 200
    refund = {
        "entity": "event",
        "event": "refund.processed",
        "contains": ["refund", "payment"],
        "payload": {
            "refund": {
                "entity": {
                    "id": "rfnd_1",
                    "entity": "refund",
                    "payment_id": payment_id,
                    "amount": 1000,
                    "currency": "EUR",
                }
            },
            "payment": {
                "entity": {
                    "id": payment_id,
                    "entity": "payment",
                    "order_id": order["id"],
                    "amount": 4990,
                    "amount_refunded": 1000,
                    "currency": "EUR",
                }
            },
        },
    }
    assert _deliver(client_a, "razorpay", razorpay_delivery(refund, "rzp_b")) == 200
    with schema_context(tenant_a.schema):
        payment = CoursePayment.objects.get(public_id=started["payment"]["id"])
        assert (payment.status, payment.refunded_amount) == ("partially_refunded", 1000)
        assert Enrollment.objects.get(pk=payment.enrollment_id).status == "active"


def test_signed_but_malformed_events_are_refused_without_an_error(connected, client_a, tenant_a):
    odd_stripe = [
        {"id": "evt_l", "object": "event", "type": "checkout.session.completed", "data": []},
        {"id": "evt_s", "object": "event", "type": "charge.refunded", "data": {"object": "x"}},
        {
            "id": "evt_n",
            "object": "event",
            "type": "charge.refunded",
            "data": {"object": {"payment_intent": ["pi"], "amount_refunded": "all"}},
        },
    ]
    for event in odd_stripe:
        assert _deliver(client_a, "stripe", stripe_delivery(event)) == 404
    odd_razorpay = [
        {"event": "payment.captured", "payload": ["not", "an", "object"]},
        {"event": "refund.processed", "payload": {"refund": {"entity": 5}}},
        {"event": ["payment.captured"]},
    ]
    for number, event in enumerate(odd_razorpay):
        assert _deliver(client_a, "razorpay", razorpay_delivery(event, f"odd{number}")) in (
            400,
            404,
        )
    with schema_context(tenant_a.schema):
        assert ProviderEvent.objects.count() == 0
