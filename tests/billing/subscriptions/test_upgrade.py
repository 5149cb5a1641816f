"""An upgrade through Checkout makes a second Stripe subscription; once Stripe says it is
active, the one it replaces is cancelled at Stripe (localstripe here), so nobody pays twice.
Subscription objects come from localstripe; the events carrying them are signed with the
Stripe SDK."""

from __future__ import annotations

import time

import stripe
from django_tenants.utils import schema_context

from billing.subscriptions.models import Plan, SubscriptionChange, TenantSubscription
from billing.subscriptions.stripe_gateway import customer_ensure, plan_price_ensure
from shared_apps.tenants.models import Tenant
from tests.billing.subscriptions.stripe_fake import SECRET_KEY, event, signed_headers


def test_the_replaced_subscription_is_cancelled_at_stripe(
    public_client, tenant_a, stripe_api, django_capture_on_commit_callbacks
):
    client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": stripe_api.url})
    with schema_context("public"):
        customer = customer_ensure(tenant_a.tenant)
        standard = plan_price_ensure(Plan.objects.get(code="standard"), "month")
        business = plan_price_ensure(Plan.objects.get(code="business"), "month")
    old = client.v1.subscriptions.create(
        params={"customer": customer, "items": [{"plan": standard}], "trial_period_days": 14}
    )
    new = client.v1.subscriptions.create(
        params={"customer": customer, "items": [{"plan": business}], "trial_period_days": 14}
    )
    with schema_context("public"):
        TenantSubscription.objects.filter(tenant=tenant_a.tenant).update(
            stripe_subscription_id=old.id, status="active", plan_code="standard"
        )
    now = int(time.time())
    payload = event(
        "customer.subscription.created",
        new.to_dict() | {"status": "active"},
        event_id="evt_upgrade",
        created=now,
    )
    with django_capture_on_commit_callbacks(execute=True):
        answer = public_client.post(
            "/billing/webhooks/stripe/",
            payload,
            content_type="application/json",
            **signed_headers(payload),
        )
    assert answer.json()["outcome"] == "applied"
    assert client.v1.subscriptions.retrieve(old.id).status == "canceled"
    with schema_context("public"):
        account = TenantSubscription.objects.get(tenant=tenant_a.tenant)
        assert (account.stripe_subscription_id, account.plan_code) == (new.id, "business")
        assert Tenant.objects.get(pk=tenant_a.tenant.pk).plan_code == "business"
        assert SubscriptionChange.objects.filter(
            tenant=tenant_a.tenant, kind="replaced", before=old.id, after=new.id
        ).exists()
    # The old subscription's own end, arriving later, leaves the new one as it is.
    ended = event(
        "customer.subscription.deleted",
        old.to_dict() | {"status": "canceled"},
        event_id="evt_old_end",
        created=now + 1,
    )
    later = public_client.post(
        "/billing/webhooks/stripe/", ended, content_type="application/json", **signed_headers(ended)
    )
    assert later.json()["outcome"] == "other_subscription"
    with schema_context("public"):
        assert TenantSubscription.objects.get(tenant=tenant_a.tenant).status == "active"
        assert Tenant.objects.get(pk=tenant_a.tenant.pk).plan_code == "business"
