"""Two operators' requests racing for real, on separate connections that commit."""

from __future__ import annotations

import pytest
from django.db import connection

from core.errors import Conflict
from shared_apps.tenants import schemas
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.services import tenant_create, tenant_delete, tenant_purge
from tests.concurrency import race


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """Let these tests commit; purge what they provisioned afterwards."""
    with django_db_blocker.unblock():
        yield
        connection.set_schema_to_public()
        for tenant in Tenant.objects.filter(slug="racer"):
            tenant_purge(tenant=tenant_delete(tenant=tenant))


def test_same_idempotency_key_at_once_gives_one_tenant(committed):
    results = race(
        2
        * [
            lambda: tenant_create(
                slug="racer",
                name="Racer",
                admin_email="r@racer.example",
                operator_id=7,
                idempotency_key="same-key",
            )
        ]
    )
    assert all(not isinstance(r, Exception) for r in results), results
    assert {r.tenant.pk for r in results} == {Tenant.objects.get(slug="racer").pk}
    assert sorted(r.created for r in results) == [False, True]
    assert schemas.schema_exists("t_racer")


def test_same_slug_at_once_gives_one_tenant_and_one_conflict(committed):
    results = race(
        2 * [lambda: tenant_create(slug="racer", name="Racer", admin_email="r@racer.example")]
    )
    created = [r for r in results if not isinstance(r, Exception)]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(created) == 1
    assert len(conflicts) == 1
    assert conflicts[0].code.value == "slug_taken"
    assert Tenant.objects.filter(slug="racer").count() == 1
