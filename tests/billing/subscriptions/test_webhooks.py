"""Stripe's platform-billing webhook on the public host: forged and stale signatures are
refused with nothing stored, a duplicate is applied once, unknown types are ignored, and an
older event never moves a subscription back."""

from __future__ import annotations

import time

import pytest
from django_tenants.utils import schema_context

from billing.subscriptions.models import (
    Plan,
    ProviderEvent,
    SubscriptionChange,
    SubscriptionStatus,
    TenantSubscription,
)
from shared_apps.tenants.models import Tenant
from tenant_apps.courses.models import Course
from tests.billing.subscriptions.stripe_fake import event, signed_headers

URL = "/billing/webhooks/stripe/"
CUSTOMER = "cus_platform_alpha"


@pytest.fixture
def account(tenant_a, db) -> TenantSubscription:
    with schema_context("public"):
        return TenantSubscription.objects.create(
            tenant=tenant_a.tenant, stripe_customer_id=CUSTOMER
        )


def subscription(status: str, *, plan_code: str = "business", sub_id: str = "sub_1") -> dict:
    plan = Plan.objects.get(code=plan_code)
    return {
        "id": sub_id,
        "object": "subscription",
        "customer": CUSTOMER,
        "status": status,
        "metadata": {"tenant": "alpha", "plan_code": plan_code},
        "trial_end": None,
        "current_period_end": int(time.time()) + 30 * 86400,
        "items": {
            "data": [
                {
                    "price": {
                        "id": "price_unknown",
                        "currency": plan.currency.lower(),
                        "unit_amount": plan.price_month,
                        "recurring": {"interval": "month"},
                    }
                }
            ]
        },
    }


def deliver(client, payload: str, **signing):
    return client.post(
        URL, payload, content_type="application/json", **signed_headers(payload, **signing)
    )


def state() -> tuple[str, str]:
    with schema_context("public"):
        account = TenantSubscription.objects.select_related("tenant").get(
            stripe_customer_id=CUSTOMER
        )
        return account.status, account.tenant.plan_code


# ------------------------------------------------------------------------------------------
# Signatures
def test_a_forged_signature_is_refused_and_nothing_is_stored(
    public_client, account, webhook_secret
):
    payload = event(
        "customer.subscription.updated",
        subscription("active"),
        event_id="evt_forged",
        created=int(time.time()),
    )
    answer = deliver(public_client, payload, secret="whsec_attacker")
    assert answer.status_code == 400
    unsigned = public_client.post(URL, payload, content_type="application/json")
    assert unsigned.status_code == 400
    tampered_headers = signed_headers(payload)
    tampered = public_client.post(
        URL,
        payload.replace("active", "trialing"),
        content_type="application/json",
        **tampered_headers,
    )
    assert tampered.status_code == 400
    with schema_context("public"):
        assert ProviderEvent.objects.count() == 0
    assert state() == (SubscriptionStatus.NONE, "standard")


def test_a_signature_older_than_five_minutes_is_refused(public_client, account, webhook_secret):
    payload = event(
        "customer.subscription.updated", subscription("active"), event_id="evt_old", created=1
    )
    answer = deliver(public_client, payload, at=int(time.time()) - 301)
    assert answer.status_code == 400
    with schema_context("public"):
        assert ProviderEvent.objects.count() == 0


def test_without_a_configured_secret_every_event_is_refused(public_client, account, settings):
    settings.STRIPE_PLATFORM_WEBHOOK_SECRET = ""
    payload = event("invoice.paid", {}, event_id="evt_x", created=1)
    assert deliver(public_client, payload).status_code == 400


@pytest.mark.parametrize("body", ["not json", "[]", '{"id": 5}', "{}"])
def test_a_signed_body_that_is_not_an_event_is_a_400_not_a_500(
    public_client, account, webhook_secret, body
):
    assert deliver(public_client, body).status_code == 400


def test_a_platform_event_sent_to_a_tenant_host_is_not_platform_billing(
    client_a, account, webhook_secret
):
    """On a tenant's host the same path is the tenant's own course-payment webhook: the
    platform's signature means nothing there and no platform event is kept."""
    payload = event("invoice.paid", {}, event_id="evt_tenant_host", created=1)
    assert deliver(client_a, payload).status_code == 400
    with schema_context("public"):
        assert not ProviderEvent.objects.filter(event_id="evt_tenant_host").exists()


