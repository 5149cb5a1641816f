"""The tenant's outbox: every change worth telling the outside world, written in the same
transaction as the change itself. The relay (with the webhooks) reads it later."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone


class EventType(models.TextChoices):
    USER_CREATED = "user.created"
    USER_UPDATED = "user.updated"
    USER_DEACTIVATED = "user.deactivated"
    COURSE_PUBLISHED = "course.published"
    COURSE_ARCHIVED = "course.archived"
    ENROLLMENT_CREATED = "enrollment.created"
    COURSE_ENROLLED = "course.enrolled"
    COURSE_COMPLETED = "course.completed"
    CERTIFICATE_ISSUED = "certificate.issued"
    ASSESSMENT_SUBMITTED = "assessment.submitted"
    ASSESSMENT_GRADED = "assessment.graded"


class OutboxEvent(models.Model):
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event_type = models.CharField(max_length=64, choices=EventType.choices)
    subject_type = models.CharField(max_length=32)
    subject_id = models.CharField(max_length=64)
    payload = models.JSONField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    # Set by the relay once every consumer has the event.
    relayed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["id"],
                condition=models.Q(relayed_at__isnull=True),
                name="outbox_pending_idx",
            ),
            models.Index(fields=["subject_type", "subject_id"], name="outbox_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.subject_type}:{self.subject_id}"
