"""Relays at the same time, on connections of their own that commit: `FOR UPDATE SKIP
LOCKED` keeps them off each other's rows, and every consumer gets every event once, in
outbox order."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_context

from core.redis_client import redis_client
from tenant_apps.events.consumers import outbox_consumer_register
from tenant_apps.events.kicks import QUEUED_KEY
from tenant_apps.events.models import OutboxEvent
from tenant_apps.events.relay import RelayReport, outbox_relay_run
from tests.tenant_apps.events.conftest import Recorder, write_events

pytestmark = pytest.mark.usefixtures("consumer_registry", "no_queued_relay")


def in_thread(schema: str, work: Callable[[], RelayReport]) -> tuple[threading.Thread, list]:
    """Run `work` in a thread with its own connection in `schema`."""
    results: list = []

    def run() -> None:
        try:
            with schema_context(schema):
                results.append(work())
        except BaseException as exc:  # reported by the test
            results.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, results


def committed_events(schema: str, count: int) -> list[int]:
    """Commit events without kicking a relay (as if a run were queued already)."""
    redis_client().set(QUEUED_KEY.format(schema=schema), "1", ex=60)
    with schema_context(schema):
        outbox_relay_run()  # what earlier tests left: handed out before ours
        return write_events(count)


class Gate(Recorder):
    """Blocks inside its first call until the test opens it."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.entered = threading.Event()
        self.open = threading.Event()

    def __call__(self, events: Sequence[OutboxEvent]) -> None:
        if not self.entered.is_set():
            self.entered.set()
            assert self.open.wait(timeout=30)
        super().__call__(events)


def test_a_second_relay_skips_the_locked_rows_and_hands_out_nothing_out_of_order(
    committed_outbox,
):
    schema = committed_outbox
    gate = Gate("gated")
    other = Recorder("other")
    outbox_consumer_register("gated", gate)
    outbox_consumer_register("other", other)
    ids = committed_events(schema, 6)

    first, first_result = in_thread(schema, lambda: outbox_relay_run(batch_size=3))
    assert gate.entered.wait(timeout=30)  # the first relay holds ids[0:3], mid-batch
    second, second_result = in_thread(schema, lambda: outbox_relay_run(batch_size=3))
    second.join(timeout=30)
    # It could lock ids[3:6] but older rows are still being handed out: it stepped back.
    assert second_result[0].handed == 0
    assert (gate.calls, other.calls) == ([], [])

    gate.open.set()
    first.join(timeout=30)
    assert first_result[0].handed == 6
    assert gate.calls == [ids[0:3], ids[3:6]]
    assert other.calls == [ids[0:3], ids[3:6]]
    with schema_context(schema):
        assert OutboxEvent.objects.filter(pk__in=ids, relayed_at__isnull=True).count() == 0


def test_many_relays_at_once_hand_every_event_once_per_consumer_in_order(committed_outbox):
    schema = committed_outbox
    first = Recorder("first")
    second = Recorder("second", calls=[])
    outbox_consumer_register("first", first)
    outbox_consumer_register("second", second)
    ids = committed_events(schema, 300)

    runs = [in_thread(schema, lambda: outbox_relay_run(batch_size=7)) for _ in range(4)]
    for thread, _results in runs:
        thread.join(timeout=60)

    reports = [results[0] for _thread, results in runs]
    assert all(isinstance(report, RelayReport) for report in reports), reports
    assert sum(report.handed for report in reports) == 300
    assert first.received == ids  # each once, in outbox order
    assert second.received == ids
    with schema_context(schema):
        assert OutboxEvent.objects.filter(pk__in=ids, relayed_at__isnull=True).count() == 0


def test_a_row_another_relay_holds_inside_the_batch_is_never_overtaken(committed_outbox):
    """Relays scanning together lock alternate rows: a batch with a hole hands out only the
    rows before the hole, and the rest waits for it."""
    schema = committed_outbox
    recorder = Recorder("recorder")
    outbox_consumer_register("recorder", recorder)
    ids = committed_events(schema, 5)
    held, release = threading.Event(), threading.Event()

    def hold_the_second_row() -> RelayReport:
        with transaction.atomic():
            OutboxEvent.objects.select_for_update().get(pk=ids[1])
            held.set()
            assert release.wait(timeout=30)
        return RelayReport()

    holder, _held_result = in_thread(schema, hold_the_second_row)
    assert held.wait(timeout=30)
    relay, _relay_result = in_thread(schema, lambda: outbox_relay_run(batch_size=5))
    relay.join(timeout=30)
    assert recorder.received == ids[:1]  # not ids[2:], which would overtake ids[1]
    release.set()
    holder.join(timeout=30)

    with schema_context(schema):
        outbox_relay_run(batch_size=5)
    assert recorder.received == ids
