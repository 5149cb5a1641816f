"""Background upkeep of tenants (runs in the public schema)."""

from __future__ import annotations

from celery import shared_task

from core.redis_client import redis_client
from core.tenancy import TASK_SCHEMA_HEADER
from shared_apps.tenants import schemas
from shared_apps.tenants.services import tenants_purge_expired as purge_expired

TOP_UP_LOCK = "lectern:tenants:spare-top-up"


@shared_task(name="shared_apps.tenants.tasks.spare_schemas_top_up")
def spare_schemas_top_up() -> int:
    """Keep the pool of spare schemas full; one worker at a time."""
    lock = redis_client().lock(TOP_UP_LOCK, timeout=600)
    if not lock.acquire(blocking=False):
        return 0
    try:
        return schemas.spare_schemas_top_up()
    finally:
        lock.release()


@shared_task(name="shared_apps.tenants.tasks.tenants_purge_expired")
def tenants_purge_expired() -> list[str]:
    return purge_expired()


@shared_task(name="shared_apps.tenants.tasks.every_tenant_queue")
def every_tenant_queue(task_name: str, queue: str | None = None) -> int:
    """For the beat schedule, from the public schema: queue the task named `task_name` in the
    schema of every active tenant (on `queue`, else the default queue). Tenant apps name
    their per-tenant work here without the public schema knowing them. Returns how many were
    queued."""
    from celery import current_app

    from shared_apps.tenants.selectors import serving_schema_names

    routing = {"queue": queue} if queue else {}
    schema_names = serving_schema_names()
    for schema_name in schema_names:
        current_app.send_task(task_name, headers={TASK_SCHEMA_HEADER: schema_name}, **routing)
    return len(schema_names)
