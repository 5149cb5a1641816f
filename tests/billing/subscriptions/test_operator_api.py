"""The operator API for platform billing: plans, subscriptions, a tenant's plan and
revenue; operator tokens only; bad input names its field and never gives a 500."""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient

from billing.subscriptions.models import Plan, TenantSubscription
from shared_apps.tenants.models import Tenant

BASE = "/api/platform/v1"


@pytest.fixture
def ops(operator) -> APIClient:
    connection.set_schema_to_public()
    client = APIClient(HTTP_HOST="localhost")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {operator.token}")
    return client


def test_plans_round_trip_in_minor_units(ops):
    listed = ops.get(f"{BASE}/plans").json()
    assert [plan["code"] for plan in listed][:4] == [
        "starter",
        "standard",
        "business",
        "enterprise",
    ]
    created = ops.post(
        f"{BASE}/plans",
        {"code": "kwd-team", "name": "Team KWD", "currency": "KWD", "price_month": 12345},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert (created.json()["price_month"], created.json()["currency"]) == (12345, "KWD")
    changed = ops.patch(f"{BASE}/plans/kwd-team", {"max_courses": 3, "code": "x"}, format="json")
    assert changed.json()["max_courses"] == 3 and changed.json()["code"] == "kwd-team"
    archived = ops.post(f"{BASE}/plans/kwd-team/archive")
    assert archived.json()["archived"] is True
    assert ops.get(f"{BASE}/plans/nope").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "No code"}, "code"),
        ({"code": "a", "name": "A", "price_month": -1}, "price_month"),
        ({"code": "a", "name": "A", "price_month": 1.5}, "price_month"),
        ({"code": "a", "name": "A", "currency": "euro"}, "currency"),
        ({"code": "a b", "name": "A"}, "code"),
        ({"code": "standard", "name": "Again"}, "code"),
    ],
)
def test_bad_plans_are_refused_naming_the_field(ops, body, field):
    answer = ops.post(f"{BASE}/plans", body, format="json")
    assert answer.status_code in (400, 409), answer.json()
    assert field in {detail["field"] for detail in answer.json()["error"]["details"]}


def test_subscriptions_filter_and_tenant_plan_change(ops, tenant_a, tenant_b):
    TenantSubscription.objects.create(
        tenant=tenant_a.tenant, status="active", amount=1, currency="USD", interval="month"
    )
    TenantSubscription.objects.create(tenant=tenant_b.tenant, status="past_due")
    listed = ops.get(f"{BASE}/subscriptions", {"status": "past_due"}).json()
    assert [row["tenant"] for row in listed["results"]] == ["bravo"]
    assert ops.get(f"{BASE}/subscriptions", {"status": "nonsense"}).status_code == 400
    changed = ops.put(f"{BASE}/tenants/alpha/plan", {"plan": "business"}, format="json")
    assert changed.json() == {"tenant": "alpha", "plan": "business"}
    assert Tenant.objects.get(slug="alpha").plan_code == "business"
    assert ops.put(f"{BASE}/tenants/alpha/plan", {"plan": "nope"}, format="json").status_code == 404
    assert (
        ops.put(f"{BASE}/tenants/nobody/plan", {"plan": "business"}, format="json").status_code
        == 404
    )
    revenue = ops.get(f"{BASE}/billing/revenue").json()
    assert revenue["mrr"] == [{"currency": "USD", "amount": 1}]
    assert revenue["past_due"] == ["bravo"]


def test_without_an_operator_token_nothing_is_served_or_changed(tenant_a, db):
    connection.set_schema_to_public()
    anonymous = APIClient(HTTP_HOST="localhost")
    assert anonymous.get(f"{BASE}/plans").status_code == 401
    assert (
        anonymous.post(f"{BASE}/plans", {"code": "x", "name": "X"}, format="json").status_code
        == 401
    )
    assert (
        anonymous.put(f"{BASE}/tenants/alpha/plan", {"plan": "business"}, format="json").status_code
        == 401
    )
    assert not Plan.objects.filter(code="x").exists()
    assert Tenant.objects.get(slug="alpha").plan_code == "standard"
