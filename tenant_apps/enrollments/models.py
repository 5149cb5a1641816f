"""Enrollments: a person's place in a course, from sign-up (or assignment) to completion."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EnrollmentStatus(models.TextChoices):
    PENDING = "pending", _("Pending payment")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# A person holds at most one enrollment per course in these states; cancelled ones are
# history, so enrolling again after a cancellation creates a new enrollment.
LIVE_STATUSES = (EnrollmentStatus.PENDING, EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)


class EnrollmentSource(models.TextChoices):
    SELF = "self", _("Self-enrolled")
    ASSIGNED = "assigned", _("Assigned to the person")
    GROUP = "group", _("Assigned to the person's group")


class Enrollment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    # Completion records outlive a course only as long as the course: deleting a course that
    # people took is refused (archive it instead).
    course = models.ForeignKey(
        "courses.Course", on_delete=models.PROTECT, related_name="enrollments"
    )
    status = models.CharField(max_length=16, choices=EnrollmentStatus.choices)
    source = models.CharField(max_length=16, choices=EnrollmentSource.choices)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_enrollments",
    )
    group = models.ForeignKey(
        "people.LearnerGroup",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enrollments",
    )
    due_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    activated_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cancelled_enrollments",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course"],
                condition=models.Q(status__in=[s.value for s in LIVE_STATUSES]),
                name="enrollment_one_live_per_user_course",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in EnrollmentStatus]),
                name="enrollment_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=[s.value for s in EnrollmentSource]),
                name="enrollment_source_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=EnrollmentStatus.ACTIVE)
                | models.Q(activated_at__isnull=False),
                name="enrollment_active_has_activated_at",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=EnrollmentStatus.COMPLETED)
                | models.Q(completed_at__isnull=False),
                name="enrollment_completed_has_completed_at",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=EnrollmentStatus.CANCELLED)
                | models.Q(cancelled_at__isnull=False),
                name="enrollment_cancelled_has_cancelled_at",
            ),
        ]
        indexes = [
            models.Index(fields=["course", "status"], name="enrollment_course_status_idx"),
            models.Index(fields=["user", "status"], name="enrollment_user_status_idx"),
            models.Index(
                fields=["due_at"],
                condition=models.Q(due_at__isnull=False),
                name="enrollment_due_idx",
            ),
            # The admin dashboard: enrollments and completions per day, and the latest ones.
            models.Index(fields=["-created_at", "-id"], name="enrollment_created_idx"),
            models.Index(
                fields=["-completed_at", "-id"],
                condition=models.Q(completed_at__isnull=False),
                name="enrollment_completed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"enrollment {self.pk} of {self.user_id} in {self.course_id} ({self.status})"
