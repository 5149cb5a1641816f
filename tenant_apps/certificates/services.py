"""Writes on certificates. Each runs in the schema the connection points at.

A certificate is issued when an enrollment in a course with certificates on is completed:
`certificate_issue_on_completion` is registered with `enrollments.hooks` (see `apps.py`) and
runs inside the completing transaction, so the certificate, its `certificate.issued` event
and the learner's in-app notification exist exactly when the completion does. The PDF and
the e-mail follow in Celery tasks after commit.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, FieldError, ValidationFailed
from core.languages import in_language_of
from core.storage import generated_files
from core.transactions import after_commit, violated_constraint
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record
from tenant_apps.branding.services import branding_current
from tenant_apps.certificates.errors import CertificateErrorCode
from tenant_apps.certificates.models import Certificate, verification_code_new
from tenant_apps.certificates.pdf import CertificateArtwork, certificate_pdf_build
from tenant_apps.certificates.selectors import certificate_verification_url
from tenant_apps.enrollments.models import Enrollment, EnrollmentStatus
from tenant_apps.events.models import EventType
from tenant_apps.events.services import record_event
from tenant_apps.notifications.models import NotificationKind
from tenant_apps.notifications.services import notification_send, tenant_identity
from tenant_apps.people.models import User

ONE_PER_ENROLLMENT = "certificate_one_per_enrollment"
CODE_UNIQUE = "certificate_code_unique"
# A clash of two 80-bit codes is not expected in the life of the universe; retry anyway.
CODE_ATTEMPTS = 3
REASON_MAX_LENGTH = 500


def certificate_payload(certificate: Certificate) -> dict[str, Any]:
    """What events say about a certificate."""
    return {
        "id": certificate.pk,
        "code": certificate.code,
        "enrollment_id": certificate.enrollment_id,
        "user_id": certificate.user_id,
        "course_id": certificate.course_id,
        "learner_name": certificate.learner_name,
        "course_title": certificate.course_title,
        "issued_at": certificate.issued_at,
        "issued_on": certificate.issued_on,
        "revoked_at": certificate.revoked_at,
    }


def learner_name_of(user: User) -> str:
    """The name printed on a certificate. Without a full name, "a learner of <tenant>":
    the certificate is public, and no part of the person's address may show on it."""
    return user.full_name.strip() or nameless_learner(tenant_identity().name)


def nameless_learner(tenant_name: str) -> str:
    return _("a learner of %(name)s") % {"name": tenant_name}


def _learner_today(user: User, moment: datetime) -> date:
    return moment.astimezone(user.zone).date()


def _queue_after_issue(certificate_id: int) -> None:
    from tenant_apps.certificates import tasks

    after_commit(lambda: tasks.certificate_pdf_render.delay(certificate_id))
    after_commit(lambda: tasks.certificate_issued_send.delay(certificate_id))


def certificate_issue(*, enrollment: Enrollment, actor: User | None = None) -> Certificate:
    """Issue the certificate of a completed enrollment, or return the one it has.

    The certificate copies the learner's name, the course title and the learner's calendar
    date, and gets a fresh verification code. It is announced as `certificate.issued` and in
    the learner's notifications; after commit its PDF is rendered and stored and the learner
    is e-mailed a link. One per enrollment, which a unique constraint enforces: a concurrent
    second issue returns the first certificate. Raises `enrollment_not_completed` (409) for
    an enrollment that is not completed."""
    if enrollment.status != EnrollmentStatus.COMPLETED:
        raise Conflict(
            CertificateErrorCode.ENROLLMENT_NOT_COMPLETED,
            _("Only a completed enrollment earns a certificate."),
        )
    with transaction.atomic():
        existing = Certificate.objects.filter(enrollment=enrollment).first()
        if existing is not None:
            return existing
        user, course = enrollment.user, enrollment.course
        now = timezone.now()
        for attempt in range(1, CODE_ATTEMPTS + 1):
            certificate = Certificate(
                enrollment=enrollment,
                user=user,
                course=course,
                code=verification_code_new(),
                learner_name=learner_name_of(user),
                course_title=course.title,
                issued_at=now,
                issued_on=_learner_today(user, now),
            )
            try:
                with transaction.atomic():
                    certificate.save(force_insert=True)
                break
            except IntegrityError as exc:
                violated = violated_constraint(exc)
                if violated == ONE_PER_ENROLLMENT:  # issued concurrently: that one stands
                    return Certificate.objects.get(enrollment=enrollment)
                if violated != CODE_UNIQUE or attempt == CODE_ATTEMPTS:
                    raise
        record_event(
            event_type=EventType.CERTIFICATE_ISSUED,
            subject_type="certificate",
            subject_id=certificate.pk,
            payload=certificate_payload(certificate),
            actor_id=getattr(actor, "pk", None),
        )
        with in_language_of(user.locale):
            notification_send(
                recipient_id=user.pk,
                kind=NotificationKind.CERTIFICATE,
                title=_("Your certificate for %(course_title)s")
                % {"course_title": certificate.course_title},
                body=_(
                    "You completed %(course_title)s. Anyone can check your certificate "
                    "with the code %(code)s."
                )
                % {"course_title": certificate.course_title, "code": certificate.code},
                link=certificate_verification_url(code=certificate.code, base_url=""),
            )
        _queue_after_issue(certificate.pk)
    return certificate


