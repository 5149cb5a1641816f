"""The tenant admin's plan API: the same plan, usage, Checkout and portal as the page, for
admins only; another tenant's admin token does not work here."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from billing.subscriptions.models import TenantSubscription
from tenant_apps.people.models import Role


def test_the_plan_and_usage(api, admin, tenant_a, put_on_plan):
    put_on_plan(tenant_a, max_courses=4, scim_allowed=False)
    body = api(admin).get("/api/v1/billing/plan").json()
    assert (body["plan"], body["plan_name"], body["subscription"]) == ("tight", "Tight", None)
    usage = {row["resource"]: (row["used"], row["limit"]) for row in body["usage"]}
    assert usage["courses"] == (0, 4)
    assert usage["scim_tokens"] == (0, 0)
    assert usage["identity_providers"] == (0, None)


def test_checkout_and_portal_give_addresses(api, admin, stripe_api):
    client = api(admin)
    checkout = client.post(
        "/api/v1/billing/plan/checkout", {"plan": "starter", "interval": "month"}, format="json"
    )
    assert checkout.status_code == 200, checkout.json()
    assert checkout.json() == {"url": "https://checkout.stripe.test/c/pay/cs_test_fake_1"}
    portal = client.post("/api/v1/billing/plan/portal")
    assert portal.json() == {"url": "https://billing.stripe.test/p/session/bps_test_fake"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"plan": "starter", "interval": "weekly"}, "interval"),
        ({"plan": "enterprise", "interval": "month"}, "interval"),
        ({"plan": "archived-or-missing"}, "plan"),
        ({}, "plan"),
    ],
)
def test_bad_checkout_names_the_field(api, admin, stripe_api, body, field):
    answer = api(admin).post("/api/v1/billing/plan/checkout", body, format="json")
    assert answer.status_code == 400
    assert field in {detail["field"] for detail in answer.json()["error"]["details"]}
    assert stripe_api.checkout_requests == []


@pytest.mark.parametrize("role", [Role.LEARNER, Role.INSTRUCTOR])
def test_only_admins(api, make_person, role, tenant_a, stripe_api):
    client = api(make_person(role, email=f"{role}-billing-api@example.com"))
    assert client.get("/api/v1/billing/plan").status_code == 403
    assert (
        client.post("/api/v1/billing/plan/checkout", {"plan": "starter"}, format="json").status_code
        == 403
    )
    assert client.post("/api/v1/billing/plan/portal").status_code == 403
    with schema_context("public"):
        assert not TenantSubscription.objects.filter(tenant=tenant_a.tenant).exists()


def test_another_tenants_admin_token_is_refused(api, make_person, tenant_b, stripe_api):
    admin_b = make_person(Role.ADMIN, tenant=tenant_b, email="admin-b-api@example.com")
    token_b = api(admin_b, tenant=tenant_b)._credentials["HTTP_AUTHORIZATION"]
    client = api()
    client.credentials(HTTP_AUTHORIZATION=token_b)
    assert client.get("/api/v1/billing/plan").status_code == 401
    assert client.post("/api/v1/billing/plan/portal").status_code == 401
    assert stripe_api.portal_requests == []
