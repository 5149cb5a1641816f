"""The one entitlement check: may this tenant add one more of a resource under its plan?

The apps that own a resource register a usage meter for it (people: active learners,
courses: courses, sso: identity providers, ...); platform billing registers the limit
source (tenant → plan). Callers ask `entitlement_require("courses", adding=1)` before they
create; a refusal is `PlanLimitReached` (403 `plan_limit_reached` in the API, a message on a
page, a SCIM 403 on `/scim/v2/`), naming the limit, the plan's number and the cheapest plan
that lifts it. Nothing here knows an app by name.

A limit of None is unlimited; a limit of 0 means the plan does not include the resource at
all (SSO, SCIM, custom domains), so even `adding=0` (using SCIM) is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from core.errors import ApplicationError


class EntitlementErrorCode(Enum):
    PLAN_LIMIT_REACHED = "plan_limit_reached"


@dataclass(frozen=True)
class UsageMeter:
    resource: str  # "courses", "people", ...
    label: str  # lazily translated, plural and capitalised: "Courses", "Active learners"
    count: Callable[[], int]  # the usage in the schema the connection points at
    order: int = 100
    unit: str = "count"  # "count", or "bytes" (shown as a file size)


@dataclass(frozen=True)
class PlanLimit:
    plan_name: str
    limit: int | None  # None: unlimited


@dataclass(frozen=True)
class LimitSource:
    """What billing offers: the limit of a tenant's plan, and the cheapest public plan whose
    limit admits `needed` of a resource (None when no plan does)."""

    limit_for: Callable[[str, str], PlanLimit | None]  # (schema_name, resource)
    plan_lifting: Callable[[str, int], str | None]  # (resource, needed) → plan name


@dataclass(frozen=True)
class Usage:
    resource: str
    label: str
    used: int
    limit: int | None
    unit: str = "count"


_meters: dict[str, UsageMeter] = {}
_limit_source: LimitSource | None = None


def usage_meter_register(meter: UsageMeter) -> None:
    _meters[meter.resource] = meter


def limit_source_register(source: LimitSource | None) -> None:
    global _limit_source
    _limit_source = source


class PlanLimitReached(ApplicationError):
    """The tenant's plan does not admit one more of a resource."""

    def __init__(self, message: str, *, resource: str) -> None:
        super().__init__(code=EntitlementErrorCode.PLAN_LIMIT_REACHED, message=message, status=403)
        self.resource = resource


def _count(meter: UsageMeter, schema_name: str) -> int:
    if connection.schema_name == schema_name:
        return meter.count()
    with schema_context(schema_name):
        return meter.count()


def size_text(amount: int) -> str:
    """A number of bytes as people read it ("1.5 MB")."""
    return str(filesizeformat(amount)).replace("\xa0", " ")


def _refusal(meter: UsageMeter, plan: PlanLimit, needed: int) -> PlanLimitReached:
    lifting = _limit_source.plan_lifting(meter.resource, needed) if _limit_source else None
    limit = plan.limit
    if meter.unit == "bytes":
        limit = size_text(plan.limit)
    values = {"plan": plan.plan_name, "limit": limit, "label": meter.label}
    if plan.limit == 0:
        text = _("%(label)s are not included in your plan (%(plan)s).") % values
    else:
        text = _("%(label)s: your plan (%(plan)s) allows %(limit)s.") % values
    if lifting:
        text += " " + _("Upgrade to %(lifting)s to add more.") % {"lifting": lifting}
    else:
        text += " " + _("Contact us for a larger plan.")
    return PlanLimitReached(text, resource=meter.resource)


def entitlement_require(resource: str, *, adding: int = 1, schema_name: str | None = None) -> None:
    """Refuse (PlanLimitReached) when the tenant's plan does not admit `adding` more of
    `resource`. The tenant is the connection's schema unless `schema_name` names one; the
    public schema and a resource nobody meters are never limited."""
    schema_name = schema_name or connection.schema_name
    meter = _meters.get(resource)
    if meter is None or _limit_source is None or schema_name == get_public_schema_name():
        return
    plan = _limit_source.limit_for(schema_name, resource)
    if plan is None or plan.limit is None:
        return
    if plan.limit == 0:
        raise _refusal(meter, plan, max(adding, 1))
    if adding <= 0:
        return
    used = _count(meter, schema_name)
    if used + adding > plan.limit:
        raise _refusal(meter, plan, used + adding)


def entitlement_usage(schema_name: str | None = None) -> list[Usage]:
    """Each metered resource's usage against the tenant's plan, for its plan page."""
    schema_name = schema_name or connection.schema_name
    rows = []
    for meter in sorted(_meters.values(), key=lambda known: (known.order, known.resource)):
        plan = _limit_source.limit_for(schema_name, meter.resource) if _limit_source else None
        rows.append(
            Usage(
                resource=meter.resource,
                label=str(meter.label),
                used=_count(meter, schema_name),
                limit=plan.limit if plan else None,
                unit=meter.unit,
            )
        )
    return rows
