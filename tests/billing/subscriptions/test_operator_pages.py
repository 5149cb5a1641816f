"""The operator console's billing: plans (create, edit, archive), the overview with MRR per
currency in minor units, plan mix and past-due tenants, the subscriptions filter, and a
tenant's plan changed on its page. Only operators get in."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from billing.subscriptions.models import (
    Plan,
    SubscriptionChange,
    SubscriptionStatus,
    TenantSubscription,
)
from billing.subscriptions.selectors import monthly_recurring_revenue
from shared_apps.operators.services import operator_create
from shared_apps.tenants.models import Tenant


@pytest.fixture
def console(operator) -> Client:
    connection.set_schema_to_public()
    client = Client(HTTP_HOST="localhost")
    client.force_login(operator.user)
    return client


def subscribe(tenant, **fields) -> TenantSubscription:
    connection.set_schema_to_public()
    return TenantSubscription.objects.create(tenant=tenant, **fields)


def test_mrr_is_per_currency_in_minor_units_with_years_as_twelfths(tenant_a, tenant_b, db):
    subscribe(tenant_a.tenant, status="active", interval="month", amount=29900, currency="USD")
    subscribe(tenant_b.tenant, status="past_due", interval="year", amount=120001, currency="USD")
    extra = Tenant.objects.create(
        slug="jp", name="JP", schema_name="t_jp_unused", contact_email="x@example.com"
    )
    subscribe(extra, status="active", interval="month", amount=5000, currency="JPY")
    cancelled = Tenant.objects.create(
        slug="gone", name="Gone", schema_name="t_gone_unused", contact_email="x@example.com"
    )
    subscribe(cancelled, status="canceled", interval="month", amount=99900, currency="USD")
    assert monthly_recurring_revenue() == {"JPY": 5000, "USD": 29900 + 10000}


def test_the_overview_shows_mrr_mix_past_due_and_filters_by_status(console, tenant_a, tenant_b):
    subscribe(tenant_a.tenant, status="active", interval="month", amount=29900, currency="USD")
    subscribe(
        tenant_b.tenant,
        status="past_due",
        interval="month",
        amount=4900,
        currency="USD",
        plan_code="starter",
    )
    page = console.get("/billing/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "$348.00" in text  # 299.00 + 49.00
    assert 'data-chart="plan_mix"' in text and 'id="billing-data"' in text
    assert "<script>" not in text  # figures in json_script, code in static files (CSP)
    past_due_section = text.split('id="past-due-heading"')[1].split("</section>")[0]
    assert "Bravo Academy" in past_due_section and "Alpha Learning" not in past_due_section
    filtered = console.get("/billing/", {"status": "active"}).content.decode()
    table = filtered.split('id="subscriptions-heading"')[1]
    assert "Alpha Learning" in table and "Bravo Academy" not in table
    assert console.get("/billing/", {"status": "bogus"}).status_code == 200


def test_plans_are_created_edited_and_archived(console, db):
    created = console.post(
        "/billing/plans/new/",
        {
            "code": "team",
            "name": "Team",
            "sort_order": "15",
            "max_active_learners": "200",
            "max_courses": "",
            "max_storage_gb": "20",
            "max_webhook_endpoints": "5",
            "sso_allowed": "on",
            "currency": "eur",
            "price_month": "99.90",
            "price_year": "",
            "trial_days": "7",
            "is_public": "on",
        },
    )
    assert created.status_code == 302, created.content.decode()[-2000:]
    team = Plan.objects.get(code="team")
    assert (team.price_month, team.price_year, team.currency) == (9990, None, "EUR")
    assert (team.max_courses, team.max_storage_bytes) == (None, 20 * 1024**3)
    assert (team.sso_allowed, team.scim_allowed) == (True, False)

    edit = console.get("/billing/plans/team/").content.decode()
    assert 'value="99.90"' in edit
    bad = console.post(
        "/billing/plans/team/",
        {
            "name": "Team",
            "sort_order": "15",
            "currency": "EUR",
            "price_month": "9.999",
            "trial_days": "0",
        },
    )
    assert bad.status_code == 400
    assert Plan.objects.get(code="team").price_month == 9990

    console.post("/billing/plans/team/archive/")
    assert Plan.objects.get(code="team").is_archived
    duplicate = console.post(
        "/billing/plans/new/",
        {"code": "team", "name": "Again", "sort_order": "1", "currency": "EUR", "trial_days": "0"},
    )
    assert duplicate.status_code == 400
    assert "Choose another code." in duplicate.content.decode()


def test_an_operator_changes_a_tenants_plan_on_its_page(console, tenant_a):
    page = console.get(f"/tenants/{tenant_a.tenant.slug}/").content.decode()
    assert "Plan and subscription" in page
    console.post(f"/tenants/{tenant_a.tenant.slug}/plan/", {"plan": "enterprise"})
    assert Tenant.objects.get(pk=tenant_a.tenant.pk).plan_code == "enterprise"
    change = SubscriptionChange.objects.get(tenant=tenant_a.tenant)
    assert (change.kind, change.before, change.after) == ("plan", "standard", "enterprise")
    assert change.reason == "operator ops@lectern.example.com"
    console.post(f"/tenants/{tenant_a.tenant.slug}/plan/", {"plan": "nope"})
    assert Tenant.objects.get(pk=tenant_a.tenant.pk).plan_code == "enterprise"


def test_only_operators_reach_billing(tenant_a, db):
    connection.set_schema_to_public()
    staff_less = operator_create(email="not-ops@lectern.example.com", password="operator-pass-123")
    staff_less.is_staff = False
    staff_less.save(update_fields=["is_staff"])
    client = Client(HTTP_HOST="localhost")
    for path in ("/billing/", "/billing/plans/", "/billing/plans/new/"):
        assert client.get(path).status_code == 302  # to sign in
    client.force_login(staff_less)
    assert client.get("/billing/").status_code == 403
    assert (
        client.post(f"/tenants/{tenant_a.tenant.slug}/plan/", {"plan": "enterprise"}).status_code
        == 403
    )
    assert Tenant.objects.get(pk=tenant_a.tenant.pk).plan_code == "standard"
    assert SubscriptionStatus.ACTIVE  # the model's statuses are importable for filters
