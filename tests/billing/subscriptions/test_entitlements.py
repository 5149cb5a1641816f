"""The one entitlement check, hit through every door a limit applies to: the API, the
pages, SCIM, the bulk creation imports use, and the operator console. Each refusal names
the limit, the plan's number and the cheapest plan that lifts it; nothing is created."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from billing.subscriptions.models import Plan
from core.entitlements import PlanLimitReached, entitlement_require, entitlement_usage
from sso.models import IdentityProvider
from tenant_apps.courses.models import Course
from tenant_apps.people.models import Role, User
from tenant_apps.people.services import user_deactivate, user_reactivate
from tenant_apps.people.services.bulk import NewPerson, users_create_many
from tenant_apps.scim.models import ScimToken
from tenant_apps.scim.tokens import scim_token_create
from tests.tenant_apps.scim.conftest import ScimClient, new_user
from webhooks.models import WebhookEndpoint

TIGHT_OFF = {"sso_allowed": False, "scim_allowed": False, "custom_domain_allowed": False}


def _error(response) -> dict:
    return response.json()["error"]


# ------------------------------------------------------------------------------------------
# Courses: API and the teach page share course_create
def test_course_api_refuses_beyond_the_plan_naming_limit_and_upgrade(
    api, author, tenant_a, put_on_plan
):
    put_on_plan(tenant_a, max_courses=1)
    client = api(author)
    assert client.post("/api/v1/courses", {"title": "One"}).status_code == 201
    refused = client.post("/api/v1/courses", {"title": "Two"})
    assert refused.status_code == 403
    assert _error(refused)["code"] == "plan_limit_reached"
    assert _error(refused)["message"] == (
        "Courses: your plan (Tight) allows 1. Upgrade to Starter to add more."
    )
    with schema_context(tenant_a.schema):
        assert list(Course.objects.values_list("title", flat=True)) == ["One"]


def test_teach_page_shows_the_refusal_next_to_the_form(portal, author, tenant_a, put_on_plan):
    put_on_plan(tenant_a, max_courses=0, **TIGHT_OFF)
    page = portal(author).post(
        "/teach/courses/new/",
        {
            "title": "Nope",
            "difficulty": "beginner",
            "language": "en",
            "estimated_minutes": "0",
            "price": "0",
            "currency": "EUR",
            "passing_score": "70",
        },
    )
    assert page.status_code == 400
    assert "Courses are not included in your plan (Tight)." in page.content.decode()
    with schema_context(tenant_a.schema):
        assert Course.objects.count() == 0


# ------------------------------------------------------------------------------------------
# People: API, invite page, reactivation, bulk creation (CSV imports, SCIM bulk)
def test_people_api_refuses_a_learner_but_not_an_admin(api, admin, learner, tenant_a, put_on_plan):
    with schema_context(tenant_a.schema):
        learners = User.objects.filter(is_active=True, role=Role.LEARNER).count()
    put_on_plan(tenant_a, max_active_learners=learners)
    client = api(admin)
    refused = client.post("/api/v1/users", {"email": "one-too-many@example.com"})
    assert refused.status_code == 403
    assert _error(refused)["code"] == "plan_limit_reached"
    assert "Active learners: your plan (Tight) allows" in _error(refused)["message"]
    staff = client.post("/api/v1/users", {"email": "helper@example.com", "role": "instructor"})
    assert staff.status_code == 201, staff.json()
    with schema_context(tenant_a.schema):
        assert not User.objects.filter(email="one-too-many@example.com").exists()


def test_invite_page_shows_the_refusal(portal, admin, learner, tenant_a, put_on_plan):
    with schema_context(tenant_a.schema):
        learners = User.objects.filter(is_active=True, role=Role.LEARNER).count()
    put_on_plan(tenant_a, max_active_learners=learners)
    page = portal(admin).post(
        "/manage/people/invite/", {"emails": "a@example.com\nb@example.com", "role": "learner"}
    )
    assert page.status_code == 400
    assert "Active learners: your plan (Tight) allows" in page.content.decode()
    with schema_context(tenant_a.schema):
        assert not User.objects.filter(email__in=["a@example.com", "b@example.com"]).exists()


def test_reactivating_a_learner_counts_and_bulk_creation_counts_every_learner(
    in_tenant_a, admin, learner, make_person, put_on_plan
):
    make_person(Role.LEARNER, email="stays@example.com")
    user_deactivate(user=learner, actor=admin)
    learners = User.objects.filter(is_active=True, role=Role.LEARNER).count()
    put_on_plan(in_tenant_a, max_active_learners=learners)
    with pytest.raises(PlanLimitReached):
        user_reactivate(user=learner, actor=admin)
    assert User.objects.get(pk=learner.pk).is_active is False
    with pytest.raises(PlanLimitReached):
        users_create_many(
            people=[NewPerson(email="x@example.com"), NewPerson(email="y@example.com")],
            actor=admin,
        )
    assert not User.objects.filter(email__in=["x@example.com", "y@example.com"]).exists()
    # Staff do not take a learner's seat.
    made = users_create_many(
        people=[NewPerson(email="z@example.com", role=Role.INSTRUCTOR)], actor=admin
    )
    assert [person.email for person in made] == ["z@example.com"]


def test_reactivate_page_says_why_it_was_refused(
    portal, admin, learner, make_person, tenant_a, put_on_plan
):
    make_person(Role.LEARNER, email="stays@example.com")
    with schema_context(tenant_a.schema):
        user_deactivate(user=learner, actor=admin)
        learners = User.objects.filter(is_active=True, role=Role.LEARNER).count()
    put_on_plan(tenant_a, max_active_learners=learners)
    page = portal(admin).post(f"/manage/people/{learner.pk}/reactivate/", follow=True)
    assert "Active learners: your plan (Tight) allows" in page.content.decode()
    with schema_context(tenant_a.schema):
        assert User.objects.get(pk=learner.pk).is_active is False


# ------------------------------------------------------------------------------------------
# SCIM: a 403 in SCIM's own error body
def test_scim_create_beyond_the_plan_is_a_scim_403(
    client_a, learner, tenant_a, put_on_plan, fresh_throttle_counters
):
    with schema_context(tenant_a.schema):
        secret = scim_token_create(name="Entra", actor=None)[1]
        learners = User.objects.filter(is_active=True, role=Role.LEARNER).count()
    put_on_plan(tenant_a, max_active_learners=learners)
    answer = ScimClient(client_a, secret).post("/Users", new_user("over@example.com"))
    assert answer.status_code == 403
    body = answer.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert body["status"] == "403"
    assert "Active learners: your plan (Tight) allows" in body["detail"]


def test_scim_is_refused_altogether_when_the_plan_has_none(
    client_a, tenant_a, put_on_plan, fresh_throttle_counters
):
    with schema_context(tenant_a.schema):
        secret = scim_token_create(name="Entra", actor=None)[1]
    put_on_plan(tenant_a, **TIGHT_OFF)
    answer = ScimClient(client_a, secret).get("/Users")
    assert answer.status_code == 403
    assert answer.json()["detail"] == (
        "SCIM provisioning tokens are not included in your plan (Tight). "
        "Upgrade to Standard to add more."
    )
    with schema_context(tenant_a.schema), pytest.raises(PlanLimitReached):
        scim_token_create(name="Another", actor=None)


def test_scim_token_page_refuses_without_a_500(portal, admin, tenant_a, put_on_plan):
    put_on_plan(tenant_a, **TIGHT_OFF)
    page = portal(admin).post("/manage/people-sync/scim/tokens/", {"name": "HR"}, follow=True)
    assert page.status_code == 200
    assert "SCIM provisioning tokens are not included in your plan (Tight)." in (
        page.content.decode()
    )
    with schema_context(tenant_a.schema):
        assert ScimToken.objects.count() == 0


# ------------------------------------------------------------------------------------------
# SSO, webhooks, custom domains
def test_identity_provider_api_refused_without_sso(api, admin, tenant_a, put_on_plan):
    put_on_plan(tenant_a, **TIGHT_OFF)
    refused = api(admin).post(
        "/api/v1/sso/providers",
        {
            "kind": "oidc",
            "name": "Keycloak",
            "slug": "kc",
            "oidc_issuer": "https://kc.example/realms/acme",
            "oidc_client_id": "lectern",
        },
        format="json",
    )
    assert refused.status_code == 403
    assert _error(refused)["message"] == (
        "Identity providers (single sign-on) are not included in your plan (Tight). "
        "Upgrade to Standard to add more."
    )
    with schema_context(tenant_a.schema):
        assert IdentityProvider.objects.count() == 0


def test_webhook_endpoint_api_and_page_refused_beyond_the_plan(
    api, portal, admin, tenant_a, put_on_plan
):
    put_on_plan(tenant_a, max_webhook_endpoints=0, **TIGHT_OFF)
    refused = api(admin).post(
        "/api/v1/webhooks/endpoints",
        {"url": "https://hooks.example.com/in", "event_types": ["course.*"]},
        format="json",
    )
    assert refused.status_code == 403
    assert _error(refused)["message"] == (
        "Webhook endpoints are not included in your plan (Tight). Upgrade to Starter to add more."
    )
    page = portal(admin).post(
        "/manage/webhooks/add/",
        {
            "url": "https://hooks.example.com/in",
            "event_types": "course.*",
            "custom_headers": "",
            "rate_limit_per_second": "0",
            "enabled": "on",
        },
    )
    assert "Webhook endpoints are not included in your plan (Tight)." in page.content.decode()
    with schema_context(tenant_a.schema):
        assert WebhookEndpoint.objects.count() == 0


def test_custom_domain_refused_for_the_tenant_admin_and_the_operator(
    portal, admin, tenant_a, put_on_plan, operator, public_client
):
    put_on_plan(tenant_a, **TIGHT_OFF)
    page = portal(admin).post("/manage/domains/", {"name": "learn.example.org"})
    assert "Custom domains are not included in your plan (Tight)." in page.content.decode()
    connection.set_schema_to_public()
    public_client.force_login(operator.user)
    console = public_client.post(
        f"/tenants/{tenant_a.tenant.slug}/domains/", {"domain": "learn.example.org"}
    )
    assert console.status_code == 400
    assert "Custom domains are not included in your plan (Tight)." in console.content.decode()
    assert not tenant_a.tenant.domains.filter(domain="learn.example.org").exists()


# ------------------------------------------------------------------------------------------
# Unlimited plans, and the usage the plan page shows
def test_an_unlimited_plan_never_refuses(in_tenant_a, put_on_plan):
    enterprise = Plan.objects.get(code="enterprise")
    put_on_plan(in_tenant_a, code="enterprise", name=enterprise.name)
    for resource in (
        "active_learners",
        "courses",
        "webhook_endpoints",
        "identity_providers",
        "scim_tokens",
        "custom_domains",
    ):
        entitlement_require(resource, adding=10**6)


def test_usage_lists_every_metered_resource_against_the_plan(in_tenant_a, author, put_on_plan):
    put_on_plan(in_tenant_a, max_courses=3, **TIGHT_OFF)
    usage = {row.resource: (row.used, row.limit) for row in entitlement_usage()}
    assert usage["courses"] == (0, 3)
    assert usage["identity_providers"] == (0, 0)
    assert set(usage) == {
        "active_learners",
        "courses",
        "webhook_endpoints",
        "identity_providers",
        "scim_tokens",
        "custom_domains",
        "storage_bytes",
    }
