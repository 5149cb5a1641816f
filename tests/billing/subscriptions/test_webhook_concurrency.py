"""The same Stripe event delivered many times at once, for real (each delivery on its own
connection, committing): it is stored once and applied once."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client, override_settings

from billing.subscriptions.models import ProviderEvent, SubscriptionChange, TenantSubscription
from shared_apps.tenants.models import Tenant
from tests.billing.subscriptions.stripe_fake import WEBHOOK_SECRET, event, signed_headers
from tests.concurrency import race

DELIVERIES = 40
CUSTOMER = "cus_race_alpha"


@pytest.fixture
def committed_account(tenant_a, django_db_blocker) -> Iterator[TenantSubscription]:
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        account = TenantSubscription.objects.create(
            tenant=tenant_a.tenant,
            stripe_customer_id=CUSTOMER,
            stripe_subscription_id="sub_race",
            status="active",
        )
        try:
            yield account
        finally:
            connection.set_schema_to_public()
            ProviderEvent.objects.filter(event_id="evt_race").delete()
            SubscriptionChange.objects.filter(tenant=tenant_a.tenant).delete()
            TenantSubscription.objects.filter(pk=account.pk).delete()
            Tenant.objects.filter(pk=tenant_a.tenant.pk).update(plan_code="standard")


@override_settings(STRIPE_PLATFORM_WEBHOOK_SECRET=WEBHOOK_SECRET)
def test_concurrent_duplicate_deliveries_apply_once(committed_account, django_db_blocker):
    invoice = {"id": "in_race", "customer": CUSTOMER, "subscription": "sub_race"}
    payload = event(
        "invoice.payment_failed", invoice, event_id="evt_race", created=int(time.time())
    )
    headers = signed_headers(payload)

    def deliver() -> tuple[int, str]:
        answer = Client(HTTP_HOST="localhost").post(
            "/billing/webhooks/stripe/", payload, content_type="application/json", **headers
        )
        return answer.status_code, answer.json()["outcome"]

    with django_db_blocker.unblock():
        results = race([deliver for _ in range(DELIVERIES)])
        assert sorted(set(results)) == [(200, "applied"), (200, "duplicate")], results
        assert results.count((200, "applied")) == 1
        connection.set_schema_to_public()
        assert ProviderEvent.objects.filter(event_id="evt_race").count() == 1
        changes = list(
            SubscriptionChange.objects.filter(tenant_id=committed_account.tenant_id).values_list(
                "kind", "before", "after"
            )
        )
        assert changes == [("status", "active", "past_due")]
