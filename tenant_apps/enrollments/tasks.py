"""E-mails about enrollments, sent by the worker in the tenant's schema."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime

from celery import shared_task
from django.core.mail import send_mail
from django.db import connection
from django.template.loader import render_to_string
from django_tenants.utils import get_tenant_domain_model

from tenant_apps.enrollments.models import Enrollment, EnrollmentStatus
from tenant_apps.people.models import User
from tenant_apps.people.services import tenant_base_url


@dataclass(frozen=True)
class Portal:
    """The tenant an e-mail speaks for, and where its people sign in."""

    name: str
    url: str


def _portal() -> Portal | None:
    domain = (
        get_tenant_domain_model()
        .objects.select_related("tenant")
        .filter(tenant__schema_name=connection.schema_name, is_primary=True)
        .first()
    )
    if domain is None:
        return None
    return Portal(name=domain.tenant.name, url=tenant_base_url(domain.domain) + "/")


def due_date_for(user: User, due_at: datetime) -> str:
    """The due date as the person reads it: in their time zone, e.g. '31 March 2031, 17:00
    CEST'."""
    try:
        zone = zoneinfo.ZoneInfo(user.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    local = due_at.astimezone(zone)
    return f"{local.day} {local:%B %Y, %H:%M} {local.tzname()}"


def _active_enrollment(enrollment_id: int) -> Enrollment | None:
    """The enrollment if it still gives access (it may have been cancelled meanwhile)."""
    return (
        Enrollment.objects.select_related("user", "course", "assigned_by")
        .filter(pk=enrollment_id, status=EnrollmentStatus.ACTIVE, user__is_active=True)
        .first()
    )


def _send(template: str, subject: str, enrollment: Enrollment, portal: Portal) -> None:
    user = enrollment.user
    context = {
        "user": user,
        "course": enrollment.course,
        "tenant_name": portal.name,
        "link": portal.url,
        "due_date": due_date_for(user, enrollment.due_at) if enrollment.due_at else "",
        "assigned_by": enrollment.assigned_by,
    }
    send_mail(
        subject=" ".join(subject.split()),  # a title with a line break must not break headers
        message=render_to_string(f"enrollments/email/{template}.txt", context),
        from_email=None,
        recipient_list=[user.email],
        html_message=render_to_string(f"enrollments/email/{template}.html", context),
    )


@shared_task(name="tenant_apps.enrollments.tasks.enrollment_confirmation_send")
def enrollment_confirmation_send(enrollment_id: int) -> None:
    """Confirm to a learner that their enrollment is active."""
    enrollment = _active_enrollment(enrollment_id)
    portal = _portal()
    if enrollment is None or portal is None:
        return
    _send(
        "confirmation",
        f"You're enrolled in {enrollment.course.title} at {portal.name}",
        enrollment,
        portal,
    )


@shared_task(name="tenant_apps.enrollments.tasks.enrollment_assignment_send")
def enrollment_assignment_send(enrollment_id: int) -> None:
    """Tell a person a course was assigned to them, with its due date if it has one."""
    enrollment = _active_enrollment(enrollment_id)
    portal = _portal()
    if enrollment is None or portal is None:
        return
    subject = f"{portal.name} assigned you {enrollment.course.title}"
    if enrollment.due_at:
        subject += f", due {due_date_for(enrollment.user, enrollment.due_at)}"
    _send("assignment", subject, enrollment, portal)
