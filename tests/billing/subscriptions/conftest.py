"""Fixtures of the platform-billing tests: a tenant on a plan of the test's choosing, and
the people of tenant A by role."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from billing.subscriptions.models import Plan
from shared_apps.tenants.models import Tenant
from tenant_apps.people.models import Role


@pytest.fixture
def put_on_plan(db):
    """`put_on_plan(tenant, code="tight", **limits)`: make (or change) a plan and move the
    tenant onto it, in the test's transaction."""

    def put(provisioned, code: str = "tight", **limits) -> Plan:
        values = {
            "name": code.title(),
            "sort_order": 5,
            "price_month": 900,
            "sso_allowed": True,
            "scim_allowed": True,
            "custom_domain_allowed": True,
            **limits,
        }
        with schema_context("public"):
            plan, _created = Plan.objects.update_or_create(code=code, defaults=values)
            Tenant.objects.filter(pk=provisioned.tenant.pk).update(plan_code=code)
        return plan

    return put


@pytest.fixture
def admin(make_person):
    return make_person(Role.ADMIN, email="billing-admin@example.com")


@pytest.fixture
def author(make_person):
    return make_person(Role.CONTENT_CREATOR, email="billing-author@example.com")


@pytest.fixture
def learner(make_person):
    return make_person(Role.LEARNER, email="billing-learner@example.com")


@pytest.fixture
def instructor(make_person):
    return make_person(Role.INSTRUCTOR, email="billing-instructor@example.com")


@pytest.fixture(scope="session")
def local_stripe():
    from tests.billing.subscriptions.stripe_fake import LocalStripe

    with LocalStripe() as running:
        yield running


@pytest.fixture
def stripe_api(local_stripe, settings):
    """The platform's Stripe: localstripe behind the Checkout/portal FAKE, and the keys."""
    from tests.billing.subscriptions.stripe_fake import (
        SECRET_KEY,
        WEBHOOK_SECRET,
        CheckoutAndPortalFake,
    )

    settings.STRIPE_PLATFORM_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PLATFORM_WEBHOOK_SECRET = WEBHOOK_SECRET
    with CheckoutAndPortalFake(local_stripe.url) as fake:
        settings.STRIPE_API_BASE = fake.url
        yield fake


@pytest.fixture
def webhook_secret(settings) -> str:
    from tests.billing.subscriptions.stripe_fake import WEBHOOK_SECRET

    settings.STRIPE_PLATFORM_WEBHOOK_SECRET = WEBHOOK_SECRET
    return WEBHOOK_SECRET


@pytest.fixture(autouse=True)
def _no_past_due_marks():
    """The admin banner's past-due marks live in Redis, which tests do not roll back."""
    from billing.subscriptions.overdue_marks import KEY
    from core.redis_client import redis_client

    redis_client().delete(KEY)
    yield
    redis_client().delete(KEY)
