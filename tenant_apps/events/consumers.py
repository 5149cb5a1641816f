"""Who reads the outbox: consumers register here (webhooks now; search indexing and
notifications later) from their AppConfig.ready(), so the relay knows none of them by name
and this app imports none of them (DESIGN.md's data flow).

    def webhook_messages_make(events):
        ...  # write the rows this consumer needs; queue its work after commit

    outbox_consumer_register("webhooks", webhook_messages_make)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from tenant_apps.events.models import OutboxEvent

OutboxHandler = Callable[[Sequence[OutboxEvent]], None]


@dataclass(frozen=True)
class OutboxConsumer:
    """A consumer: `handler(events)` is called by the relay inside a transaction in the
    events' tenant schema, with the events it wants in outbox order. Delivery is at least
    once, so a handler must be idempotent (e.g. a unique key on the event id), and quick:
    it writes rows and queues its slow work after commit. `event_types` are patterns such as
    "course.*"; None takes every event."""

    name: str
    handler: OutboxHandler
    event_types: tuple[str, ...] | None = None

    def wants(self, event_type: str) -> bool:
        if self.event_types is None:
            return True
        return any(fnmatchcase(event_type, pattern) for pattern in self.event_types)


_consumers: dict[str, OutboxConsumer] = {}


def outbox_consumer_register(
    name: str, handler: OutboxHandler, *, event_types: Iterable[str] | None = None
) -> OutboxConsumer:
    """Register (or, under the same name, replace) a consumer of the outbox."""
    consumer = OutboxConsumer(
        name=name,
        handler=handler,
        event_types=tuple(event_types) if event_types is not None else None,
    )
    _consumers[name] = consumer
    return consumer


def outbox_consumers() -> list[OutboxConsumer]:
    """Every registered consumer, in registration order."""
    return list(_consumers.values())
