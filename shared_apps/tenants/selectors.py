"""Reads on tenants."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from core.errors import NotFound
from shared_apps.tenants.errors import TenantErrorCode
from shared_apps.tenants.models import Tenant, TenantStatus


def tenant_list(
    *, status: str | None = None, search: str | None = None, deleted: bool | None = None
) -> QuerySet[Tenant]:
    tenants = Tenant.objects.prefetch_related("domains").order_by("slug")
    if status:
        tenants = tenants.filter(status=status)
    if deleted is not None:
        tenants = tenants.filter(purge_after__isnull=not deleted)
    if search:
        term = search.strip()
        tenants = tenants.filter(
            Q(slug__icontains=term)
            | Q(name__icontains=term)
            | Q(contact_email__icontains=term)
            | Q(domains__domain__icontains=term)
        ).distinct()
    return tenants


def tenant_get(*, slug: str) -> Tenant:
    tenant = Tenant.objects.prefetch_related("domains").filter(slug__lower=slug.lower()).first()
    if tenant is None:
        raise NotFound(TenantErrorCode.TENANT_NOT_FOUND, f"No tenant '{slug}'.")
    return tenant


def serving_schema_names() -> list[str]:
    """The schemas of tenants that are active and not deleted: where periodic work runs."""
    return list(
        Tenant.objects.filter(status=TenantStatus.ACTIVE, purge_after__isnull=True).values_list(
            "schema_name", flat=True
        )
    )
