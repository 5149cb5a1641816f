"""The payment admin pages in a real browser (Chromium against gunicorn): an admin connects
Stripe (the secrets never come back to the page), creates a coupon, and refunds part of a
learner's payment after a confirmation step; axe-core finds nothing serious or critical on
any of these pages. The server's Stripe calls go to the FAKE provider APIs on loopback
(fake_provider_apis.py: nothing real of Stripe's Checkout runs here)."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from billing.payments.models import Coupon, CoursePayment
from billing.payments.services.checkout import checkout_start
from billing.payments.services.settlement import payment_mark_paid
from tenant_apps.people.models import Role
from tests.billing.payments.conftest import STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET
from tests.billing.payments.fake_provider_apis import FakeProviderApis
from tests.browser import chromium, page_for_axe, serious_accessibility_violations
from tests.builders import course_build
from tests.factories import PASSWORD, UserFactory
from tests.live import live_server, server_env

SLUG = "paybrowsed"
ADMIN_EMAIL = "pay-browser-admin@example.com"


@pytest.fixture
def fake_apis():
    with FakeProviderApis() as fake:
        yield fake


@pytest.fixture
def school(committed_tenant, django_db_blocker):
    made = committed_tenant(SLUG, "Pay Browsed")
    with django_db_blocker.unblock(), schema_context(made.schema_name):
        admin = UserFactory(role=Role.ADMIN, email=ADMIN_EMAIL)
        learner = UserFactory(role=Role.LEARNER, email="pay-browser-learner@example.com")
        course = course_build(owner=admin, title="Birdsong", price="49.90", currency="EUR")
    return {"tenant": made, "learner": learner, "course": course}


@pytest.fixture
def server(school, fake_apis, tmp_path):
    env = server_env(
        MEDIA_ROOT=str(tmp_path / "media"),
        PAYMENTS_STRIPE_API_BASE=fake_apis.url,
        PAYMENTS_RAZORPAY_API_BASE=fake_apis.url,
    )
    with live_server(env, tmp_path / "server.log", workers=1) as base_url:
        yield base_url.replace("127.0.0.1", f"{SLUG}.localhost")


def _learner_paid(school, fake_apis, settings, django_db_blocker) -> str:
    """The learner buys the course: a checkout against the fake Stripe, paid there, and
    settled as Stripe's webhook would."""
    settings.PAYMENTS_STRIPE_API_BASE = fake_apis.url
    with django_db_blocker.unblock(), schema_context(school["tenant"].schema_name):
        started = checkout_start(
            learner=school["learner"],
            course=school["course"],
            provider="stripe",
            success_url="http://example.com/?payment={payment}",
            cancel_url="http://example.com/?payment={payment}&cancelled=1",
        )
        session = fake_apis.stripe_pay(started.payment.provider_order_id)
        payment_mark_paid(
            payment_id=started.payment.pk,
            amount=session["amount_total"],
            currency=session["currency"],
            provider_payment_id=session["payment_intent"],
        )
        # Called while Playwright's loop runs: this context's own database connection,
        # which nothing else would close before the test database is dropped.
        connection.close()
        return str(started.payment.public_id)


def _no_serious_violations(page) -> None:
    assert serious_accessibility_violations(page) == [], page.url


@pytest.mark.timeout(240)
def test_an_admin_connects_stripe_creates_a_coupon_and_refunds_a_payment(
    server, school, fake_apis, settings, django_db_blocker
):
    with chromium() as browser:
        page = page_for_axe(browser)
        page.goto(f"{server}/accounts/login/")
        page.fill("#id_username", ADMIN_EMAIL)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server}/")

        # Connect Stripe from the admin menu's "Payments".
        page.goto(f"{server}/manage/")
        page.click(".admin-nav >> text=Payments")
        page.wait_for_url(f"{server}/manage/payments/")
        page.click("text=Providers and settings")
        page.wait_for_url("**/manage/payments/providers/")
        _no_serious_violations(page)
        webhook_url = page.locator("#webhook-url-stripe").input_value()
        assert webhook_url == f"{server}/billing/webhooks/stripe/"
        assert page.locator("[data-copy-from='webhook-url-stripe']").is_visible()
        page.click("text=Connect Stripe")
        page.wait_for_url("**/manage/payments/providers/stripe/")
        _no_serious_violations(page)
        page.fill("#id_key_secret", "sk_live_short")
        page.fill("#id_webhook_secret", STRIPE_WEBHOOK_SECRET)
        page.click("text=Save the keys")
        page.wait_for_selector("#id_key_secret_error")
        assert STRIPE_WEBHOOK_SECRET not in page.content()
        _no_serious_violations(page)
        page.fill("#id_key_secret", STRIPE_SECRET_KEY)
        page.fill("#id_webhook_secret", STRIPE_WEBHOOK_SECRET)
        page.click("text=Save the keys")
        page.wait_for_url("**/manage/payments/providers/")
        content = page.content()
        assert "Saved the Stripe keys." in content and "Test mode" in content
        assert STRIPE_SECRET_KEY not in content and STRIPE_WEBHOOK_SECRET not in content
        assert f"ends in …{STRIPE_SECRET_KEY[-4:]}" in content

        # A coupon: 10 % off.
        page.click("text=Coupons")
        page.wait_for_url("**/manage/payments/coupons/")
        page.click("text=Create a coupon")
        page.wait_for_url("**/manage/payments/coupons/add/")
        _no_serious_violations(page)
        page.fill("#id_code", "WELCOME10")
        page.check("input[name=kind][value=percent]")
        page.fill("#id_percent", "10")
        page.click("text=Create the coupon")
        page.wait_for_url("**/manage/payments/coupons/")
        assert "WELCOME10" in page.locator("table").inner_text()
        _no_serious_violations(page)

        # A learner paid; the admin refunds part of it.
        payment_id = _learner_paid(school, fake_apis, settings, django_db_blocker)
        page.goto(f"{server}/manage/payments/")
        _no_serious_violations(page)
        page.click(f"a[href='/manage/payments/{payment_id}/']")
        page.wait_for_url(f"**/manage/payments/{payment_id}/")
        assert "€49.90" in page.content()
        _no_serious_violations(page)
        page.click("text=Refund")
        page.wait_for_url("**/refund/")
        _no_serious_violations(page)
        page.fill("#id_amount", "60")
        page.click("text=Continue")
        page.wait_for_selector("#id_amount_error")
        assert "at most €49.90" in page.locator("#id_amount_error").inner_text()
        page.fill("#id_amount", "9.90")
        page.fill("#id_reason", "Joined late")
        page.click("text=Continue")
        page.wait_for_selector("h1:has-text('Confirm the refund')")
        assert "partial refund" in page.content()
        assert fake_apis.refunds == []
        _no_serious_violations(page)
        page.click("button:has-text('Refund €9.90')")
        page.wait_for_url(f"**/manage/payments/{payment_id}/")
        assert "Refunded €9.90." in page.content()
        assert "Partially refunded" in page.content()
        _no_serious_violations(page)

    assert [refund["amount"] for refund in fake_apis.refunds] == [990]
    with django_db_blocker.unblock(), schema_context(school["tenant"].schema_name):
        payment = CoursePayment.objects.get(public_id=payment_id)
        assert (payment.status, payment.refunded_amount) == ("partially_refunded", 990)
        assert Coupon.objects.get().code == "WELCOME10"
