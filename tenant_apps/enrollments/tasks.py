"""E-mails about enrollments, sent by the worker in the tenant's schema."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.languages import as_read_by
from tenant_apps.enrollments.models import Enrollment, EnrollmentStatus
from tenant_apps.enrollments.wording import due_date_text
from tenant_apps.notifications.email_tasks import Email, email_task
from tenant_apps.notifications.services import TenantIdentity


def _active_enrollment(enrollment_id: int) -> Enrollment | None:
    """The enrollment if it still gives access (it may have been cancelled meanwhile)."""
    return (
        Enrollment.objects.select_related("user", "course", "assigned_by")
        .filter(pk=enrollment_id, status=EnrollmentStatus.ACTIVE, user__is_active=True)
        .first()
    )


def _email(template: str, subject: str, enrollment: Enrollment, tenant: TenantIdentity) -> Email:
    user = enrollment.user
    return Email(
        to=user.email,
        subject=subject,
        template=template,
        context={
            "user": user,
            "course": enrollment.course,
            "due_date": due_date_text(enrollment.due_at, user.zone) if enrollment.due_at else "",
            "assigned_by": enrollment.assigned_by,
            # The course's page (`course-detail`), as the in-app notification links it.
            "course_url": f"{tenant.base_url}/courses/{enrollment.course_id}/",
        },
    )


@email_task("tenant_apps.enrollments.tasks.enrollment_confirmation_send")
def enrollment_confirmation_send(enrollment_id: int, tenant: TenantIdentity) -> Email | None:
    """Confirm to a learner that their enrollment is active."""
    enrollment = _active_enrollment(enrollment_id)
    if enrollment is None:
        return None
    with as_read_by(locale=enrollment.user.locale, zone=enrollment.user.zone):
        subject = _("You're enrolled in %(title)s at %(name)s") % {
            "title": enrollment.course.title,
            "name": tenant.name,
        }
        return _email("enrollment_confirmation", subject, enrollment, tenant)


@email_task("tenant_apps.enrollments.tasks.enrollment_assignment_send")
def enrollment_assignment_send(enrollment_id: int, tenant: TenantIdentity) -> Email | None:
    """Tell a person a course was assigned to them, with its due date if it has one."""
    enrollment = _active_enrollment(enrollment_id)
    if enrollment is None:
        return None
    user = enrollment.user
    with as_read_by(locale=user.locale, zone=user.zone):
        names = {"name": tenant.name, "title": enrollment.course.title}
        if enrollment.due_at:
            subject = _("%(name)s assigned you %(title)s, due %(date)s") % {
                **names,
                "date": due_date_text(enrollment.due_at, user.zone),
            }
        else:
            subject = _("%(name)s assigned you %(title)s") % names
        return _email("enrollment_assignment", subject, enrollment, tenant)
