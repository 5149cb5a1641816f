"""The pay link in the dunning e-mails: admins of a past-due or suspended portal reach
Stripe's customer portal for their own organisation from the public host, without signing
in. A GET only shows; an altered, foreign or expired link opens nothing."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from billing.subscriptions.models import SubscriptionStatus, TenantSubscription
from billing.subscriptions.pay_links import SALT, pay_link_url
from billing.subscriptions.services.dunning import overdue_tenants_suspend
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.routing import route_cache
from shared_apps.tenants.services import tenant_suspend
from tests.billing.subscriptions.stripe_fake import event, signed_headers

CUSTOMER = "cus_pay_link_alpha"


@pytest.fixture
def past_due(tenant_a, db) -> TenantSubscription:
    with schema_context("public"):
        return TenantSubscription.objects.create(
            tenant=tenant_a.tenant,
            stripe_customer_id=CUSTOMER,
            stripe_subscription_id="sub_pay_link",
            plan_code="standard",
            status=SubscriptionStatus.PAST_DUE,
            past_due_since=timezone.now(),
            interval="month",
            amount=29900,
            currency="USD",
        )


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def _link_in(message) -> str:
    found = re.search(r"https?://localhost\S*/billing/pay/\S+/", message.body)
    assert found, message.body
    return found.group(0)


def test_the_failure_email_carries_a_link_that_opens_the_billing_portal(
    public_client, admin, tenant_a, stripe_api, webhook_secret, django_capture_on_commit_callbacks
):
    with schema_context("public"):
        TenantSubscription.objects.create(
            tenant=tenant_a.tenant,
            stripe_customer_id=CUSTOMER,
            stripe_subscription_id="sub_pay_link",
            status=SubscriptionStatus.ACTIVE,
        )
    invoice = {"id": "in_1", "customer": CUSTOMER, "subscription": "sub_pay_link"}
    payload = event("invoice.payment_failed", invoice, event_id="evt_pl", created=int(time.time()))
    with django_capture_on_commit_callbacks(execute=True):
        public_client.post(
            "/billing/webhooks/stripe/",
            payload,
            content_type="application/json",
            **signed_headers(payload),
        )
    link = _link_in(next(m for m in mail.outbox if admin.email in m.to))
    page = public_client.get(_path(link))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Pay for Alpha" in text and "is overdue. Pay by" in text
    assert stripe_api.portal_requests == []  # showing the page opens nothing

    answer = public_client.post(_path(link))
    assert (answer.status_code, answer["Location"]) == (
        302,
        "https://billing.stripe.test/p/session/bps_test_fake",
    )
    asked = stripe_api.portal_requests[0]
    assert asked["customer"] == CUSTOMER
    assert asked["return_url"] == f"http://localhost{_path(link)}"


def test_suspension_emails_the_admins_the_link_and_the_page_says_suspended(
    public_client, admin, past_due, settings, django_capture_on_commit_callbacks
):
    settings.BILLING_GRACE_DAYS = 14
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert overdue_tenants_suspend(now=timezone.now() + timedelta(days=15)) == ["alpha"]
    suspended = [m for m in mail.outbox if admin.email in m.to]
    assert [m.subject for m in suspended] == [
        "Your Lectern portal is suspended until its payment arrives"
    ]
    page = public_client.get(_path(_link_in(suspended[0]))).content.decode()
    assert "The portal is suspended until the overdue payment arrives." in page


def test_an_altered_or_foreign_link_opens_nothing(public_client, past_due, tenant_b, stripe_api):
    link = _path(pay_link_url(past_due.tenant_id))
    value, stamp, signature = link.rstrip("/").rsplit("/", 1)[1].split(":")
    other = Tenant.objects.get(schema_name=tenant_b.schema).pk
    for token in (
        f"{other}:{stamp}:{signature}",  # another tenant's id under this signature
        f"{value}:{stamp}:{signature[:-2]}xx",
        signing.TimestampSigner(salt="something-else").sign(str(past_due.tenant_id)),
        "nonsense",
    ):
        assert public_client.get(f"/billing/pay/{token}/").status_code == 404, token
        assert public_client.post(f"/billing/pay/{token}/").status_code == 404, token
    assert stripe_api.portal_requests == []


def test_an_expired_link_says_so_and_opens_nothing(public_client, past_due, stripe_api, settings):
    settings.BILLING_PAY_LINK_DAYS = 45
    long_ago = time.time() - 46 * 86400
    with mock.patch("time.time", return_value=long_ago):
        token = signing.TimestampSigner(salt=SALT).sign(str(past_due.tenant_id))
    answer = public_client.post(f"/billing/pay/{token}/")
    assert answer.status_code == 410
    assert "This payment link has expired" in answer.content.decode()
    assert stripe_api.portal_requests == []


def test_the_link_works_only_on_the_public_host(past_due, tenant_a):
    path = _path(pay_link_url(past_due.tenant_id))
    assert Client(HTTP_HOST="alpha.localhost").get(path).status_code == 404


def test_the_suspended_portal_points_its_admins_to_the_emailed_link(past_due, settings):
    settings.BILLING_GRACE_DAYS = 14
    overdue_tenants_suspend(now=timezone.now() + timedelta(days=15))
    route_cache.clear()
    page = Client(HTTP_HOST="alpha.localhost").get("/")
    assert page.status_code == 403
    assert "the e-mail about it has a link to pay without signing in" in page.content.decode()


def test_a_portal_the_operator_suspended_says_nothing_of_payment(tenant_a, db):
    with schema_context("public"):
        tenant_suspend(tenant=Tenant.objects.get(pk=tenant_a.tenant.pk))
    route_cache.clear()
    page = Client(HTTP_HOST="alpha.localhost").get("/")
    assert page.status_code == 403
    assert "suspended by the platform" in page.content.decode()
    assert "link to pay" not in page.content.decode()


def test_with_nothing_overdue_the_link_opens_no_billing_portal(public_client, past_due, stripe_api):
    with schema_context("public"):
        TenantSubscription.objects.filter(pk=past_due.pk).update(
            status=SubscriptionStatus.ACTIVE, past_due_since=None
        )
    link = _path(pay_link_url(past_due.tenant_id))
    shown = public_client.get(link).content.decode()
    assert "Nothing is overdue" in shown and "Pay or change the card" not in shown
    assert public_client.post(link).status_code == 409
    assert stripe_api.portal_requests == []
