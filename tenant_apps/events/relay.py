"""The relay: hands the tenant's outbox to every registered consumer (`events.consumers`),
in outbox order, at least once each, a consumer's failure never holding up the others.

Each run works in the schema the connection points at, in short transactions:

1. **Backlogs.** A consumer that raised has a backlog (`ConsumerBacklog`); once its
   `retry_at` is due the relay hands it the backlog, oldest first, a batch at a time. A
   failure pushes `retry_at` out (`RETRY_DELAYS`); an empty backlog unblocks the consumer.
2. **New events.** `SELECT ... FOR UPDATE SKIP LOCKED` takes the oldest undispatched rows
   (a batch); a relay that finds older rows locked by another relay steps back (the other
   one carries on through the outbox), so batches go out in order and no two relays hand
   out the same rows. Each consumer that wants some of the batch gets them in one call, in
   its own savepoint: if it raises, those events (and, while it is behind, every later one
   it wants) join its backlog instead. The rows are then `dispatched_at`, and `relayed_at`
   when no backlog holds them.

A consumer's state row is locked while it is handed events, so its backlog is never
drained and filled at the same moment (which could reorder its events). A worker that dies
mid-batch leaves its transaction to be rolled back: the rows are handed out again (at
least once; consumers are idempotent).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from tenant_apps.events.consumers import OutboxConsumer, outbox_consumers
from tenant_apps.events.models import ConsumerBacklog, OutboxConsumerState, OutboxEvent

logger = logging.getLogger(__name__)

# How long a failing consumer waits before its backlog is tried again: after the first
# failure, the second, ...; the last one repeats.
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
    timedelta(hours=1),
)
# A relay that finds older rows locked by another relay looks again this many times, this
# long apart, before leaving the outbox to that relay.
BUSY_LOOKS = 3
BUSY_PAUSE_SECONDS = 0.05
ERROR_MAX_LENGTH = 2000


def retry_delay(failures: int) -> timedelta:
    return RETRY_DELAYS[min(failures, len(RETRY_DELAYS)) - 1]


@dataclass
class RelayReport:
    """What one run did: events handed to consumers (an event handed to two consumers
    counts twice), and whether it stopped with work left (time budget spent)."""

    handed: int = 0
    batches: int = 0
    failures: list[str] = field(default_factory=list)  # consumer names, one per failure
    unfinished: bool = False


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:ERROR_MAX_LENGTH]


def _hand(consumer: OutboxConsumer, events: Sequence[OutboxEvent]) -> BaseException | None:
    """Call the consumer in a savepoint of its own: what it wrote before raising is undone,
    and the relay's transaction stays usable."""
    try:
        with transaction.atomic():
            consumer.handler(list(events))
    except Exception as exc:  # any failure of a consumer is its own, never the relay's
        logger.warning(
            "outbox consumer %s failed on %d events (ids %d-%d): %s",
            consumer.name,
            len(events),
            events[0].pk,
            events[-1].pk,
            _error_text(exc),
        )
        return exc
    return None


def _record_failure(state: OutboxConsumerState, exc: BaseException, now: datetime) -> None:
    state.failures += 1
    state.blocked_since = state.blocked_since or now
    state.retry_at = now + retry_delay(state.failures)
    state.last_error = _error_text(exc)
    state.last_failed_at = now
    state.save(
        update_fields=["failures", "blocked_since", "retry_at", "last_error", "last_failed_at"]
    )


def _mark_relayed(event_ids: Sequence[int], now: datetime) -> None:
    """Events that no consumer still has in its backlog are relayed."""
    OutboxEvent.objects.filter(
        pk__in=event_ids, dispatched_at__isnull=False, relayed_at__isnull=True
    ).exclude(Exists(ConsumerBacklog.objects.filter(event=OuterRef("pk")))).update(relayed_at=now)


def _lock_states(names: Sequence[str]) -> dict[str, OutboxConsumerState]:
    """Lock the state rows of these consumers (made on first use), in name order so two
    relays never wait on each other crosswise."""
    if not names:
        return {}
    OutboxConsumerState.objects.bulk_create(
        [OutboxConsumerState(consumer=name) for name in names], ignore_conflicts=True
    )
    locked = OutboxConsumerState.objects.select_for_update().filter(consumer__in=names)
    return {state.consumer: state for state in locked.order_by("consumer")}


# ------------------------------------------------------------------------------------------
# Backlogs of consumers that failed


@dataclass(frozen=True)
class _DrainStep:
    handed: int = 0
    go_on: bool = False  # more backlog to hand this consumer now
    failed: bool = False


def _drain_one_batch(consumer: OutboxConsumer, batch_size: int) -> _DrainStep:
    """Hand the consumer the oldest batch of its backlog, if it is due and no other relay
    is handing it events."""
    now = timezone.now()
    with transaction.atomic():
        state = (
            OutboxConsumerState.objects.select_for_update(skip_locked=True)
            .filter(consumer=consumer.name, blocked_since__isnull=False, retry_at__lte=now)
            .first()
        )
        if state is None:
            return _DrainStep()
        entries = list(
            ConsumerBacklog.objects.filter(consumer=consumer.name)
            .select_related("event")
            .order_by("event_id")[:batch_size]
        )
        events = [entry.event for entry in entries]
        if events:
            failure = _hand(consumer, events)
            if failure is not None:
                _record_failure(state, failure, now)  # committed: the backoff holds
                return _DrainStep(failed=True)
            ConsumerBacklog.objects.filter(pk__in=[entry.pk for entry in entries]).delete()
            _mark_relayed([event.pk for event in events], now)
        if ConsumerBacklog.objects.filter(consumer=consumer.name).exists():
            return _DrainStep(handed=len(events), go_on=True)
        state.blocked_since = None
        state.failures = 0
        state.retry_at = None
        state.save(update_fields=["blocked_since", "failures", "retry_at"])
        return _DrainStep(handed=len(events))


