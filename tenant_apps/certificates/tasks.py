"""Certificate work after commit, run by the worker in the tenant's schema."""

from __future__ import annotations

from celery import shared_task
from django.utils.translation import gettext as _

from core.languages import as_read_by
from tenant_apps.certificates.models import Certificate
from tenant_apps.certificates.selectors import (
    certificate_download_page_url,
    certificate_verification_url,
)
from tenant_apps.certificates.services import certificate_pdf_store
from tenant_apps.notifications.email_tasks import Email, email_task
from tenant_apps.notifications.services import TenantIdentity


@shared_task(
    name="tenant_apps.certificates.tasks.certificate_pdf_render",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def certificate_pdf_render(certificate_id: int) -> None:
    """Render and store a newly issued certificate's PDF (downloads render it themselves
    if this has not run yet)."""
    certificate = Certificate.objects.filter(pk=certificate_id).first()
    if certificate is None:
        return
    certificate_pdf_store(certificate=certificate)


@email_task("tenant_apps.certificates.tasks.certificate_issued_send")
def certificate_issued_send(certificate_id: int, tenant: TenantIdentity) -> Email | None:
    """Congratulate the learner on completing the course, with the certificate's links."""
    certificate = (
        Certificate.objects.select_related("user")
        .filter(pk=certificate_id, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if certificate is None:
        return None
    with as_read_by(locale=certificate.user.locale, zone=certificate.user.zone):
        return Email(
            to=certificate.user.email,
            subject=_("You completed %(title)s: your certificate from %(name)s")
            % {"title": certificate.course_title, "name": tenant.name},
            template="certificate_issued",
            context={
                "user": certificate.user,
                "certificate": certificate,
                "verification_url": certificate_verification_url(
                    code=certificate.code, base_url=tenant.base_url
                ),
                "download_url": certificate_download_page_url(
                    certificate_id=certificate.pk, base_url=tenant.base_url
                ),
            },
        )
