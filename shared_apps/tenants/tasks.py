"""Background upkeep of tenants (runs in the public schema)."""

from __future__ import annotations

from celery import shared_task

from lectern.redis_client import redis_client
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
