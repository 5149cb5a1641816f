"""Migrating every tenant schema: only those behind, in parallel, failures reported apart."""

from __future__ import annotations

import io
import multiprocessing
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field

from django.db import connection, connections

from shared_apps.tenants import schemas
from shared_apps.tenants.models import Tenant


@dataclass
class MigrationReport:
    total: int = 0
    skipped: list[str] = field(default_factory=list)
    migrated: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def schemas_behind(schema_names: list[str]) -> list[str]:
    """Which of `schema_names` lack migrations the template has (or have no schema at all).

    Two statements in all, however many tenants: one reads which schemas hold a
    `django_migrations` table, one reads every such table at once.
    """
    if not schema_names:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT n.nspname FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid
             WHERE c.relname = 'django_migrations' AND c.relkind = 'r'
               AND n.nspname = ANY(%s)
            """,
            [[*schema_names, schemas.TEMPLATE_SCHEMA]],
        )
        with_table = {row[0] for row in cursor.fetchall()}
        if schemas.TEMPLATE_SCHEMA not in with_table:
            return list(schema_names)
        readable = [schemas.TEMPLATE_SCHEMA, *(s for s in schema_names if s in with_table)]
        union = " UNION ALL ".join(
            f"SELECT {_quote_literal(name)} AS schema_name, app, name "
            f"FROM {schemas.quote(name)}.django_migrations"
            for name in readable
        )
        cursor.execute(
            f"SELECT schema_name, md5(string_agg(app || '.' || name, ',' ORDER BY app, name)) "
            f"FROM ({union}) AS applied GROUP BY schema_name"
        )
        states = dict(cursor.fetchall())
    expected = states.get(schemas.TEMPLATE_SCHEMA)
    return [name for name in schema_names if states.get(name) != expected]


def _migrate_one(schema_name: str) -> tuple[str, str | None]:
    """Run in a worker process: migrate one schema, return its error text if it failed."""
    output = io.StringIO()
    try:
        with redirect_stdout(output), redirect_stderr(output):
            schemas.migrate_schema(schema_name)
    except Exception as exc:  # reported per tenant; the others go on
        connections.close_all()
        return schema_name, f"{type(exc).__name__}: {exc}".strip()
    finally:
        connection.set_schema_to_public()
    return schema_name, None


def tenant_schema_names() -> list[str]:
    """Every tenant's schema, deleted ones in their grace period included."""
    return list(Tenant.objects.order_by("schema_name").values_list("schema_name", flat=True))


def migrate_tenants(
    *, tenant_schemas: list[str], workers: int, progress: Callable[[int], None] | None = None
) -> MigrationReport:
    """Migrate each of `tenant_schemas` that is behind the template, `workers` at a time."""
    names = tenant_schemas
    report = MigrationReport(total=len(names))
    behind = schemas_behind(names)
    report.skipped = sorted(set(names) - set(behind))
    if progress:
        progress(len(report.skipped))
    if not behind:
        return report

    # Children start from this process's state; none may inherit its open connection.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=max(1, workers), mp_context=context) as pool:
        futures = [pool.submit(_migrate_one, name) for name in behind]
        for future in as_completed(futures):
            name, error = future.result()
            if error:
                report.failed[name] = error
            else:
                report.migrated.append(name)
            if progress:
                progress(1)
    report.migrated.sort()
    return report


def stream_is_terminal(stream=None) -> bool:
    stream = stream or sys.stderr
    return hasattr(stream, "isatty") and stream.isatty()
