"""Background work of the outbox: relay runs (kicked after commit and by the sweep in
`lectern.tasks`) and pruning. Both run in the schema of the tenant they were queued in."""

from __future__ import annotations

from celery import shared_task
from django.db import connection
from django_tenants.utils import get_public_schema_name

from tenant_apps.events.kicks import relay_kick, relay_kick_taken
from tenant_apps.events.relay import outbox_prune, outbox_relay_run


def _in_a_tenant() -> bool:
    return connection.schema_name != get_public_schema_name()


@shared_task(name="tenant_apps.events.tasks.outbox_relay")
def outbox_relay() -> int:
    """Relay the tenant's outbox; returns how many events were handed to consumers."""
    if not _in_a_tenant():
        return 0
    schema_name = connection.schema_name
    # First, so an event committed from now on queues a run of its own.
    relay_kick_taken(schema_name)
    report = outbox_relay_run()
    if report.unfinished:  # the time budget ran out: make room for other tenants' runs
        relay_kick(schema_name)
    return report.handed


@shared_task(name="tenant_apps.events.tasks.outbox_prune")
def outbox_prune_old() -> int:
    """Delete relayed events older than OUTBOX_RETENTION_DAYS."""
    if not _in_a_tenant():
        return 0
    return outbox_prune()
