"""E-mails about enrollments, sent by the worker in the tenant's schema."""

from __future__ import annotations

from celery import shared_task

from tenant_apps.enrollments.models import Enrollment, EnrollmentStatus
from tenant_apps.enrollments.wording import due_date_text
from tenant_apps.notifications.services import tenant_email_send, tenant_identity


def _active_enrollment(enrollment_id: int) -> Enrollment | None:
    """The enrollment if it still gives access (it may have been cancelled meanwhile)."""
    return (
        Enrollment.objects.select_related("user", "course", "assigned_by")
        .filter(pk=enrollment_id, status=EnrollmentStatus.ACTIVE, user__is_active=True)
        .first()
    )


def _send(template: str, subject: str, enrollment: Enrollment) -> None:
    user = enrollment.user
    tenant_email_send(
        to=user.email,
        subject=" ".join(subject.split()),  # a title with a line break must not break headers
        template=template,
        context={
            "user": user,
            "course": enrollment.course,
            "due_date": due_date_text(enrollment.due_at, user.zone) if enrollment.due_at else "",
            "assigned_by": enrollment.assigned_by,
        },
    )


@shared_task(name="tenant_apps.enrollments.tasks.enrollment_confirmation_send")
def enrollment_confirmation_send(enrollment_id: int) -> None:
    """Confirm to a learner that their enrollment is active."""
    enrollment = _active_enrollment(enrollment_id)
    if enrollment is None:
        return
    tenant = tenant_identity()
    subject = f"You're enrolled in {enrollment.course.title} at {tenant.name}"
    _send("enrollment_confirmation", subject, enrollment)


@shared_task(name="tenant_apps.enrollments.tasks.enrollment_assignment_send")
def enrollment_assignment_send(enrollment_id: int) -> None:
    """Tell a person a course was assigned to them, with its due date if it has one."""
    enrollment = _active_enrollment(enrollment_id)
    if enrollment is None:
        return
    subject = f"{tenant_identity().name} assigned you {enrollment.course.title}"
    if enrollment.due_at:
        subject += f", due {due_date_text(enrollment.due_at, enrollment.user.zone)}"
    _send("enrollment_assignment", subject, enrollment)
