"""Buying a course end to end through the API with each provider (the FAKE provider APIs of
fake_provider_apis.py stand in for Stripe's and Razorpay's servers), and every webhook
refusal: bad signature, duplicate, unknown type, amount or currency not ours, another
tenant's order."""

from __future__ import annotations

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from billing.payments.models import CoursePayment, ProviderEvent
from tenant_apps.enrollments.models import Enrollment
from tenant_apps.events.models import OutboxEvent
from tests.billing.payments.conftest import (
    razorpay_checkout_signature,
    razorpay_delivery,
    razorpay_payment_event,
    stripe_delivery,
    stripe_session_event,
)
from tests.builders import course_build

STRIPE_HOOK = "/billing/webhooks/stripe/"
RAZORPAY_HOOK = "/billing/webhooks/razorpay/"


def start(api, learner, course, provider="stripe", **extra):
    return api(learner).post(
        "/api/v1/billing/checkout",
        {"course_id": course.pk, "provider": provider, **extra},
        format="json",
    )


def deliver(client, path, body_and_headers):
    body, headers = body_and_headers
    return client.post(path, data=body, content_type="application/json", **headers)


def status(client, path, body_and_headers) -> int:
    return deliver(client, path, body_and_headers).status_code


def activations(schema, enrollment_id) -> tuple[int, int]:
    with schema_context(schema):
        rows = OutboxEvent.objects.filter(subject_id=str(enrollment_id))
        return (
            rows.filter(event_type="enrollment.activated").count(),
            rows.filter(event_type="course.enrolled").count(),
        )


def state(schema, payment_id):
    with schema_context(schema):
        payment = CoursePayment.objects.get(public_id=payment_id)
        enrollment = Enrollment.objects.get(pk=payment.enrollment_id)
        return payment.status, enrollment.status


@pytest.fixture
def stripe_started(api, learner, course, connected, tenant_a):
    response = start(api, learner, course)
    assert response.status_code == 201, response.json()
    body = response.json()
    session_id = body["redirect_url"].rsplit("/", 1)[1]
    return body, connected.sessions[session_id]


def test_stripe_checkout_is_made_in_minor_units_for_this_tenant(stripe_started, tenant_a):
    body, session = stripe_started
    assert body["payment"]["status"] == "pending"
    assert body["payment"]["amount"]["amount"] == 4990
    assert (session["amount_total"], session["currency"], session["mode"]) == (
        4990,
        "eur",
        "payment",
    )
    assert session["metadata"] == {
        "payment_id": body["payment"]["id"],
        "tenant_schema": tenant_a.schema,
    }
    assert state(tenant_a.schema, body["payment"]["id"]) == ("pending", "pending")


def test_a_paid_session_webhook_activates_once_and_emails_a_receipt(
    stripe_started, connected, client_a, tenant_a, django_capture_on_commit_callbacks
):
    body, session = stripe_started
    paid = connected.stripe_pay(session["id"])
    event = stripe_session_event("evt_1", "checkout.session.completed", paid)
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client_a, STRIPE_HOOK, stripe_delivery(event))
    assert response.status_code == 200 and response.json()["outcome"] == "applied"
    assert state(tenant_a.schema, body["payment"]["id"]) == ("paid", "active")
    enrollment_id = body["payment"]["enrollment_id"]
    assert activations(tenant_a.schema, enrollment_id) == (1, 1)
    receipts = [m for m in mail.outbox if m.subject.startswith("Your receipt for Paid birds")]
    assert len(receipts) == 1 and receipts[0].to == ["lena@example.com"]
    assert "€49.90" in receipts[0].body and body["payment"]["receipt"] in receipts[0].body

    # The same event again, and a late "expired" for the same session: nothing moves back.
    again = deliver(client_a, STRIPE_HOOK, stripe_delivery(event))
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    late = stripe_session_event("evt_2", "checkout.session.expired", paid, status="expired")
    assert status(client_a, STRIPE_HOOK, stripe_delivery(late)) == 200
    assert state(tenant_a.schema, body["payment"]["id"]) == ("paid", "active")
    assert activations(tenant_a.schema, enrollment_id) == (1, 1)


