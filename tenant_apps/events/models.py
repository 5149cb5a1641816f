"""The tenant's outbox: every change worth telling the outside world, written in the same
transaction as the change itself. The relay (`tenant_apps.events.relay`) hands it to the
registered consumers later.

Per-consumer progress: the relay hands each batch of new events to every consumer at once
(`dispatched_at`). A consumer that raises gets those events, and every later event it wants,
in its backlog (`ConsumerBacklog`) instead, and is retried with backoff
(`OutboxConsumerState`) until its backlog is empty; the other consumers carry on. An event is
`relayed_at` once no consumer still has it in its backlog."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone


class EventType(models.TextChoices):
    USER_CREATED = "user.created"
    USER_UPDATED = "user.updated"
    USER_DEACTIVATED = "user.deactivated"
    USER_ROLE_CHANGED = "user.role_changed"
    USER_ANONYMISED = "user.anonymised"
    COURSE_PUBLISHED = "course.published"
    COURSE_UPDATED = "course.updated"
    COURSE_ARCHIVED = "course.archived"
    ENROLLMENT_CREATED = "enrollment.created"
    ENROLLMENT_ACTIVATED = "enrollment.activated"
    ENROLLMENT_CANCELLED = "enrollment.cancelled"
    COURSE_ENROLLED = "course.enrolled"
    LESSON_COMPLETED = "lesson.completed"
    COURSE_COMPLETED = "course.completed"
    CERTIFICATE_ISSUED = "certificate.issued"
    CERTIFICATE_REVOKED = "certificate.revoked"
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
    # Set by the relay when it has handed the event to every consumer that wants it, or put
    # it in the backlog of a consumer that is failing.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # Set by the relay once every consumer has the event (none has it in its backlog).
    relayed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["id"],
                condition=models.Q(dispatched_at__isnull=True),
                name="outbox_undispatched_idx",
            ),
            models.Index(fields=["relayed_at"], name="outbox_relayed_idx"),
            models.Index(fields=["subject_type", "subject_id"], name="outbox_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.subject_type}:{self.subject_id}"


class OutboxConsumerState(models.Model):
    """How one consumer is doing in this tenant. While `blocked_since` is set the consumer
    has a backlog: new events it wants join the backlog (so it still gets them in outbox
    order) and the relay retries the backlog from `retry_at`. The relay locks this row while
    it hands the consumer events, so a backlog is never emptied and refilled at once."""

    consumer = models.CharField(max_length=64, unique=True)
    blocked_since = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)  # in a row, since the last success
    retry_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_failed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.consumer


class ConsumerBacklog(models.Model):
    """An event a consumer has not taken yet (it raised when it was handed it, or was
    already behind)."""

    consumer = models.CharField(max_length=64)
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="backlog")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consumer", "event"], name="consumer_backlog_once_per_event"
            )
        ]
        indexes = [models.Index(fields=["event"], name="consumer_backlog_event_idx")]

    def __str__(self) -> str:
        return f"{self.consumer}: {self.event_id}"
