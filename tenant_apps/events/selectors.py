"""Reads on the outbox."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from tenant_apps.events.models import OutboxConsumerState, OutboxEvent

# Schemas asked about in one query.
SCHEMAS_PER_QUERY = 200


def _qualified(schema: str, table: str) -> str:
    return f"{connection.ops.quote_name(schema)}.{connection.ops.quote_name(table)}"


def _schemas_with_outbox(schemas: list[str]) -> list[str]:
    """Schemas already holding the relay's tables (not one half-built or being migrated)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.columns"
            " WHERE table_name = %s AND column_name = 'dispatched_at'"
            " AND table_schema = ANY(%s)",
            [OutboxEvent._meta.db_table, schemas],
        )
        present = {row[0] for row in cursor.fetchall()}
    return [schema for schema in schemas if schema in present]


def schemas_with_relay_work(schema_names: Iterable[str]) -> list[str]:
    """Of these tenant schemas, those whose outbox has events not yet handed out, or a
    consumer whose backlog is due for a retry: a query per SCHEMAS_PER_QUERY schemas, read
    from any schema."""
    events = OutboxEvent._meta.db_table
    states = OutboxConsumerState._meta.db_table
    wanted = sorted(set(schema_names))
    found: list[str] = []
    for start in range(0, len(wanted), SCHEMAS_PER_QUERY):
        chunk = _schemas_with_outbox(wanted[start : start + SCHEMAS_PER_QUERY])
        if not chunk:
            continue
        parts, arguments = [], []
        for schema in chunk:
            parts.append(
                "SELECT %s WHERE EXISTS (SELECT 1 FROM "  # noqa: S608 (quoted names)
                f"{_qualified(schema, events)} WHERE dispatched_at IS NULL)"
                f" OR EXISTS (SELECT 1 FROM {_qualified(schema, states)}"
                " WHERE blocked_since IS NOT NULL AND retry_at <= now())"
            )
            arguments.append(schema)
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), arguments)
            found += [row[0] for row in cursor.fetchall()]
    return found
