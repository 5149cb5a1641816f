"""Making messages the way production does: a real outbox event, handed to the webhooks
consumer as the relay hands it."""

from __future__ import annotations

from django.db import transaction

from tenant_apps.events.consumers import outbox_consumers
from tenant_apps.events.models import EventType
from tenant_apps.events.services import record_event
from webhooks.models import WebhookEndpoint, WebhookMessage


def messages_for(
    endpoint: WebhookEndpoint, count: int = 1, event_type: EventType = EventType.COURSE_PUBLISHED
) -> list[WebhookMessage]:
    """`count` events of `event_type`, relayed; the messages made for `endpoint`."""
    consumer = next(c for c in outbox_consumers() if c.name == "webhooks")
    with transaction.atomic():
        events = [
            record_event(
                event_type=event_type,
                subject_type="course",
                subject_id=1000 + number,
                payload={"id": 1000 + number, "title": f"Course {number}", "status": "published"},
            )
            for number in range(count)
        ]
        consumer.handler(events)
    return list(
        WebhookMessage.objects.filter(
            endpoint=endpoint, event_id__in=[e.event_id for e in events]
        ).order_by("id")
    )
