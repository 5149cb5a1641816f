"""A tenant's webhook endpoints, the messages made for them from its outbox events, and
every attempt to deliver each message. Every table lives in the tenant's schema."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookEndpoint(models.Model):
    """Where a tenant wants its events sent."""

    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    # Event types or patterns such as "course.*"; empty: every event type.
    event_types = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    enabled = models.BooleanField(default=True)
    # Why it was switched off, when Lectern did it (410 Gone, failing for days).
    disabled_reason = models.CharField(max_length=300, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    # Extra headers sent with every delivery: {"X-Partner-Key": "..."}.
    custom_headers = models.JSONField(default=dict, blank=True)
    # Deliveries per second at most (0: no limit of its own).
    rate_limit_per_second = models.PositiveIntegerField(default=0)
    # `whsec_...`, encrypted (core.secret_box); shown once when made.
    secret_sealed = models.TextField()
    # During a rotation the previous secret signs too, until `previous_secret_expires_at`.
    previous_secret_sealed = models.TextField(blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    # Since when every attempt has failed (None: the last one succeeded).
    failing_since = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rate_limit_per_second__lte=10_000),
                name="webhook_endpoint_rate_limit_bounded",
            )
        ]

    def __str__(self) -> str:
        return self.url


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    DELIVERED = "delivered", _("Delivered")
    # Retrying: the last attempt failed and another is scheduled.
    FAILING = "failing", _("Failing, will retry")
    # No attempt left, or the endpoint was switched off.
    FAILED = "failed", _("Failed")


class WebhookMessage(models.Model):
    """One event for one endpoint. `message_id` is the `webhook-id` header: the same on
    every attempt, resend and replay, so receivers can drop duplicates."""

    message_id = models.CharField(max_length=40, unique=True)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="messages")
    # The outbox event it carries (None for a test event an admin sent).
    event_id = models.UUIDField(null=True, blank=True)
    event_type = models.CharField(max_length=64)
    # The body as sent: {"type", "timestamp", "data", "tenant"}.
    payload = models.JSONField()
    status = models.CharField(
        max_length=12, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempt_count = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The relay delivers at least once: an event makes one message per endpoint.
            models.UniqueConstraint(
                fields=["endpoint", "event_id"],
                condition=models.Q(event_id__isnull=False),
                name="webhook_message_once_per_event",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[status.value for status in MessageStatus]),
                name="webhook_message_status_known",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=["pending", "failing"]),
                name="webhook_message_due_idx",
            ),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_message_endpoint_idx"),
            models.Index(fields=["event_type", "-created_at"], name="webhook_message_type_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} {self.event_type} → {self.endpoint_id}"


class AttemptTrigger(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    RESEND = "resend", _("Resent by an admin")
    REPLAY = "replay", _("Replayed")
    TEST = "test", _("Test event")


class WebhookAttempt(models.Model):
    """One try at delivering a message: what was sent back, or what went wrong."""

    message = models.ForeignKey(WebhookMessage, on_delete=models.CASCADE, related_name="attempts")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="attempts")
    trigger = models.CharField(
        max_length=12, choices=AttemptTrigger.choices, default=AttemptTrigger.SCHEDULED
    )
    attempted_at = models.DateTimeField()
    # None when no answer came (timeout, refused connection, SSRF guard).
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    latency_ms = models.PositiveIntegerField(default=0)
    # The first 1 KB of the answer's body, or the error.
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)
    # The headers sent (signatures included) and received, for the delivery log.
    request_headers = models.JSONField(default=dict, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-attempted_at", "-id"]
        indexes = [
            models.Index(fields=["endpoint", "-attempted_at"], name="webhook_attempt_endpoint_idx"),
            models.Index(fields=["message", "-attempted_at"], name="webhook_attempt_message_idx"),
        ]

    def __str__(self) -> str:
        return f"attempt on {self.message_id}: {self.status_code or self.error}"
