"""The tenant admin's plan page: plan, status and usage; upgrade through Stripe Checkout
(the Checkout session endpoint is a FAKE on loopback, customers and plans are localstripe);
the customer portal; who may open it, and that each tenant sees only its own."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from billing.subscriptions.models import Plan, TenantSubscription
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.routing import route_cache
from tenant_apps.people.models import Role


def test_the_admin_sees_plan_status_and_usage(portal, admin, tenant_a):
    page = portal(admin).get("/manage/billing/plan/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "<dd>Standard</dd>" in text
    assert "No subscription" in text
    for label in ("Active learners", "Courses", "Webhook endpoints", "Custom domains"):
        assert label in text
    assert "<td>2,500</td>" in text  # the standard plan's learners, grouped
    assert 'value="enterprise"' not in text  # no price: not offered in the form
    assert "Plans marked “Contact us” are arranged with the team" in text
    assert "$299.00" in text  # the standard plan's monthly price, formatted


def test_after_the_subscription_ended_admins_are_told_on_every_admin_page(
    portal, admin, make_person, tenant_a
):
    learner = portal(make_person(Role.LEARNER, email="ended-learner@example.com"))
    with schema_context("public"):
        Tenant.objects.filter(pk=tenant_a.tenant.pk).update(plan_code="ended")
    route_cache.clear()
    client = portal(admin)
    plan_page = client.get("/manage/billing/plan/").content.decode()
    assert "<dd>Subscription ended</dd>" in plan_page
    assert "Your subscription has ended." in plan_page
    assert "Subscription ended</th>" not in plan_page  # not offered for sale
    people_page = client.get("/manage/people/").content.decode()
    assert "Your subscription has ended: everything you have stays" in people_page
    assert "Your subscription has ended" not in learner.get("/").content.decode()


@pytest.mark.parametrize("role", [Role.LEARNER, Role.INSTRUCTOR, Role.CONTENT_CREATOR])
def test_only_admins_open_or_use_it(portal, make_person, role, stripe_api, tenant_a):
    person = make_person(role, email=f"{role}-billing@example.com")
    client = portal(person)
    assert client.get("/manage/billing/plan/").status_code == 403
    assert client.post("/manage/billing/plan/upgrade/", {"plan": "business"}).status_code == 403
    assert client.post("/manage/billing/portal/").status_code == 403
    assert stripe_api.checkout_requests == [] and stripe_api.portal_requests == []
    with schema_context("public"):
        assert not TenantSubscription.objects.filter(tenant=tenant_a.tenant).exists()


def test_upgrade_goes_to_stripe_checkout_for_this_tenant(portal, admin, tenant_a, stripe_api):
    answer = portal(admin).post(
        "/manage/billing/plan/upgrade/", {"plan": "business", "interval": "year"}
    )
    assert answer.status_code == 302
    assert answer["Location"] == "https://checkout.stripe.test/c/pay/cs_test_fake_1"
    with schema_context("public"):
        account = TenantSubscription.objects.get(tenant=tenant_a.tenant)
        business = Plan.objects.get(code="business")
    assert account.stripe_customer_id.startswith("cus_")
    assert business.stripe_price_year_id.startswith("plan_")  # a legacy Plan in localstripe
    asked = stripe_api.checkout_requests[0]
    assert asked["mode"] == "subscription"
    assert asked["customer"] == account.stripe_customer_id
    assert asked["line_items[0][price]"] == business.stripe_price_year_id
    assert asked["subscription_data[trial_period_days]"] == "14"
    assert asked["subscription_data[metadata][tenant]"] == "alpha"
    assert asked["success_url"] == "http://alpha.localhost/manage/billing/plan/?checkout=done"
    # The plan itself changes only when Stripe says the subscription exists.
    with schema_context("public"):
        assert Tenant.objects.get(pk=tenant_a.tenant.pk).plan_code == "standard"


def test_a_plan_not_offered_is_refused_next_to_the_field(portal, admin, stripe_api):
    for data, field in (
        ({"plan": "enterprise", "interval": "month"}, "plan"),  # arranged, not bought
        ({"plan": "no-such-plan", "interval": "month"}, "plan"),
        ({"plan": "business", "interval": "weekly"}, "interval"),
    ):
        answer = portal(admin).post("/manage/billing/plan/upgrade/", data)
        assert answer.status_code == 400, data
        assert f'id="id_{field}_error"' in answer.content.decode() or (
            f"id_{field}" in answer.content.decode()
        )
    assert stripe_api.checkout_requests == []


def test_manage_cards_and_invoices_opens_the_customer_portal(portal, admin, stripe_api):
    answer = portal(admin).post("/manage/billing/portal/")
    assert answer.status_code == 302
    assert answer["Location"] == "https://billing.stripe.test/p/session/bps_test_fake"
    asked = stripe_api.portal_requests[0]
    assert asked["customer"].startswith("cus_")
    assert asked["return_url"] == "http://alpha.localhost/manage/billing/plan/"


def test_without_platform_keys_the_page_says_so_without_a_500(portal, admin, settings):
    settings.STRIPE_PLATFORM_SECRET_KEY = ""
    answer = portal(admin).post("/manage/billing/portal/")
    assert answer.status_code == 409
    assert "Online payment is not set up on this platform." in answer.content.decode()


def test_each_tenant_sees_and_buys_only_for_itself(
    portal, admin, make_person, tenant_a, tenant_b, stripe_api, put_on_plan
):
    put_on_plan(tenant_a, code="business")
    admin_b = make_person(Role.ADMIN, tenant=tenant_b, email="admin-b-billing@example.com")
    client_b = portal(admin_b, tenant=tenant_b)
    page_b = client_b.get("/manage/billing/plan/").content.decode()
    assert "<dd>Standard</dd>" in page_b
    # A's admin has no session on B's host: B's page sends them to sign in.
    a_on_b = portal(None, tenant=tenant_b)
    a_on_b.cookies = portal(admin).cookies
    assert a_on_b.get("/manage/billing/plan/").status_code == 302
    # B's admin upgrading (with A's slug smuggled in) makes B's customer, not A's.
    client_b.post(
        "/manage/billing/plan/upgrade/",
        {"plan": "business", "interval": "month", "tenant": "alpha"},
    )
    assert stripe_api.checkout_requests[0]["subscription_data[metadata][tenant]"] == "bravo"
    with schema_context("public"):
        assert not TenantSubscription.objects.filter(tenant=tenant_a.tenant).exists()
        assert TenantSubscription.objects.get(tenant=tenant_b.tenant).stripe_customer_id