def test_a_bad_signature_is_400_and_nothing_is_kept(stripe_started, connected, client_a, tenant_a):
    body, session = stripe_started
    event = stripe_session_event(
        "evt_bad", "checkout.session.completed", connected.stripe_pay(session["id"])
    )
    forged = stripe_delivery(event, secret="whsec_" + "f" * 32)
    stale = stripe_delivery(event, at=1_000_000_000)  # far outside the 300 s tolerance
    unsigned = (stripe_delivery(event)[0], {})
    for delivery in (forged, stale, unsigned):
        assert status(client_a, STRIPE_HOOK, delivery) == 400
    tampered_body = stripe_delivery(event)[0].replace(b"4990", b"1")
    assert (
        deliver(client_a, STRIPE_HOOK, (tampered_body, stripe_delivery(event)[1])).status_code
        == 400
    )
    with schema_context(tenant_a.schema):
        assert ProviderEvent.objects.count() == 0
    assert state(tenant_a.schema, body["payment"]["id"]) == ("pending", "pending")


def test_an_unknown_event_type_is_200_and_ignored(connected, client_a, tenant_a):
    event = {
        "id": "evt_other",
        "object": "event",
        "type": "customer.created",
        "data": {"object": {"id": "cus_1", "object": "customer"}},
    }
    response = deliver(client_a, STRIPE_HOOK, stripe_delivery(event))
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"
    with schema_context(tenant_a.schema):
        assert ProviderEvent.objects.get().outcome == "ignored"


@pytest.mark.parametrize(("amount", "currency"), [(1, "eur"), (4990, "usd")])
def test_a_payment_not_matching_our_order_is_flagged_not_activated(
    stripe_started, connected, client_a, tenant_a, admin, amount, currency
):
    body, session = stripe_started
    paid = connected.stripe_pay(session["id"])
    event = stripe_session_event(
        "evt_odd", "checkout.session.completed", paid, amount_total=amount, currency=currency
    )
    assert status(client_a, STRIPE_HOOK, stripe_delivery(event)) == 200
    assert state(tenant_a.schema, body["payment"]["id"]) == ("flagged", "pending")
    assert activations(tenant_a.schema, body["payment"]["enrollment_id"]) == (0, 0)
    with schema_context(tenant_a.schema):
        assert admin.notifications.filter(title__icontains="review").count() == 1


def test_an_event_for_another_tenants_order_is_refused_and_nothing_changes(
    stripe_started, connected, client_a, tenant_a
):
    body, session = stripe_started
    paid = connected.stripe_pay(session["id"])
    theirs = stripe_session_event(
        "evt_theirs", "checkout.session.completed", paid, metadata={"tenant_schema": "t_other"}
    )
    unknown = stripe_session_event(
        "evt_unknown", "checkout.session.completed", paid, id="cs_test_not_ours"
    )
    for event in (theirs, unknown):
        assert status(client_a, STRIPE_HOOK, stripe_delivery(event)) == 404
    with schema_context(tenant_a.schema):
        assert ProviderEvent.objects.count() == 0
    assert state(tenant_a.schema, body["payment"]["id"]) == ("pending", "pending")


def test_the_learners_return_asks_stripe_and_a_second_attempt_resumes(
    stripe_started, connected, api, learner, course, tenant_a
):
    body, session = stripe_started
    payment_id = body["payment"]["id"]
    confirm = f"/api/v1/billing/payments/{payment_id}/confirm"
    # Back before paying: still pending; starting again resumes the same attempt.
    assert api(learner).post(confirm, {}, format="json").json()["status"] == "pending"
    again = start(api, learner, course)
    assert again.json()["payment"]["id"] == payment_id
    assert again.json()["redirect_url"] == body["redirect_url"]
    connected.stripe_pay(session["id"])
    assert api(learner).post(confirm, {}, format="json").json()["status"] == "paid"
    assert state(tenant_a.schema, payment_id) == ("paid", "active")
    purchases = api(learner).get("/api/v1/billing/purchases").json()
    assert [p["id"] for p in purchases] == [payment_id]


def test_switching_provider_expires_the_open_attempt(
    stripe_started, api, learner, course, tenant_a
):
    body, _session = stripe_started
    switched = start(api, learner, course, provider="razorpay")
    assert switched.status_code == 201
    assert switched.json()["payment"]["id"] != body["payment"]["id"]
    assert state(tenant_a.schema, body["payment"]["id"]) == ("expired", "pending")
    assert switched.json()["razorpay"]["amount"] == 4990


