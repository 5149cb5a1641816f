"""Background work of people imports, each run in the schema of the tenant that queued it
(lectern.celery.TenantTask carries it)."""

from __future__ import annotations

from celery import shared_task

from tenant_apps.imports.services import applying


@shared_task(name="imports.tasks.import_run_apply")
def import_run_apply(run_id: int, actor_id: int | None) -> str:
    return applying.run_apply(run_id=run_id, actor_id=actor_id).status


@shared_task(name="imports.tasks.import_run_rollback")
def import_run_rollback(run_id: int, actor_id: int | None) -> str:
    return applying.run_rollback(run_id=run_id, actor_id=actor_id).status


@shared_task(name="imports.tasks.source_fetch_if_due")
def source_fetch_if_due() -> int | None:
    """From the beat, per tenant (every_tenant_queue): fetch the HR export when it is due."""
    from tenant_apps.imports.services.fetching import source_fetch_if_due as fetch

    run = fetch()
    return run.pk if run else None


@shared_task(name="imports.tasks.import_data_prune")
def import_data_prune() -> int:
    """From the beat, per tenant: forget HR files and dry-run rows past their retention."""
    from tenant_apps.imports.services.retention import import_data_prune as prune

    return prune()
