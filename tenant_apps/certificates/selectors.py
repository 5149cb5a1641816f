"""Reads on certificates. Ids and codes from another tenant are simply not in this schema:
404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from core.errors import NotFound
from tenant_apps.certificates.errors import CertificateErrorCode
from tenant_apps.certificates.models import (
    Certificate,
    CertificateStatus,
    verification_code_normalise,
)
from tenant_apps.certificates.permissions import visible_certificates_filter
from tenant_apps.people.models import User


def _not_found() -> NotFound:
    return NotFound(CertificateErrorCode.CERTIFICATE_NOT_FOUND, _("No such certificate."))


def _listed(queryset: QuerySet[Certificate]) -> QuerySet[Certificate]:
    return queryset.select_related("user", "course").order_by("-issued_at", "-id")


def certificate_list() -> QuerySet[Certificate]:
    """Every certificate of the tenant, newest first (for admins)."""
    return _listed(Certificate.objects.all())


def certificate_list_of_learner(*, user: User) -> QuerySet[Certificate]:
    """A person's own certificates, revoked ones included, newest first."""
    return _listed(Certificate.objects.filter(user=user))


def certificate_get(*, actor: User, certificate_id: int) -> Certificate:
    """A certificate `actor` may see (their own, or any for admins). Any other id, another
    tenant's included, is 404."""
    found = (
        _listed(Certificate.objects.filter(visible_certificates_filter(actor)))
        .filter(pk=certificate_id)
        .first()
    )
    if found is None:
        raise _not_found()
    return found


def certificate_verification_url(*, code: str, base_url: str) -> str:
    """The public page anyone can check the certificate on, on the tenant's host."""
    path = reverse("certificate-verify-page", kwargs={"code": code}, urlconf=settings.ROOT_URLCONF)
    return base_url + path


def certificate_download_url(*, certificate_id: int, base_url: str) -> str:
    """The API address of the certificate's PDF (for its learner and admins)."""
    path = reverse(
        "certificate-pdf",
        kwargs={"certificate_id": certificate_id},
        urlconf=settings.ROOT_URLCONF,
    )
    return base_url + path


def certificate_download_page_url(*, certificate_id: int, base_url: str) -> str:
    """The portal's download of the certificate's PDF: a signed-out learner following it
    (from an e-mail) signs in first and then gets the PDF."""
    path = reverse(
        "certificate-download",
        kwargs={"certificate_id": certificate_id},
        urlconf=settings.ROOT_URLCONF,
    )
    return base_url + path


@dataclass(frozen=True)
class CertificateVerification:
    """What anyone holding a verification code may learn: what the certificate says and
    whether it still stands. Nothing else about the person (no e-mail, no ids)."""

    code: str
    status: CertificateStatus
    learner_name: str
    course_title: str
    issued_on: date
    revoked_on: date | None
    issued_by: str


def certificate_verify(*, code: str, issued_by: str) -> CertificateVerification:
    """Look a certificate up by the code printed on it (case, spaces and hyphens do not
    matter). Unknown codes, malformed ones and other tenants' are all 404, alike."""
    normalised = verification_code_normalise(code)
    if normalised is None:
        raise _not_found()
    certificate = (
        Certificate.objects.filter(code=normalised)
        .only("code", "learner_name", "course_title", "issued_on", "revoked_at")
        .first()
    )
    if certificate is None:
        raise _not_found()
    return CertificateVerification(
        code=certificate.code,
        status=certificate.status,
        learner_name=certificate.learner_name,
        course_title=certificate.course_title,
        issued_on=certificate.issued_on,
        revoked_on=certificate.revoked_at.date() if certificate.revoked_at else None,
        issued_by=issued_by,
    )


def certificate_of_enrollment(*, user: User, enrollment_id: int) -> Certificate | None:
    """The certificate of one of `user`'s own enrollments, if it has one (for the course
    page's download link)."""
    return Certificate.objects.filter(user=user, enrollment_id=enrollment_id).first()
