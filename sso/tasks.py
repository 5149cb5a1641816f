"""Background work of SSO, each run in one tenant's schema (queued for every tenant by the
beat schedule through shared_apps.tenants.tasks.every_tenant_queue)."""

from __future__ import annotations

from celery import shared_task

from sso.services.certificates import certificate_warnings_send
from sso.services.metadata import metadata_refresh_due as refresh_due


@shared_task(name="sso.tasks.metadata_refresh_due")
def metadata_refresh_due() -> dict[str, int]:
    """Refresh the metadata of this tenant's SAML providers that have a metadata URL and
    were not refreshed for a day; a failure keeps the old settings and is shown to admins."""
    return refresh_due()


@shared_task(name="sso.tasks.certificate_expiry_warn")
def certificate_expiry_warn() -> int:
    """E-mail the tenant's admins about certificates 30 and 7 days from expiry (once per
    certificate and threshold)."""
    return certificate_warnings_send()
