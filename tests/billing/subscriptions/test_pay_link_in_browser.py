"""A suspended portal's admin pays in a real browser (Chromium against gunicorn): the
portal's page points to the e-mailed link; the link's page on the public host says the
portal is suspended and its button goes to Stripe's customer portal for that organisation.
axe-core finds nothing serious or critical on either page. The server's Stripe calls go to
localstripe behind the FAKE of the billing-portal endpoint (stripe_fake.py: Stripe's own
portal does not run here); the browser's visit to the portal is answered by the test."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from billing.subscriptions.models import SubscriptionStatus, TenantSubscription
from billing.subscriptions.pay_links import pay_link_url
from billing.subscriptions.services.dunning import overdue_tenants_suspend
from tests.billing.subscriptions.stripe_fake import SECRET_KEY, CheckoutAndPortalFake
from tests.browser import chromium, page_for_axe, serious_accessibility_violations
from tests.live import live_server, server_env

SLUG = "paylinked"
CUSTOMER = "cus_pay_link_browser"


@pytest.fixture
def portal_fake(local_stripe):
    with CheckoutAndPortalFake(local_stripe.url) as fake:
        yield fake


@pytest.fixture
def suspended(committed_tenant, django_db_blocker, settings):
    """A committed tenant past due beyond its grace period, suspended by dunning."""
    tenant = committed_tenant(SLUG, "Pay Linked")
    settings.BILLING_GRACE_DAYS = 14
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        TenantSubscription.objects.create(
            tenant=tenant,
            stripe_customer_id=CUSTOMER,
            stripe_subscription_id="sub_pay_link_browser",
            plan_code="standard",
            status=SubscriptionStatus.PAST_DUE,
            past_due_since=timezone.now() - timedelta(days=20),
        )
        assert overdue_tenants_suspend() == [SLUG]
        path = pay_link_url(tenant.pk).split("localhost", 1)[1]
        with schema_context("public"):
            connection.close()
    return path


@pytest.fixture
def server(suspended, portal_fake, tmp_path):
    env = server_env(STRIPE_PLATFORM_SECRET_KEY=SECRET_KEY, STRIPE_API_BASE=portal_fake.url)
    with live_server(env, tmp_path / "server.log", workers=1) as base_url:
        yield base_url.replace("127.0.0.1", "localhost")


@pytest.mark.timeout(180)
def test_an_admin_of_a_suspended_portal_pays_through_the_emailed_link(
    server, suspended, portal_fake
):
    pay_page = f"{server}{suspended}"
    with chromium() as browser:
        page = page_for_axe(browser)
        page.goto(server.replace("//localhost", f"//{SLUG}.localhost") + "/")
        assert "the e-mail about it has a link to pay without signing in" in page.inner_text("main")
        assert serious_accessibility_violations(page) == [], "suspended portal"

        page.goto(pay_page)
        assert page.inner_text("h1") == "Pay for Pay Linked"
        assert "The portal is suspended until the overdue payment arrives." in page.inner_text(
            "main"
        )
        assert serious_accessibility_violations(page) == [], "pay page"
        assert portal_fake.portal_requests == []  # showing the page opened nothing

        page.route(
            "https://billing.stripe.test/**",
            lambda route: route.fulfill(
                status=200, content_type="text/html", body="<title>Stripe</title><h1>Billing</h1>"
            ),
        )
        page.get_by_role("button", name="Pay or change the card").click()
        page.wait_for_url("https://billing.stripe.test/**")
    asked = portal_fake.portal_requests[-1]
    assert asked["customer"] == CUSTOMER
    assert asked["return_url"] == pay_page
