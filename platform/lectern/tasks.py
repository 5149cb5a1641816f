"""Periodic work that spans the public schema and tenant apps, so it is wired here."""

from __future__ import annotations

from celery import shared_task

from shared_apps.tenants.selectors import serving_schema_names
from tenant_apps.events.kicks import relay_kick
from tenant_apps.events.selectors import schemas_with_relay_work


@shared_task(name="lectern.tasks.outbox_sweep")
def outbox_sweep() -> int:
    """Queue a relay run for every active tenant whose outbox has work a kick missed
    (Redis or the broker was down at commit time, a worker died mid-run) or a consumer's
    backlog due for a retry. Tenants with nothing pending get no task. Returns how many
    runs were queued."""
    return sum(relay_kick(schema) for schema in schemas_with_relay_work(serving_schema_names()))