def test_razorpay_checkout_signature_is_checked_against_the_order_we_stored(
    api, learner, course, connected, tenant_a
):
    started = start(api, learner, course, provider="razorpay").json()
    order = started["razorpay"]
    assert connected.orders[order["order_id"]]["receipt"] == started["payment"]["receipt"]
    payment_id = connected.razorpay_pay(order["order_id"])
    confirm = f"/api/v1/billing/payments/{started['payment']['id']}/confirm"

    # A signature made for another order (one the browser might claim) is refused.
    other = start(api, learner, course_build_in(tenant_a, course.owner), provider="razorpay").json()
    forged = razorpay_checkout_signature(other["razorpay"]["order_id"], payment_id)
    refused = api(learner).post(
        confirm, {"razorpay_payment_id": payment_id, "razorpay_signature": forged}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["details"][0]["field"] == "razorpay_signature"
    # An order id sent by the browser is not even taken.
    claimed = api(learner).post(
        confirm,
        {
            "razorpay_payment_id": payment_id,
            "razorpay_signature": forged,
            "razorpay_order_id": other["razorpay"]["order_id"],
        },
        format="json",
    )
    assert claimed.status_code == 400
    assert state(tenant_a.schema, started["payment"]["id"]) == ("pending", "pending")

    good = razorpay_checkout_signature(order["order_id"], payment_id)
    paid = api(learner).post(
        confirm, {"razorpay_payment_id": payment_id, "razorpay_signature": good}, format="json"
    )
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    assert state(tenant_a.schema, started["payment"]["id"]) == ("paid", "active")


def course_build_in(tenant, owner, **fields):
    with schema_context(tenant.schema):
        return course_build(owner=owner, price=fields.pop("price", "10.00"), **fields)


def test_razorpay_webhooks_pay_once_and_refuse_bad_signatures(
    api, learner, course, connected, client_a, tenant_a
):
    started = start(api, learner, course, provider="razorpay").json()
    order = connected.orders[started["razorpay"]["order_id"]]
    payment_id = connected.razorpay_pay(order["id"])
    event = razorpay_payment_event("payment.captured", order, payment_id)
    bad = razorpay_delivery(event, "rzp_evt_1", secret="not-the-secret")
    assert status(client_a, RAZORPAY_HOOK, bad) == 400
    with schema_context(tenant_a.schema):
        assert ProviderEvent.objects.count() == 0
    assert (
        deliver(client_a, RAZORPAY_HOOK, razorpay_delivery(event, "rzp_evt_1")).status_code == 200
    )
    order_paid = {**event, "event": "order.paid"}
    assert (
        deliver(client_a, RAZORPAY_HOOK, razorpay_delivery(order_paid, "rzp_evt_2")).status_code
        == 200
    )
    failed = razorpay_payment_event("payment.failed", order, "pay_late", status="failed")
    assert (
        deliver(client_a, RAZORPAY_HOOK, razorpay_delivery(failed, "rzp_evt_3")).status_code == 200
    )
    assert state(tenant_a.schema, started["payment"]["id"]) == ("paid", "active")
    assert activations(tenant_a.schema, started["payment"]["enrollment_id"]) == (1, 1)


@pytest.mark.parametrize(
    ("provider", "price", "currency", "minor"),
    [("stripe", "1500", "JPY", 1500), ("razorpay", "1.250", "KWD", 1250)],
)
def test_zero_and_three_decimal_currencies_end_to_end(
    api, learner, admin, connected, client_a, tenant_a, provider, price, currency, minor
):
    course = course_build_in(tenant_a, admin, price=price, currency=currency)
    started = start(api, learner, course, provider=provider).json()
    assert started["payment"]["amount"]["amount"] == minor
    if provider == "stripe":
        session = connected.sessions[started["redirect_url"].rsplit("/", 1)[1]]
        assert (session["amount_total"], session["currency"]) == (minor, currency.lower())
        event = stripe_session_event(
            "evt_cur", "checkout.session.completed", connected.stripe_pay(session["id"])
        )
        assert status(client_a, STRIPE_HOOK, stripe_delivery(event)) == 200
    else:
        order = connected.orders[started["razorpay"]["order_id"]]
        assert (order["amount"], order["currency"]) == (minor, currency)
        event = razorpay_payment_event(
            "payment.captured", order, connected.razorpay_pay(order["id"])
        )
        assert (
            deliver(client_a, RAZORPAY_HOOK, razorpay_delivery(event, "rzp_cur")).status_code == 200
        )
    assert state(tenant_a.schema, started["payment"]["id"]) == ("paid", "active")
