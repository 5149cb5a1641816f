"""Plan limits as the entitlement check reads them (registered as core's limit source)."""

from __future__ import annotations

import zlib

from django.db import connection
from django.utils.translation import gettext as _

from billing.subscriptions.models import Plan
from core.entitlements import LimitSource, PlanLimit
from shared_apps.tenants.models import Tenant

# Each metered resource and how a plan states its limit: a number column (None unlimited),
# or a yes/no column (yes: unlimited, no: 0, not included).
NUMBER_LIMITS = {
    "active_learners": "max_active_learners",
    "courses": "max_courses",
    "storage_bytes": "max_storage_bytes",
    "webhook_endpoints": "max_webhook_endpoints",
}
FEATURE_LIMITS = {
    "identity_providers": "sso_allowed",
    "scim_tokens": "scim_allowed",
    "custom_domains": "custom_domain_allowed",
}


def plan_limit(plan: Plan, resource: str) -> int | None:
    if resource in NUMBER_LIMITS:
        return getattr(plan, NUMBER_LIMITS[resource])
    if resource in FEATURE_LIMITS:
        return None if getattr(plan, FEATURE_LIMITS[resource]) else 0
    return None


def plan_for_schema(schema_name: str) -> Plan | None:
    """The tenant's plan (None for a schema no tenant has)."""
    code = Tenant.objects.filter(schema_name=schema_name).values_list("plan_code", flat=True)
    code = code.first()
    if code is None:
        return None
    return Plan.objects.filter(code=code).first()


# The first key of the advisory locks under which a tenant's resource is counted ("LE").
COUNTING_LOCK_NAMESPACE = 0x4C45


def _counting_lock(schema_name: str, resource: str) -> bool:
    """Inside a transaction, wait for and hold (until it ends) the lock of this tenant's
    `resource`, so two creations at once are counted one after the other — never both
    under a limit that admits one. Other resources, and the tenant's row, stay free.
    False (no lock) outside a transaction."""
    if not connection.in_atomic_block:
        return False
    key = zlib.crc32(f"{schema_name}:{resource}".encode()) - 2**31  # a signed int4
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [COUNTING_LOCK_NAMESPACE, key])
    return True


def limit_for(schema_name: str, resource: str) -> PlanLimit | None:
    """The tenant's plan's limit; a tenant on a plan code nobody defined is not limited.
    Only a limit that has to be counted takes the resource's counting lock (the plan read
    again under it): an unlimited resource, or one the plan leaves out, never makes
    creations wait for each other."""
    plan = plan_for_schema(schema_name)
    if plan is None:
        return None
    if plan_limit(plan, resource) and _counting_lock(schema_name, resource):
        plan = plan_for_schema(schema_name)  # as it is now that creations wait their turn
        if plan is None:
            return None
    return PlanLimit(plan_name=plan.name, limit=plan_limit(plan, resource))


def plan_lifting(resource: str, needed: int) -> str | None:
    """The cheapest public, current plan that admits `needed` of `resource`."""
    candidates = Plan.objects.filter(is_public=True, archived_at__isnull=True)
    fitting = []
    for plan in candidates:
        limit = plan_limit(plan, resource)
        if limit is None or (limit > 0 and limit >= needed):
            fitting.append(plan)
    if not fitting:
        return None
    # Cheapest by monthly price; a plan without a monthly price (contact sales) comes last.
    fitting.sort(
        key=lambda plan: (plan.price_month is None, plan.price_month or 0, plan.sort_order)
    )
    return fitting[0].name


LIMIT_SOURCE = LimitSource(limit_for=limit_for, plan_lifting=plan_lifting)


def new_tenant_plan_problem(plan_code: str) -> str | None:
    """Why a new tenant may not be put on `plan_code` (registered with the tenants app)."""
    plan = Plan.objects.filter(code=plan_code).first()
    if plan is None:
        return _("No plan has the code “%(code)s”.") % {"code": plan_code}
    if plan.archived_at is not None:
        return _("The plan “%(code)s” is archived; choose a current plan.") % {"code": plan_code}
    return None