def certificate_issue_on_completion(*, enrollment: Enrollment) -> None:
    """The completion handler (`enrollments.hooks`): issue a certificate when the completed
    course gives one."""
    if enrollment.course.certificate_enabled:
        certificate_issue(enrollment=enrollment)


def _refuse_reason(message: str) -> ValidationFailed:
    return ValidationFailed(
        CertificateErrorCode.INVALID_REASON,
        _("Give a reason for revoking the certificate."),
        [FieldError("reason", message)],
    )


def certificate_revoke(*, certificate: Certificate, actor: User, reason: str) -> Certificate:
    """Revoke a certificate for good, with a reason: verification says "revoked" from now
    on, its PDF is no longer handed out (the stored one is deleted after commit), and the
    learner is notified. Audited and announced as `certificate.revoked`. Raises
    `invalid_reason` (400) for an empty or over-long reason and `already_revoked` (409) when
    it is revoked already, keeping the first revocation as it was."""
    reason = reason.strip()
    if not reason:
        raise _refuse_reason(_("Say why the certificate is revoked."))
    if len(reason) > REASON_MAX_LENGTH:
        raise _refuse_reason(_("Use at most %(limit)s characters.") % {"limit": REASON_MAX_LENGTH})
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.is_revoked:
            raise Conflict(
                CertificateErrorCode.ALREADY_REVOKED, _("This certificate is revoked already.")
            )
        stored_pdf = locked.pdf.name if locked.pdf else None
        locked.revoked_at = timezone.now()
        locked.revocation_reason = reason
        locked.revoked_by = actor
        locked.pdf = ""
        locked.save(update_fields=["revoked_at", "revocation_reason", "revoked_by", "pdf"])
        audit_record(
            action=AuditAction.CERTIFICATE_REVOKED,
            actor=actor,
            target=locked,
            before={"revoked_at": None, "revocation_reason": ""},
            after={"revoked_at": locked.revoked_at, "revocation_reason": reason},
        )
        record_event(
            event_type=EventType.CERTIFICATE_REVOKED,
            subject_type="certificate",
            subject_id=locked.pk,
            # Thin: who and which course, not the reason (free text about a person).
            payload={
                "id": locked.pk,
                "code": locked.code,
                "enrollment_id": locked.enrollment_id,
                "user_id": locked.user_id,
                "course_id": locked.course_id,
                "revoked_at": locked.revoked_at,
            },
            actor_id=actor.pk,
        )
        with in_language_of(locked.user.locale):
            notification_send(
                recipient_id=locked.user_id,
                kind=NotificationKind.CERTIFICATE,
                title=_("Your certificate for %(course_title)s was revoked")
                % {"course_title": locked.course_title},
                body=reason,
                link=certificate_verification_url(code=locked.code, base_url=""),
            )
        if stored_pdf:
            storage = locked.pdf.storage
            after_commit(lambda: storage.delete(stored_pdf))
    return locked


def certificate_artwork(certificate: Certificate) -> CertificateArtwork:
    """What the certificate's PDF shows, in the tenant's current branding."""
    tenant = tenant_identity()
    branding = branding_current()
    logo = None
    if branding.logo:
        try:
            with branding.logo.open("rb") as file:
                logo = file.read()
        except OSError:  # the file went missing: the certificate is drawn without it
            logo = None
    return CertificateArtwork(
        tenant_name=tenant.name,
        learner_name=certificate.learner_name,
        course_title=certificate.course_title,
        issued_on=certificate.issued_on,
        code=certificate.code,
        verification_url=certificate_verification_url(
            code=certificate.code, base_url=tenant.base_url
        ),
        primary_colour=branding.primary_colour,
        accent_colour=branding.accent_colour,
        logo=logo,
    )


def _pdf_is_stored(certificate: Certificate) -> bool:
    return bool(certificate.pdf) and certificate.pdf.storage.exists(certificate.pdf.name)


def certificate_pdf_store(*, certificate: Certificate) -> Certificate:
    """Render the certificate's PDF and keep it in the default storage (under the tenant's
    folder), unless it is stored already or the certificate is revoked.

    Rendering happens before the row is locked; whoever stores first wins and a PDF rendered
    by a concurrent caller is discarded, so there is one file per certificate."""
    current = Certificate.objects.get(pk=certificate.pk)
    if current.is_revoked or _pdf_is_stored(current):
        return current
    rendered = certificate_pdf_build(certificate_artwork(current))
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.is_revoked or _pdf_is_stored(locked):
            return locked
        with generated_files():  # counts as storage, never refused by the plan's limit
            locked.pdf.save(f"{locked.code}.pdf", ContentFile(rendered), save=False)
        locked.save(update_fields=["pdf"])
    return locked


def certificate_pdf_open(*, certificate: Certificate) -> File:
    """The certificate's PDF, opened for reading; rendered and stored first when it is not
    stored yet (the task after issue may not have run). Raises `certificate_revoked` (409)
    for a revoked certificate."""
    if certificate.is_revoked:
        raise Conflict(
            CertificateErrorCode.CERTIFICATE_REVOKED,
            _("This certificate is revoked; its PDF is no longer available."),
        )
    stored = certificate_pdf_store(certificate=certificate)
    if stored.is_revoked:  # revoked while we rendered
        raise Conflict(
            CertificateErrorCode.CERTIFICATE_REVOKED,
            _("This certificate is revoked; its PDF is no longer available."),
        )
    return stored.pdf.open("rb")
