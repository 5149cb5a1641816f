"""Certificate work after commit, run by the worker in the tenant's schema."""

from __future__ import annotations

from celery import shared_task

from tenant_apps.certificates.models import Certificate
from tenant_apps.certificates.selectors import (
    certificate_download_url,
    certificate_verification_url,
)
from tenant_apps.certificates.services import certificate_pdf_store
from tenant_apps.notifications.services import tenant_email_send, tenant_identity


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


@shared_task(name="tenant_apps.certificates.tasks.certificate_issued_send")
def certificate_issued_send(certificate_id: int) -> None:
    """Congratulate the learner on completing the course, with the certificate's links."""
    certificate = (
        Certificate.objects.select_related("user")
        .filter(pk=certificate_id, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if certificate is None:
        return
    tenant = tenant_identity()
    subject = f"You completed {certificate.course_title}: your certificate from {tenant.name}"
    tenant_email_send(
        to=certificate.user.email,
        subject=" ".join(subject.split()),  # a title with a line break must not break headers
        template="certificate_issued",
        context={
            "user": certificate.user,
            "certificate": certificate,
            "verification_url": certificate_verification_url(
                code=certificate.code, base_url=tenant.base_url
            ),
            "download_url": certificate_download_url(
                certificate_id=certificate.pk, base_url=tenant.base_url
            ),
        },
    )
