"""Writing events into the tenant's outbox."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from tenant_apps.events.kicks import relay_kick_after_commit
from tenant_apps.events.models import EventType, OutboxEvent


class EventOutsideTransaction(RuntimeError):
    """An event written outside a transaction could outlive a change that failed."""


def record_event(
    *,
    event_type: EventType,
    subject_type: str,
    subject_id: int | str,
    payload: dict[str, Any],
    actor_id: int | None = None,
) -> OutboxEvent:
    """Add an event to the outbox. Call it inside the transaction that makes the change, so
    the event exists exactly when the change does; the relay is kicked once it commits."""
    return record_events(
        event_type=event_type,
        subject_type=subject_type,
        payloads=[(subject_id, payload)],
        actor_id=actor_id,
    )[0]


def record_events(
    *,
    event_type: EventType,
    subject_type: str,
    payloads: list[tuple[int | str, dict[str, Any]]],
    actor_id: int | None = None,
) -> list[OutboxEvent]:
    """`record_event` for many subjects of one kind at once ([(subject_id, payload)], in
    the order given), in one statement: a batch of changes announces itself in one
    insert."""
    if not connection.in_atomic_block:
        raise EventOutsideTransaction(
            f"{event_type} must be recorded inside the change's transaction"
        )
    events = [
        OutboxEvent(
            event_type=event_type,
            subject_type=subject_type,
            subject_id=str(subject_id),
            # Round-trip through JSON now: dates, decimals and UUIDs become the strings
            # consumers get.
            payload=json.loads(json.dumps(payload, cls=DjangoJSONEncoder)),
            actor_id=actor_id,
        )
        for subject_id, payload in payloads
    ]
    OutboxEvent.objects.bulk_create(events)
    relay_kick_after_commit()
    return events
