"""The periodic jobs: pending payments past the timeout expire (their pending enrollment is
cancelled, the coupon use given back); reconciliation asks the provider (the FAKE provider
APIs) and settles a payment whose webhook never came. And Stripe's charge.refunded."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import schema_context

from billing.payments.models import Coupon, CoursePayment
from billing.payments.services.coupons import coupon_create
from billing.payments.services.maintenance import (
    overdue_payments_expire,
    pending_payments_reconcile,
)
from tenant_apps.enrollments.models import Enrollment
from tenant_apps.events.models import OutboxEvent
from tests.billing.payments.conftest import stripe_delivery, stripe_session_event


def _start(api, learner, course, provider="stripe", **extra) -> dict:
    response = api(learner).post(
        "/api/v1/billing/checkout",
        {"course_id": course.pk, "provider": provider, **extra},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def _age(payment_id: str, minutes: int) -> None:
    CoursePayment.objects.filter(public_id=payment_id).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_overdue_pending_payments_expire_and_give_the_coupon_back(
    api, learner, course, connected, tenant_a
):
    with schema_context(tenant_a.schema):
        coupon_create(actor=None, code="ONCE", kind="percent", value=50, usage_limit=1)
    started = _start(api, learner, course, coupon_code="once")
    with schema_context(tenant_a.schema):
        _age(started["payment"]["id"], 30)
        assert overdue_payments_expire() == 0  # the default timeout is 60 minutes
        _age(started["payment"]["id"], 61)
        assert overdue_payments_expire() == 1
        payment = CoursePayment.objects.get(public_id=started["payment"]["id"])
        assert payment.status == "expired"
        assert Enrollment.objects.get(pk=payment.enrollment_id).status == "cancelled"
        assert Coupon.objects.get(code="ONCE").times_redeemed == 0


def test_reconciliation_settles_a_paid_order_whose_webhook_was_lost(
    api, learner, course, connected, tenant_a
):
    started = _start(api, learner, course, provider="razorpay")
    connected.razorpay_pay(started["razorpay"]["order_id"])
    with schema_context(tenant_a.schema):
        assert pending_payments_reconcile() == 0  # too young: left to the webhook
        _age(started["payment"]["id"], 5)
        assert pending_payments_reconcile() == 1
        payment = CoursePayment.objects.get(public_id=started["payment"]["id"])
        assert payment.status == "paid" and payment.provider_payment_id.startswith("pay_")
        assert Enrollment.objects.get(pk=payment.enrollment_id).status == "active"
        # Past the timeout too: the provider said paid, so nothing expires.
        assert overdue_payments_expire() == 0


def test_an_overdue_payment_the_provider_says_is_paid_is_settled_not_expired(
    api, learner, course, connected, tenant_a
):
    started = _start(api, learner, course)
    connected.stripe_pay(started["redirect_url"].rsplit("/", 1)[1])
    with schema_context(tenant_a.schema):
        _age(started["payment"]["id"], 90)
        assert overdue_payments_expire() == 0
        assert CoursePayment.objects.get(public_id=started["payment"]["id"]).status == "paid"


def test_a_stripe_refund_made_in_the_dashboard_arrives_by_webhook(
    api, learner, course, connected, client_a, tenant_a
):
    started = _start(api, learner, course)
    paid = connected.stripe_pay(started["redirect_url"].rsplit("/", 1)[1])
    for event in (
        stripe_session_event("evt_p", "checkout.session.completed", paid),
        {
            "id": "evt_r",
            "object": "event",
            "type": "charge.refunded",
            "data": {
                "object": {
                    "id": "ch_1",
                    "object": "charge",
                    "payment_intent": paid["payment_intent"],
                    "amount_refunded": 4990,
                    "currency": "eur",
                }
            },
        },
    ):
        body, headers = stripe_delivery(event)
        response = client_a.post(
            "/billing/webhooks/stripe/", data=body, content_type="application/json", **headers
        )
        assert response.status_code == 200
    with schema_context(tenant_a.schema):
        payment = CoursePayment.objects.get(public_id=started["payment"]["id"])
        assert (payment.status, payment.refunded_amount) == ("refunded", 4990)
        assert Enrollment.objects.get(pk=payment.enrollment_id).status == "cancelled"
        assert OutboxEvent.objects.filter(event_type="enrollment.cancelled").count() == 1


def test_a_new_attempt_closes_the_one_it_replaces_at_stripe(
    api, learner, course, connected, tenant_a
):
    """With another provider or coupon, a new checkout replaces the open one — which is
    closed at Stripe first, so both pages can never be paid."""
    first = _start(api, learner, course)
    second = _start(api, learner, course, provider="razorpay")
    assert connected.sessions[first["redirect_url"].rsplit("/", 1)[1]]["status"] == "expired"
    with schema_context(tenant_a.schema):
        assert CoursePayment.objects.get(public_id=first["payment"]["id"]).status == "expired"
        assert CoursePayment.objects.get(public_id=second["payment"]["id"]).status == "pending"


def test_a_new_attempt_after_the_old_one_was_paid_is_refused_and_the_payment_kept(
    api, learner, course, connected, tenant_a
):
    first = _start(api, learner, course)
    connected.stripe_pay(first["redirect_url"].rsplit("/", 1)[1])
    refused = api(learner).post(
        "/api/v1/billing/checkout",
        {"course_id": course.pk, "provider": "razorpay"},
        format="json",
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "payment_already_made"
    with schema_context(tenant_a.schema):
        payment = CoursePayment.objects.get(public_id=first["payment"]["id"])
        assert payment.status == "paid"
        assert Enrollment.objects.get(pk=payment.enrollment_id).status == "active"
        assert CoursePayment.objects.count() == 1
