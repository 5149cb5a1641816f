"""Background work of the branding app (each run in one tenant's schema)."""

from __future__ import annotations

from celery import shared_task

from tenant_apps.branding.services import custom_domains_recheck, verified_domains_recheck


@shared_task(name="tenant_apps.branding.tasks.pending_domains_verify")
def pending_domains_verify() -> int:
    """Check the TXT records of this tenant's domains not yet verified (queued for every
    tenant by the beat schedule); returns how many became verified."""
    return custom_domains_recheck()


@shared_task(name="tenant_apps.branding.tasks.verified_domains_recheck")
def verified_domains_recheck_task() -> dict[str, int]:
    """Check that this tenant's verified domains still hold their TXT record (daily, queued
    for every tenant by the beat); warn, then stop routing one whose record stays gone."""
    return verified_domains_recheck()
