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
    if not connection.in_atomic_block:
        raise EventOutsideTransaction(
            f"{event_type} must be recorded inside the change's transaction"
        )
    # Round-trip through JSON now: dates, decimals and UUIDs become the strings consumers get.
    serialisable = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    event = OutboxEvent.objects.create(
        event_type=event_type,
        subject_type=subject_type,
        subject_id=str(subject_id),
        payload=serialisable,
        actor_id=actor_id,
    )
    relay_kick_after_commit()
    return event
