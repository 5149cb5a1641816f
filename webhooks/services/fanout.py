"""From outbox events to webhook messages: the consumer the relay calls.

For each event, one message per enabled endpoint whose event-type patterns match (none: every
type), made at most once per (endpoint, event) whatever the relay repeats, then delivery is
queued after the commit."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase

from django.utils import timezone

from core.transactions import after_commit
from tenant_apps.events.models import OutboxEvent
from webhooks.models import MessageStatus, WebhookEndpoint, WebhookMessage
from webhooks.services.dispatch import delivery_kick
from webhooks.services.payloads import event_body

CONSUMER_NAME = "webhooks"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def message_id_new() -> str:
    """`msg_` and a ULID: 48 bits of milliseconds then 80 random bits in Crockford base32,
    so ids sort by creation time and never repeat."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "msg_" + "".join(reversed(chars))


def event_type_matches(patterns: Iterable[str], event_type: str) -> bool:
    """Whether an endpoint subscribed to `patterns` ("course.*", "user.created"; none:
    everything) wants `event_type`."""
    patterns = list(patterns)
    return not patterns or any(fnmatchcase(event_type, pattern) for pattern in patterns)


def webhook_messages_make(events: Sequence[OutboxEvent]) -> int:
    """The outbox consumer: make the messages for `events` (idempotent: an event already
    made into a message for an endpoint is skipped), then queue their delivery after the
    commit. Returns how many (endpoint, event) pairs it found, new or not."""
    endpoints = list(WebhookEndpoint.objects.filter(enabled=True).only("id", "event_types"))
    if not endpoints or not events:
        return 0
    now = timezone.now()
    messages = [
        WebhookMessage(
            message_id=message_id_new(),
            endpoint_id=endpoint.pk,
            event_id=event.event_id,
            event_type=event.event_type,
            payload=event_body(event),
            status=MessageStatus.PENDING,
            next_attempt_at=now,
        )
        for event in events
        for endpoint in endpoints
        if event_type_matches(endpoint.event_types, event.event_type)
    ]
    if not messages:
        return 0
    # ON CONFLICT DO NOTHING on (endpoint, event_id): a repeated event makes nothing new.
    WebhookMessage.objects.bulk_create(messages, ignore_conflicts=True)
    after_commit(delivery_kick)
    return len(messages)
