"""Routing a tenant's verified custom domains, for the tenant app that verifies them
(branding), which reaches these functions only through the hook the composition root wires
(`lectern.apps`). Each runs in the schema of the tenant concerned."""

from __future__ import annotations

import contextlib

from django.db import connection
from django.utils.translation import gettext as _

from core.errors import NotFound
from shared_apps.tenants.models import Domain, Tenant
from shared_apps.tenants.services import domain_add, domain_remove
from shared_apps.tenants.validation import domain_problem, normalise_domain


def _current_tenant() -> Tenant:
    return Tenant.objects.get(schema_name=connection.schema_name)


def custom_domain_problem(name: str) -> str | None:
    """Why `name` cannot be the current tenant's domain, or None."""
    problem = domain_problem(normalise_domain(name))
    if problem:
        return problem
    taken = Domain.objects.filter(domain__lower=normalise_domain(name)).first()
    if taken is not None:
        if taken.tenant.schema_name == connection.schema_name:
            return _("This portal already answers at this domain.")
        return _("Another portal already uses this domain.")
    return None


def custom_domain_route(name: str) -> None:
    """Route `name` to the current tenant (nothing to do when it already is)."""
    name = normalise_domain(name)
    tenant = _current_tenant()
    if Domain.objects.filter(tenant=tenant, domain__lower=name).exists():
        return
    domain_add(tenant=tenant, domain=name)


def custom_domain_unroute(name: str) -> None:
    with contextlib.suppress(NotFound):  # it was never routed: nothing to undo
        domain_remove(tenant=_current_tenant(), domain=name)


def tenant_primary_host() -> str:
    domain = (
        Domain.objects.filter(tenant__schema_name=connection.schema_name, is_primary=True)
        .values_list("domain", flat=True)
        .first()
    )
    return domain or ""
