"""Races against a live Lectern (gunicorn, several workers, committed data): 50 concurrent
duplicate deliveries of the same "paid" event, and the learner's checkout return racing the
webhooks. Exactly one activation, one `enrollment.activated` and one `course.enrolled`.
Provider API calls (the return asks Stripe) go to the FAKE provider APIs on loopback."""

from __future__ import annotations

import http.client
import json
import threading
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from billing.payments.models import CoursePayment, ProviderEvent
from billing.payments.services.checkout import checkout_start
from tenant_apps.enrollments.models import Enrollment
from tenant_apps.events.models import OutboxEvent
from tenant_apps.people.models import Role
from tenant_apps.people.services import user_create
from tenant_apps.people.tokens import personal_token_issue
from tests.billing.payments.conftest import (
    connect_providers,
    razorpay_delivery,
    razorpay_payment_event,
    stripe_delivery,
    stripe_session_event,
)
from tests.billing.payments.fake_provider_apis import FakeProviderApis
from tests.builders import course_build
from tests.live import live_server, server_env

SLUG = "payrace"
HOST = f"{SLUG}.localhost"


def _post(base_url: str, path: str, body: bytes, headers: dict[str, str]) -> int:
    address = urlsplit(base_url)
    conn = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    try:
        conn.request("POST", path, body=body, headers={"Host": HOST, **headers})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _together(calls) -> list:
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = calls[index]()
        except Exception as exc:  # collected for the assertion
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _wsgi_headers(headers: dict[str, str]) -> dict[str, str]:
    """HTTP_X_FOO test-client keys back to header names."""
    return {key[5:].replace("_", "-").title(): value for key, value in headers.items()}


@pytest.fixture
def fake(settings):
    with FakeProviderApis() as running:
        settings.PAYMENTS_STRIPE_API_BASE = running.url
        settings.PAYMENTS_RAZORPAY_API_BASE = running.url
        yield running


@pytest.fixture
def shop(committed_tenant, django_db_blocker, fake):
    """A committed tenant with both providers, a paid course and a learner's token."""
    tenant = committed_tenant(SLUG, "Pay Race")
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        connect_providers()
        author = user_create(email="author@example.com", role=Role.INSTRUCTOR)
        learner = user_create(email="learner@example.com", role=Role.LEARNER)
        course = course_build(owner=author, title="Race", price="49.90", currency="EUR")
        token = personal_token_issue(user=learner, name="race").secret
    return tenant, learner, course, token


def _counts(django_db_blocker, tenant, payment_id: str) -> tuple:
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        payment = CoursePayment.objects.get(public_id=payment_id)
        events = OutboxEvent.objects.filter(subject_id=str(payment.enrollment_id))
        return (
            payment.status,
            Enrollment.objects.get(pk=payment.enrollment_id).status,
            events.filter(event_type="enrollment.activated").count(),
            events.filter(event_type="course.enrolled").count(),
        )


@pytest.mark.timeout(300)
def test_fifty_duplicate_paid_events_and_a_racing_return_activate_once(
    shop, fake, django_db_blocker, tmp_path
):
    tenant, learner, course, token = shop
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        stripe_started = checkout_start(
            learner=learner,
            course=course,
            provider="stripe",
            success_url="https://x.example/ok",
            cancel_url="https://x.example/no",
        )
    session = fake.stripe_pay(stripe_started.payment.provider_order_id)
    event = stripe_session_event("evt_race", "checkout.session.completed", session)
    body, headers = stripe_delivery(event)
    env = server_env(
        PAYMENTS_STRIPE_API_BASE=settings.PAYMENTS_STRIPE_API_BASE,
        PAYMENTS_RAZORPAY_API_BASE=settings.PAYMENTS_RAZORPAY_API_BASE,
    )
    with live_server(env, tmp_path / "server.log", workers=4) as base_url:
        stripe_headers = {"Content-Type": "application/json", **_wsgi_headers(headers)}
        results = _together(
            [
                lambda: _post(base_url, "/billing/webhooks/stripe/", body, stripe_headers)
                for _ in range(50)
            ]
        )
        assert results == [200] * 50
        assert _counts(django_db_blocker, tenant, str(stripe_started.payment.public_id)) == (
            "paid",
            "active",
            1,
            1,
        )
        with django_db_blocker.unblock(), schema_context(tenant.schema_name):
            assert ProviderEvent.objects.filter(event_id="evt_race").count() == 1

        # A second course, paid with Razorpay: the learner's return (signature) races
        # the provider's webhooks.
        with django_db_blocker.unblock(), schema_context(tenant.schema_name):
            other = course_build(owner=course.owner, title="Race 2", price="10.00")
            razorpay_started = checkout_start(
                learner=learner,
                course=other,
                provider="razorpay",
                success_url="https://x.example/ok",
                cancel_url="https://x.example/no",
            )
        order = fake.orders[razorpay_started.payment.provider_order_id]
        payment_id = fake.razorpay_pay(order["id"])
        from tests.billing.payments.conftest import razorpay_checkout_signature

        confirm = json.dumps(
            {
                "razorpay_payment_id": payment_id,
                "razorpay_signature": razorpay_checkout_signature(order["id"], payment_id),
            }
        ).encode()
        api_headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        confirm_path = f"/api/v1/billing/payments/{razorpay_started.payment.public_id}/confirm"
        captured = razorpay_payment_event("payment.captured", order, payment_id)
        calls = []
        for number in range(10):
            hook_body, hook_headers = razorpay_delivery(captured, f"rzp_evt_{number % 3}")
            hook = {"Content-Type": "application/json", **_wsgi_headers(hook_headers)}
            calls.append(
                lambda b=hook_body, h=hook: _post(base_url, "/billing/webhooks/razorpay/", b, h)
            )
            calls.append(lambda: _post(base_url, confirm_path, confirm, api_headers))
        assert _together(calls) == [200] * 20
    assert _counts(django_db_blocker, tenant, str(razorpay_started.payment.public_id)) == (
        "paid",
        "active",
        1,
        1,
    )


def _post_json(base_url: str, path: str, payload: dict, token: str) -> tuple[int, dict]:
    address = urlsplit(base_url)
    conn = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    try:
        conn.request(
            "POST",
            path,
            body=json.dumps(payload).encode(),
            headers={
                "Host": HOST,
                "Content-Type": "application/json",
                "Authorization": f"Bearer {token}",
            },
        )
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


@pytest.mark.timeout(300)
def test_checkouts_started_at_once_open_one_attempt(shop, django_db_blocker, tmp_path):
    tenant, learner, course, token = shop
    env = server_env(
        PAYMENTS_STRIPE_API_BASE=settings.PAYMENTS_STRIPE_API_BASE,
        PAYMENTS_RAZORPAY_API_BASE=settings.PAYMENTS_RAZORPAY_API_BASE,
    )
    body = {"course_id": course.pk, "provider": "stripe"}
    with live_server(env, tmp_path / "server.log", workers=4) as base_url:
        results = _together(
            [lambda: _post_json(base_url, "/api/v1/billing/checkout", body, token)] * 6
        )
    codes = sorted(status for status, _body in results)
    assert set(codes) <= {201, 409} and 201 in codes, results
    refusals = {answer["error"]["code"] for status, answer in results if status == 409}
    assert refusals <= {"checkout_in_progress", "already_enrolled"}
    opened = {answer["payment"]["id"] for status, answer in results if status == 201}
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        pending = CoursePayment.objects.filter(learner=learner, status="pending")
        assert [str(p.public_id) for p in pending] == list(opened)
        assert Enrollment.objects.filter(user=learner, course=course).count() == 1