# ------------------------------------------------------------------------------------------
# Once only, and unknown types
def test_a_replayed_event_is_applied_once(public_client, account, webhook_secret):
    payload = event(
        "customer.subscription.created",
        subscription("active"),
        event_id="evt_once",
        created=int(time.time()),
    )
    first = deliver(public_client, payload)
    again = deliver(public_client, payload)
    assert (first.status_code, first.json()["outcome"]) == (200, "applied")
    assert (again.status_code, again.json()["outcome"]) == (200, "duplicate")
    assert state() == (SubscriptionStatus.ACTIVE, "business")
    with schema_context("public"):
        assert ProviderEvent.objects.filter(event_id="evt_once").count() == 1
        kinds = list(
            SubscriptionChange.objects.filter(tenant=account.tenant)
            .order_by("id")
            .values_list("kind", "before", "after")
        )
    assert kinds == [("status", "none", "active"), ("plan", "standard", "business")]


def test_an_unknown_event_type_is_acknowledged_and_ignored(public_client, account, webhook_secret):
    payload = event("charge.refunded", {"id": "ch_1"}, event_id="evt_unknown", created=1)
    answer = deliver(public_client, payload)
    assert (answer.status_code, answer.json()["outcome"]) == (200, "ignored")
    assert state() == (SubscriptionStatus.NONE, "standard")


def test_an_event_for_an_unknown_customer_changes_nobody(public_client, account, webhook_secret):
    foreign = subscription("active") | {"customer": "cus_someone_else", "metadata": {}}
    payload = event("customer.subscription.created", foreign, event_id="evt_foreign", created=5)
    assert deliver(public_client, payload).json()["outcome"] == "unknown_customer"
    assert state() == (SubscriptionStatus.NONE, "standard")


# ------------------------------------------------------------------------------------------
# Out of order
def test_a_late_created_never_moves_past_due_back_to_active(public_client, account, webhook_secret):
    now = int(time.time())
    created = event(
        "customer.subscription.created", subscription("active"), event_id="evt_c", created=now - 60
    )
    updated = event(
        "customer.subscription.updated", subscription("past_due"), event_id="evt_u", created=now
    )
    assert deliver(public_client, updated).json()["outcome"] == "applied"
    assert deliver(public_client, created).json()["outcome"] == "stale"
    assert state() == (SubscriptionStatus.PAST_DUE, "business")


def test_a_created_in_the_same_second_as_an_update_does_not_override_it(
    public_client, account, webhook_secret
):
    now = int(time.time())
    updated = event(
        "customer.subscription.updated", subscription("past_due"), event_id="evt_u2", created=now
    )
    created = event(
        "customer.subscription.created", subscription("active"), event_id="evt_c2", created=now
    )
    deliver(public_client, updated)
    assert deliver(public_client, created).json()["outcome"] == "stale"
    assert state()[0] == SubscriptionStatus.PAST_DUE


def test_a_cancelled_subscription_stays_cancelled(public_client, account, webhook_secret):
    now = int(time.time())
    deleted = event(
        "customer.subscription.deleted", subscription("canceled"), event_id="evt_d", created=now
    )
    late_update = event(
        "customer.subscription.updated", subscription("active"), event_id="evt_u3", created=now
    )
    started = event(
        "customer.subscription.created", subscription("active"), event_id="evt_s", created=now - 5
    )
    deliver(public_client, started)
    deliver(public_client, deleted)
    assert deliver(public_client, late_update).json()["outcome"] == "stale"
    assert state() == (SubscriptionStatus.CANCELED, "ended")


def test_an_ended_subscription_leaves_what_exists_but_admits_nothing_more(
    public_client, account, webhook_secret, api, author, tenant_a
):
    now = int(time.time())
    created = event(
        "customer.subscription.created", subscription("active"), event_id="evt_c", created=now
    )
    deliver(public_client, created)
    assert api(author).post("/api/v1/courses", {"title": "Kept"}).status_code == 201
    deleted = event(
        "customer.subscription.deleted",
        subscription("canceled"),
        event_id="evt_end",
        created=now + 1,
    )
    assert deliver(public_client, deleted).json()["outcome"] == "applied"
    refused = api(author).post("/api/v1/courses", {"title": "Refused"})
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == (
        "Courses are not included in your plan (Subscription ended). "
        "Upgrade to Starter to add more."
    )
    with schema_context(tenant_a.schema):
        assert list(Course.objects.values_list("title", flat=True)) == ["Kept"]
    with schema_context("public"):
        assert SubscriptionChange.objects.filter(
            tenant_id=account.tenant_id, kind="plan", before="business", after="ended"
        ).exists()


