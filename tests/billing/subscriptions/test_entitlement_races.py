"""Two creations at the same moment under a limit that admits one more: exactly one is
made (each on its own connection, committing)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_context

from billing.subscriptions.models import Plan
from core.entitlements import PlanLimitReached
from shared_apps.tenants.models import Tenant
from tenant_apps.courses.models import Course
from tenant_apps.courses.services import course_create
from tenant_apps.people.models import Role, User
from tenant_apps.people.services import user_create
from tests.concurrency import race_in_schema


@pytest.fixture
def one_course_left(tenant_a, django_db_blocker) -> Iterator[User]:
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        with schema_context(tenant_a.schema):
            owner = user_create(email="race-limit@example.com", role=Role.CONTENT_CREATOR)
            existing = Course.objects.count()
        Plan.objects.create(code="race-limit", name="Race", max_courses=existing + 1)
        Tenant.objects.filter(pk=tenant_a.tenant.pk).update(plan_code="race-limit")
        try:
            yield owner
        finally:
            connection.set_schema_to_public()
            Tenant.objects.filter(pk=tenant_a.tenant.pk).update(plan_code="standard")
            Plan.objects.filter(code="race-limit").delete()
            with schema_context(tenant_a.schema):
                Course.objects.filter(owner=owner).delete()
                User.objects.filter(pk=owner.pk).delete()
            connection.set_schema_to_public()


def test_two_courses_at_once_under_a_limit_of_one_more(
    tenant_a, one_course_left, django_db_blocker
):
    def create(title: str):
        return lambda: course_create(owner=one_course_left, title=title)

    with django_db_blocker.unblock():
        results = race_in_schema(tenant_a.schema, [create(f"Race {n}") for n in range(4)])
        made = [result for result in results if isinstance(result, Course)]
        refused = [result for result in results if isinstance(result, PlanLimitReached)]
        assert (len(made), len(refused)) == (1, 3), results
        with schema_context(tenant_a.schema):
            assert Course.objects.filter(owner=one_course_left).count() == 1


def test_counting_one_resource_never_waits_for_another(
    tenant_a, one_course_left, django_db_blocker
):
    """A course being created (its count locked until it commits) holds up neither a new
    learner, also counted under a limit, nor a change to the tenant's own row."""
    holding, release = threading.Event(), threading.Event()

    def slow_course() -> Course:
        with transaction.atomic():
            course = course_create(owner=one_course_left, title="Slow")
            holding.set()
            release.wait(timeout=30)
        return course

    def others() -> tuple[str, float]:
        holding.wait(timeout=30)
        started = time.monotonic()
        learner = user_create(email="not-waiting@example.com")
        with schema_context("public"):
            Tenant.objects.filter(pk=tenant_a.tenant.pk).update(name="Alpha Academy")
        waited = time.monotonic() - started
        release.set()
        return learner.email, waited

    with django_db_blocker.unblock():
        Plan.objects.filter(code="race-limit").update(max_active_learners=10_000)
        try:
            course, (email, waited) = race_in_schema(tenant_a.schema, [slow_course, others])
            assert isinstance(course, Course) and email == "not-waiting@example.com"
            # Blocked, it would have waited for `release` (30 s) and never set it.
            assert waited < 15
        finally:
            release.set()
            with schema_context(tenant_a.schema):
                User.objects.filter(email="not-waiting@example.com").delete()
            connection.set_schema_to_public()
            Tenant.objects.filter(pk=tenant_a.tenant.pk).update(name=tenant_a.tenant.name)