def backlogs_drain(
    consumers: Sequence[OutboxConsumer], *, batch_size: int, deadline: float, report: RelayReport
) -> bool:
    """Hand each due backlog over, a batch at a time. False when the time ran out first."""
    finished = True
    for consumer in consumers:
        step = _DrainStep(go_on=True)
        while step.go_on and time.monotonic() < deadline:
            step = _drain_one_batch(consumer, batch_size)
            report.handed += step.handed
            report.batches += 1 if step.handed else 0
            if step.failed:
                report.failures.append(consumer.name)
        finished = finished and not step.go_on
    return finished


# ------------------------------------------------------------------------------------------
# New events


class _Busy(Exception):
    """Older rows are locked by another relay: handing these out now would break the order."""


def _in_order_prefix(events: list[OutboxEvent]) -> list[OutboxEvent]:
    """The part of a locked batch that may go out now: the rows before the first one another
    relay holds. Relays scanning at the same moment lock alternate rows (SKIP LOCKED), so a
    batch can have holes; handing rows past a hole would overtake it. Raises _Busy when
    another relay holds a row before the whole batch."""
    taken = [event.pk for event in events]
    hole = (
        OutboxEvent.objects.filter(dispatched_at__isnull=True, pk__lt=taken[-1])
        .exclude(pk__in=taken)
        .order_by("id")
        .values_list("pk", flat=True)
        .first()
    )
    if hole is None:
        return events
    if hole < taken[0]:
        raise _Busy
    return [event for event in events if event.pk < hole]


def _dispatch_one_batch(
    consumers: Sequence[OutboxConsumer], batch_size: int, report: RelayReport
) -> int:
    """Hand the oldest batch of undispatched events to every consumer. Returns how many
    events the batch held (0: nothing to do). Raises _Busy when another relay holds older
    rows."""
    with transaction.atomic():
        events = list(
            OutboxEvent.objects.select_for_update(skip_locked=True)
            .filter(dispatched_at__isnull=True)
            .order_by("id")[:batch_size]
        )
        if not events:
            return 0
        events = _in_order_prefix(events)
        now = timezone.now()
        wanted = {
            consumer.name: [event for event in events if consumer.wants(event.event_type)]
            for consumer in consumers
        }
        states = _lock_states(sorted(name for name, chosen in wanted.items() if chosen))
        for consumer in consumers:
            chosen = wanted[consumer.name]
            if not chosen:
                continue
            state = states[consumer.name]
            behind = state.blocked_since is not None
            failure = None if behind else _hand(consumer, chosen)
            if behind or failure is not None:
                ConsumerBacklog.objects.bulk_create(
                    [ConsumerBacklog(consumer=consumer.name, event=event) for event in chosen],
                    ignore_conflicts=True,
                )
            if failure is not None:
                _record_failure(state, failure, now)
                report.failures.append(consumer.name)
        ids = [event.pk for event in events]
        OutboxEvent.objects.filter(pk__in=ids).update(dispatched_at=now)
        _mark_relayed(ids, now)
        return len(events)


def events_dispatch(
    consumers: Sequence[OutboxConsumer], *, batch_size: int, deadline: float, report: RelayReport
) -> bool:
    """Dispatch batches until the outbox is empty (True) or the time is up (False)."""
    busy_looks = 0
    while time.monotonic() < deadline:
        try:
            count = _dispatch_one_batch(consumers, batch_size, report)
        except _Busy:
            busy_looks += 1
            if busy_looks > BUSY_LOOKS:
                return True  # the relay holding the older rows goes on to these
            time.sleep(BUSY_PAUSE_SECONDS)
            continue
        if not count:
            return True
        busy_looks = 0
        report.batches += 1
        report.handed += count
    return False


def outbox_relay_run(
    *, batch_size: int | None = None, time_budget_seconds: float | None = None
) -> RelayReport:
    """One relay run in the current schema: due backlogs first, then new events, until
    there is nothing left or the time budget is spent (`unfinished`: queue another run)."""
    batch_size = batch_size or settings.OUTBOX_RELAY_BATCH_SIZE
    budget = time_budget_seconds or settings.OUTBOX_RELAY_TIME_BUDGET_SECONDS
    deadline = time.monotonic() + budget
    consumers = outbox_consumers()
    report = RelayReport()
    drained = backlogs_drain(consumers, batch_size=batch_size, deadline=deadline, report=report)
    dispatched = events_dispatch(consumers, batch_size=batch_size, deadline=deadline, report=report)
    report.unfinished = not (drained and dispatched)
    return report


def outbox_prune(*, now: datetime | None = None, chunk_size: int = 5000) -> int:
    """Delete events every consumer has had for longer than OUTBOX_RETENTION_DAYS, a chunk
    per transaction. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    deleted = 0
    while True:
        ids = list(
            OutboxEvent.objects.filter(relayed_at__lt=cutoff)
            .order_by("id")
            .values_list("id", flat=True)[:chunk_size]
        )
        if not ids:
            return deleted
        with transaction.atomic():
            count, _by_model = OutboxEvent.objects.filter(
                pk__in=ids, relayed_at__lt=cutoff
            ).delete()
            deleted += count
