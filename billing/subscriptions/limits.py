"""Plan limits as the entitlement check reads them (registered as core's limit source)."""

from __future__ import annotations

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


def plan_for_schema(schema_name: str, *, lock: bool = False) -> Plan | None:
    """The tenant's plan. With `lock`, inside a transaction, the tenant's row stays locked
    until it ends, so two creations at once are counted one after the other (never both
    under a limit that admits one)."""
    tenants = Tenant.objects.filter(schema_name=schema_name)
    if lock and connection.in_atomic_block:
        tenants = tenants.select_for_update(of=("self",))
    code = tenants.values_list("plan_code", flat=True).first()
    if code is None:
        return None
    return Plan.objects.filter(code=code).first()


def limit_for(schema_name: str, resource: str) -> PlanLimit | None:
    """The tenant's plan's limit; a tenant on a plan code nobody defined is not limited.
    Only a limit that has to be counted locks the tenant's row: an unlimited resource (or
    one the plan leaves out) never makes creations wait for each other."""
    plan = plan_for_schema(schema_name)
    if plan is None:
        return None
    if plan_limit(plan, resource):
        plan = plan_for_schema(schema_name, lock=True)
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