def test_subscribing_again_after_the_end_restores_the_plan(public_client, account, webhook_secret):
    now = int(time.time())
    ended = event(
        "customer.subscription.deleted", subscription("canceled"), event_id="evt_e", created=now
    )
    again = event(
        "customer.subscription.created",
        subscription("active", plan_code="standard", sub_id="sub_2"),
        event_id="evt_again",
        created=now + 5,
    )
    started = event(
        "customer.subscription.created", subscription("active"), event_id="evt_s", created=now - 5
    )
    deliver(public_client, started)
    deliver(public_client, ended)
    assert state() == (SubscriptionStatus.CANCELED, "ended")
    assert deliver(public_client, again).json()["outcome"] == "applied"
    assert state() == (SubscriptionStatus.ACTIVE, "standard")


def test_trials_are_mirrored(public_client, account, webhook_secret):
    trial_end = int(time.time()) + 14 * 86400
    trialing = subscription("trialing") | {"trial_end": trial_end}
    payload = event(
        "customer.subscription.created", trialing, event_id="evt_trial", created=int(time.time())
    )
    deliver(public_client, payload)
    with schema_context("public"):
        mirrored = TenantSubscription.objects.get(pk=account.pk)
        assert Tenant.objects.get(pk=account.tenant_id).plan_code == "business"
    assert mirrored.status == SubscriptionStatus.TRIALING
    assert int(mirrored.trial_end.timestamp()) == trial_end
    assert (mirrored.amount, mirrored.currency, mirrored.interval) == (99900, "USD", "month")


@pytest.mark.parametrize(
    "obj",
    [
        {"id": "sub_odd", "customer": CUSTOMER, "status": "active", "items": []},
        {"id": "sub_odd", "customer": CUSTOMER, "status": "active", "items": {"data": "x"}},
        {"id": "sub_odd", "customer": CUSTOMER, "status": "active", "items": {"data": [5]}},
        {"id": "sub_odd", "customer": CUSTOMER, "status": "weird"},
        {"id": "sub_odd", "customer": ["list"], "status": "active", "metadata": "x"},
        {"id": "sub_odd", "customer": CUSTOMER, "status": "active", "trial_end": "soon"},
        "not an object",
    ],
)
def test_odd_but_signed_subscription_objects_never_give_a_500(
    public_client, account, webhook_secret, obj
):
    payload = event("customer.subscription.updated", obj, event_id="evt_odd", created=5)
    answer = deliver(public_client, payload)
    assert answer.status_code == 200


@pytest.mark.parametrize(
    "payload",
    [
        event("invoice.paid", {}, event_id="e" * 256, created=1),
        event("x" * 101, {}, event_id="evt_long_type", created=1),
        event("invoice.paid", {"note": "nul \u0000 here"}, event_id="evt_nul", created=1),
    ],
)
def test_events_the_database_cannot_keep_are_refused_not_a_500(
    public_client, account, webhook_secret, payload
):
    assert deliver(public_client, payload).status_code == 400
    with schema_context("public"):
        assert ProviderEvent.objects.count() == 0


def test_an_end_leaves_a_plan_an_operator_gave_meanwhile(public_client, account, webhook_secret):
    now = int(time.time())
    created = event(
        "customer.subscription.created", subscription("active"), event_id="evt_c", created=now
    )
    deliver(public_client, created)
    with schema_context("public"):
        Tenant.objects.filter(pk=account.tenant_id).update(plan_code="enterprise")
    ended = event(
        "customer.subscription.deleted",
        subscription("canceled"),
        event_id="evt_e",
        created=now + 1,
    )
    assert deliver(public_client, ended).json()["outcome"] == "applied"
    assert state() == (SubscriptionStatus.CANCELED, "enterprise")


def test_a_new_subscription_still_incomplete_replaces_nothing(
    public_client, account, webhook_secret
):
    now = int(time.time())
    deliver(
        public_client,
        event("customer.subscription.created", subscription("active"), event_id="e1", created=now),
    )
    incomplete = event(
        "customer.subscription.created",
        subscription("incomplete", plan_code="standard", sub_id="sub_2"),
        event_id="e2",
        created=now + 1,
    )
    assert deliver(public_client, incomplete).json()["outcome"] == "other_subscription"
    assert state() == (SubscriptionStatus.ACTIVE, "business")
    with schema_context("public"):
        assert TenantSubscription.objects.get(pk=account.pk).stripe_subscription_id == "sub_1"
