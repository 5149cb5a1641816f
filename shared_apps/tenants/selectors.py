"""Reads on tenants."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import NotFound
from core.storage import folder_bytes
from shared_apps.tenants.errors import TenantErrorCode
from shared_apps.tenants.models import Tenant, TenantStatus

# How a list of tenants may be sorted: by slug (the API's order), name, or newest first.
TENANT_ORDERINGS = {
    "slug": ("slug",),
    "name": (Lower("name"), "slug"),
    "newest": ("-created_at", "slug"),
}


def tenant_list(
    *,
    status: str | None = None,
    search: str | None = None,
    deleted: bool | None = None,
    ordering: str = "slug",
) -> QuerySet[Tenant]:
    tenants = Tenant.objects.prefetch_related("domains").order_by(*TENANT_ORDERINGS[ordering])
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
        raise NotFound(
            TenantErrorCode.TENANT_NOT_FOUND, _("No tenant '%(slug)s'.") % {"slug": slug}
        )
    return tenant


def serving_schema_names() -> list[str]:
    """The schemas of tenants that are active and not deleted: where periodic work runs."""
    return list(
        Tenant.objects.filter(status=TenantStatus.ACTIVE, purge_after__isnull=True).values_list(
            "schema_name", flat=True
        )
    )


# ------------------------------------------------------------------------------------------
# What tenants hold: read in their own schemas, many tenants per query.
#
# The public schema's code imports no tenant app; the tables are found through the app
# registry by model name, so a renamed table follows its model.
PEOPLE_MODEL = ("people", "User")
COURSE_MODEL = ("courses", "Course")
LEARNER_ROLE = "learner"
# How long "active" reaches back, and how long the platform-wide figure is kept.
ACTIVE_LEARNER_DAYS = 30
ACTIVE_LEARNERS_CACHE_SECONDS = 300
ACTIVE_LEARNERS_CACHE_KEY = "operators:active-learners"


def _table(model: tuple[str, str]) -> str:
    return apps.get_model(*model)._meta.db_table


def _qualified(schema: str, table: str) -> str:
    return f"{connection.ops.quote_name(schema)}.{connection.ops.quote_name(table)}"


def _schemas_holding(table: str, schemas: Iterable[str]) -> list[str]:
    """The schemas among `schemas` that hold `table` (a tenant being built or purged may
    not): one query."""
    wanted = sorted(set(schemas))
    if not wanted:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables"
            " WHERE table_name = %s AND table_schema = ANY(%s)",
            [table, wanted],
        )
        return sorted(row[0] for row in cursor.fetchall())


def _count_per_schema(table: str, schemas: Iterable[str], where: str, params: list) -> dict:
    """`SELECT count(*) FROM <schema>.<table> WHERE <where>` for every schema at once: one
    UNION ALL query whatever the number of schemas (and one to skip missing tables)."""
    present = _schemas_holding(table, schemas)
    if not present:
        return {}
    parts, arguments = [], []
    for schema in present:
        parts.append(
            f"SELECT %s, count(*) FROM {_qualified(schema, table)} WHERE {where}"  # noqa: S608
        )
        arguments += [schema, *params]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), arguments)
        return {schema: count for schema, count in cursor.fetchall()}


def tenants_people_counts(*, tenants: Iterable[Tenant]) -> dict[int, int]:
    """How many active people each tenant has, by tenant id (bounded: two queries)."""
    by_schema = {tenant.schema_name: tenant.pk for tenant in tenants}
    counts = _count_per_schema(_table(PEOPLE_MODEL), by_schema, "is_active", [])
    return {by_schema[schema]: count for schema, count in counts.items()}


@dataclass(frozen=True)
class TenantUsage:
    people: int
    courses: int
    database_bytes: int  # tables, indexes and TOAST of the tenant's schema
    file_bytes: int  # the tenant's uploaded files

    @property
    def storage_bytes(self) -> int:
        return self.database_bytes + self.file_bytes


def _file_bytes(schema: str) -> int:
    return folder_bytes(
        Path(settings.MEDIA_ROOT) / (settings.MULTITENANT_RELATIVE_MEDIA_ROOT % schema)
    )


def tenant_usage(*, tenant: Tenant) -> TenantUsage:
    """People, courses and storage of one tenant: one query in its schema, and the size of
    its folder of uploaded files."""
    schema = tenant.schema_name
    people, courses = _table(PEOPLE_MODEL), _table(COURSE_MODEL)
    if _schemas_holding(people, [schema]) != [schema]:
        return TenantUsage(people=0, courses=0, database_bytes=0, file_bytes=0)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT count(*) FROM {_qualified(schema, people)} WHERE is_active),"  # noqa: S608
            f" (SELECT count(*) FROM {_qualified(schema, courses)}),"
            " (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
            "  JOIN pg_namespace n ON n.oid = c.relnamespace"
            "  WHERE n.nspname = %s AND c.relkind IN ('r', 'm'))",
            [schema],
        )
        people_count, course_count, database_bytes = cursor.fetchone()
    return TenantUsage(
        people=people_count,
        courses=course_count,
        database_bytes=int(database_bytes),
        file_bytes=_file_bytes(schema),
    )


# ------------------------------------------------------------------------------------------
# Platform metrics
@dataclass(frozen=True)
class CountOf:
    label: str
    count: int


@dataclass(frozen=True)
class ActiveLearners:
    total: int
    top: list[CountOf]  # the tenants with the most, most first
    measured_at: datetime


@dataclass(frozen=True)
class PlatformMetrics:
    by_status: list[CountOf]
    new_by_month: list[CountOf]
    active_learners: ActiveLearners


DELETED = "deleted"


def tenants_by_status() -> list[CountOf]:
    """Every status with its count, labelled by its code; deleted tenants apart, whatever
    their status, as `deleted`."""
    counts = dict(
        Tenant.objects.filter(purge_after__isnull=True)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    deleted = Tenant.objects.filter(purge_after__isnull=False).count()
    rows = [CountOf(status.value, counts.get(status.value, 0)) for status in TenantStatus]
    return [*rows, CountOf(DELETED, deleted)]


def tenants_new_by_month(*, months: int = 12, now: datetime | None = None) -> list[CountOf]:
    """New tenants in each of the last `months` calendar months (UTC), oldest first, months
    without any included."""
    now = now or timezone.now()
    year, month = now.year, now.month
    starts = []
    for _step in range(months):
        starts.append(datetime(year, month, 1, tzinfo=UTC))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    starts.reverse()
    counts = dict(
        Tenant.objects.filter(created_at__gte=starts[0])
        .annotate(month=TruncMonth("created_at", tzinfo=UTC))
        .values_list("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    return [CountOf(start.strftime("%Y-%m"), counts.get(start, 0)) for start in starts]


def active_learners(*, top: int = 10) -> ActiveLearners:
    """Learners who signed in during the last ACTIVE_LEARNER_DAYS days, across every serving
    tenant: one query over all their schemas, kept for a few minutes."""
    kept = cache.get(ACTIVE_LEARNERS_CACHE_KEY)
    if kept is not None:
        return kept
    names = dict(
        Tenant.objects.filter(status=TenantStatus.ACTIVE, purge_after__isnull=True).values_list(
            "schema_name", "name"
        )
    )
    since = timezone.now() - timedelta(days=ACTIVE_LEARNER_DAYS)
    counts = _count_per_schema(
        _table(PEOPLE_MODEL),
        names,
        "is_active AND role = %s AND last_login >= %s",
        [LEARNER_ROLE, since],
    )
    ranked = sorted(counts.items(), key=lambda item: (-item[1], names[item[0]]))
    figure = ActiveLearners(
        total=sum(counts.values()),
        top=[CountOf(names[schema], count) for schema, count in ranked[:top] if count],
        measured_at=timezone.now(),
    )
    cache.set(ACTIVE_LEARNERS_CACHE_KEY, figure, ACTIVE_LEARNERS_CACHE_SECONDS)
    return figure


def platform_metrics() -> PlatformMetrics:
    return PlatformMetrics(
        by_status=tenants_by_status(),
        new_by_month=tenants_new_by_month(),
        active_learners=active_learners(),
    )
