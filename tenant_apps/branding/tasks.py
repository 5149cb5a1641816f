"""Background work of the branding app (each run in one tenant's schema)."""

from __future__ import annotations

from celery import shared_task

from tenant_apps.branding.services import custom_domains_recheck


@shared_task(name="tenant_apps.branding.tasks.pending_domains_verify")
def pending_domains_verify() -> int:
    """Check the TXT records of this tenant's domains not yet verified (queued for every
    tenant by the beat schedule); returns how many became verified."""
    return custom_domains_recheck()
