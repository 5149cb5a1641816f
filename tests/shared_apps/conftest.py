"""Helpers for the public-schema apps' tests."""

from __future__ import annotations

from django_tenants.utils import get_public_schema_name, schema_context

from shared_apps.tenants.models import Domain, IdempotencyRecord, SpareSchema, Tenant
from tests.snapshots import snapshot


def provisioning_rows() -> dict:
    """Every row provisioning and the tenant lifecycle write to the public schema, to show a
    refused request changed nothing."""
    with schema_context(get_public_schema_name()):
        return snapshot(Tenant, Domain, SpareSchema, IdempotencyRecord)
