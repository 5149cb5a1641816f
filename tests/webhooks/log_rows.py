"""Delivery-log rows as the delivery engine leaves them (messages and their attempts), for
the tests of the pages and the API that read them."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from django.utils import timezone

from webhooks.models import (
    AttemptTrigger,
    MessageStatus,
    WebhookAttempt,
    WebhookEndpoint,
    WebhookMessage,
)


def message_make(
    endpoint: WebhookEndpoint,
    event_type: str = "course.published",
    status: str = MessageStatus.DELIVERED,
    created_at: datetime | None = None,
    data: dict | None = None,
) -> WebhookMessage:
    message = WebhookMessage.objects.create(
        message_id="msg_" + secrets.token_urlsafe(12),
        endpoint=endpoint,
        event_id=uuid.uuid4(),
        event_type=event_type,
        payload={
            "type": event_type,
            "timestamp": timezone.now().isoformat(),
            "tenant": "alpha",
            "data": data or {"id": 7},
        },
        status=status,
        delivered_at=timezone.now() if status == MessageStatus.DELIVERED else None,
    )
    if created_at is not None:
        WebhookMessage.objects.filter(pk=message.pk).update(created_at=created_at)
        message.refresh_from_db()
    return message


def attempt_make(
    message: WebhookMessage,
    *,
    status_code: int | None = 200,
    latency_ms: int = 120,
    ago: timedelta = timedelta(minutes=5),
    error: str = "",
    trigger: str = AttemptTrigger.SCHEDULED,
) -> WebhookAttempt:
    succeeded = status_code is not None and 200 <= status_code < 300
    attempt = WebhookAttempt.objects.create(
        message=message,
        endpoint=message.endpoint,
        trigger=trigger,
        attempted_at=timezone.now() - ago,
        status_code=status_code,
        succeeded=succeeded,
        latency_ms=latency_ms,
        response_excerpt='{"ok": true}' if succeeded else "upstream exploded",
        error=error,
        request_headers={
            "webhook-id": message.message_id,
            "webhook-timestamp": "1700000000",
            "webhook-signature": "v1,c2lnbmF0dXJlLW9mLXRoaXMtbWVzc2FnZQ==",
            "content-type": "application/json",
        },
        response_headers={"content-type": "application/json"} if status_code else {},
    )
    WebhookMessage.objects.filter(pk=message.pk).update(
        attempt_count=message.attempt_count + 1, last_attempt_at=attempt.attempted_at
    )
    message.refresh_from_db()
    return attempt
