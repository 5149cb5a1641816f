"""Consumers for the relay tests: registered for real in the registry (which each test gets
to itself), recording what they were handed."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.db.models import Max
from django_tenants.utils import schema_context

from core.redis_client import redis_client
from tenant_apps.events import consumers as registry
from tenant_apps.events.kicks import QUEUED_KEY
from tenant_apps.events.models import (
    ConsumerBacklog,
    EventType,
    OutboxConsumerState,
    OutboxEvent,
)
from tenant_apps.events.services import record_event

# The table the fault tests' worker consumer (recording_worker.py) writes the ids it takes.
RECEIVED_TABLE = "relay_test_received"


@dataclass
class Recorder:
    """A consumer that keeps the ids of the events of every call it gets; it raises while
    `failing` is set (after writing a row, so the relay must undo that)."""

    name: str
    failing: bool = False
    calls: list[list[int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, events: Sequence[OutboxEvent]) -> None:
        if self.failing:
            OutboxConsumerState.objects.create(consumer=f"half-done-{self.name}")
            raise RuntimeError(f"{self.name} is down")
        with self.lock:
            self.calls.append([event.pk for event in events])

    @property
    def received(self) -> list[int]:
        return [event_id for call in self.calls for event_id in call]


@pytest.fixture
def consumer_registry() -> Iterator[None]:
    """The registry to this test alone: the consumers it registers, none of the app's."""
    saved = dict(registry._consumers)
    registry._consumers.clear()
    yield
    registry._consumers.clear()
    registry._consumers.update(saved)


@pytest.fixture
def no_queued_relay(tenant_a) -> Iterator[None]:
    """No relay-queued marker left over for tenant A by an earlier test."""
    key = QUEUED_KEY.format(schema=tenant_a.schema)
    redis_client().delete(key)
    yield
    redis_client().delete(key)


def write_events(count: int, event_type: EventType = EventType.USER_UPDATED) -> list[int]:
    """`count` events in one transaction, in the current schema; their ids."""
    from django.db import transaction

    with transaction.atomic():
        return [
            record_event(
                event_type=event_type, subject_type="user", subject_id=n, payload={"n": n}
            ).pk
            for n in range(count)
        ]


@pytest.fixture
def committed_outbox(django_db_setup, django_db_blocker, tenant_a) -> Iterator[str]:
    """Let the test commit events in tenant A; remove them, and the relay's state, after."""
    with django_db_blocker.unblock():
        with schema_context(tenant_a.schema):
            last_event = OutboxEvent.objects.aggregate(last=Max("id"))["last"] or 0
            OutboxConsumerState.objects.all().delete()
        try:
            yield tenant_a.schema
        finally:
            connection.set_schema_to_public()
            with schema_context(tenant_a.schema):
                ConsumerBacklog.objects.all().delete()
                OutboxConsumerState.objects.all().delete()
                OutboxEvent.objects.filter(id__gt=last_event).delete()
            connection.set_schema_to_public()
