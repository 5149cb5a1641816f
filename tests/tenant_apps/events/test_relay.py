"""The relay, in one process: outbox order and batches, the consumer registry, a failing
consumer that holds up nobody else, pruning, the kick after commit and the sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from core.redis_client import redis_client
from lectern.tasks import outbox_sweep
from tenant_apps.events.consumers import outbox_consumer_register, outbox_consumers
from tenant_apps.events.kicks import QUEUED_KEY, relay_kick
from tenant_apps.events.models import (
    ConsumerBacklog,
    EventType,
    OutboxConsumerState,
    OutboxEvent,
)
from tenant_apps.events.relay import RETRY_DELAYS, outbox_prune, outbox_relay_run
from tenant_apps.events.selectors import schemas_with_relay_work
from tests.tenant_apps.events.conftest import Recorder, write_events

pytestmark = pytest.mark.usefixtures("consumer_registry", "no_queued_relay")


@pytest.fixture
def outbox(in_tenant_a):
    """Tenant A's outbox with what earlier set-up left in it already handed out."""
    outbox_relay_run()
    assert not OutboxEvent.objects.filter(dispatched_at__isnull=True).exists()
    return in_tenant_a


def register(name: str, event_types=None) -> Recorder:
    recorder = Recorder(name)
    outbox_consumer_register(name, recorder, event_types=event_types)
    return recorder


def pending_ids() -> list[int]:
    return list(
        OutboxEvent.objects.filter(relayed_at__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)
    )


def make_due(consumer: str) -> None:
    """Time passes: the consumer's retry is due."""
    OutboxConsumerState.objects.filter(consumer=consumer).update(
        retry_at=timezone.now() - timedelta(seconds=1)
    )


# ------------------------------------------------------------------------------------------
# Order and batches
def test_events_go_out_in_outbox_order_in_batches(outbox):
    first = register("first")
    second = register("second")
    ids = write_events(7)

    report = outbox_relay_run(batch_size=3)

    assert first.calls == [ids[0:3], ids[3:6], ids[6:7]]
    assert second.calls == first.calls
    assert (report.batches, report.handed, report.unfinished, report.failures) == (3, 7, False, [])
    rows = OutboxEvent.objects.filter(pk__in=ids)
    assert all(row.dispatched_at and row.relayed_at for row in rows)
    # Nothing twice: a second run finds nothing to do.
    assert outbox_relay_run(batch_size=3).handed == 0
    assert first.received == ids


def test_a_run_out_of_time_says_it_is_unfinished_and_the_next_goes_on(outbox):
    recorder = register("slow")
    ids = write_events(4)
    # A budget spent before the run starts: it hands out nothing and says so.
    report = outbox_relay_run(batch_size=2, time_budget_seconds=1e-9)
    assert report.unfinished is True
    assert recorder.received == []  # the deadline was already past: nothing started
    report = outbox_relay_run(batch_size=2)
    assert (report.unfinished, recorder.calls) == (False, [ids[:2], ids[2:]])


# ------------------------------------------------------------------------------------------
# The registry
def test_consumers_get_only_the_types_they_want_and_every_event_is_relayed(outbox):
    courses = register("courses", event_types=["course.*"])
    everything = register("everything")
    user_ids = write_events(2, EventType.USER_UPDATED)
    course_ids = write_events(2, EventType.COURSE_PUBLISHED)

    outbox_relay_run()

    assert courses.calls == [course_ids]
    assert everything.calls == [user_ids + course_ids]
    assert pending_ids() == []


def test_the_registry_keeps_registration_order_and_a_name_replaces_its_consumer(outbox):
    register("b")
    register("a", event_types=["user.created"])
    replacement = register("b", event_types=["course.*"])
    assert [(c.name, c.event_types) for c in outbox_consumers()] == [
        ("b", ("course.*",)),
        ("a", ("user.created",)),
    ]
    consumer = outbox_consumers()[0]
    assert consumer.handler is replacement
    assert (consumer.wants("course.updated"), consumer.wants("user.updated")) == (True, False)
    assert outbox_consumers()[1].wants("user.created.more") is False


def test_with_no_consumer_events_are_relayed_all_the_same(outbox):
    ids = write_events(2)
    outbox_relay_run()
    assert pending_ids() == []
    assert OutboxEvent.objects.filter(pk__in=ids, relayed_at__isnull=False).count() == 2


# ------------------------------------------------------------------------------------------
# A failing consumer
def test_a_failing_consumer_holds_up_nobody_and_gets_every_event_later_in_order(outbox):
    broken = register("broken")
    healthy = register("healthy")
    broken.failing = True
    first = write_events(3)

    report = outbox_relay_run()

    assert report.failures == ["broken"]
    assert (broken.calls, healthy.calls) == ([], [first])
    # What the failing consumer wrote before raising is undone.
    assert not OutboxConsumerState.objects.filter(consumer="half-done-broken").exists()
    state = OutboxConsumerState.objects.get(consumer="broken")
    assert (state.failures, state.last_error) == (1, "RuntimeError: broken is down")
    assert state.blocked_since is not None
    assert state.retry_at - state.last_failed_at == RETRY_DELAYS[0]
    assert sorted(ConsumerBacklog.objects.values_list("consumer", "event_id")) == [
        ("broken", event_id) for event_id in first
    ]
    assert pending_ids() == first  # not relayed until every consumer has them

    # Later events reach the healthy consumer at once and join the broken one's backlog,
    # even though it is working again: it must get the older ones first.
    broken.failing = False
    second = write_events(2)
    outbox_relay_run()
    assert (broken.calls, healthy.calls) == ([], [first, second])
    assert pending_ids() == first + second

    # Still failing when its retry is due: the backoff grows.
    broken.failing = True
    make_due("broken")
    assert outbox_relay_run().failures == ["broken"]
    state.refresh_from_db()
    assert state.failures == 2
    assert state.retry_at - state.last_failed_at == RETRY_DELAYS[1]
    # Not due yet: not tried.
    broken.failing = False
    assert outbox_relay_run().failures == []
    assert broken.calls == []

    make_due("broken")
    report = outbox_relay_run(batch_size=4)

    assert broken.calls == [(first + second)[:4], (first + second)[4:]]
    assert healthy.calls == [first, second]  # nothing twice
    assert ConsumerBacklog.objects.count() == 0
    assert pending_ids() == []
    state.refresh_from_db()
    assert (state.blocked_since, state.failures, state.retry_at) == (None, 0, None)
    # Unblocked: new events go straight to it again.
    third = write_events(1)
    outbox_relay_run()
    assert broken.calls[-1] == third == healthy.calls[-1]


def test_a_consumer_not_wanting_the_backlogged_types_is_not_held_up(outbox):
    broken = register("broken", event_types=["course.*"])
    users = register("users", event_types=["user.*"])
    broken.failing = True
    user_ids = write_events(2, EventType.USER_UPDATED)
    course_ids = write_events(1, EventType.COURSE_UPDATED)
    outbox_relay_run()
    assert users.calls == [user_ids]
    assert pending_ids() == course_ids  # the user events went everywhere they had to


# ------------------------------------------------------------------------------------------
# Pruning
def test_relayed_events_are_pruned_after_the_retention_period(outbox, settings):
    settings.OUTBOX_RETENTION_DAYS = 7
    broken = register("broken")
    old = write_events(2)
    broken.failing = True
    stuck = write_events(1)
    outbox_relay_run()  # old: relayed; stuck: in the broken consumer's backlog
    recent = write_events(1)
    broken.failing = False
    OutboxConsumerState.objects.filter(consumer="broken").update(retry_at=None)  # not due
    outbox_relay_run()
    now = timezone.now()
    OutboxEvent.objects.filter(pk__in=old + stuck).update(occurred_at=now - timedelta(days=30))
    OutboxEvent.objects.filter(pk__in=old).update(relayed_at=now - timedelta(days=8))
    OutboxEvent.objects.filter(pk__in=recent).update(relayed_at=now - timedelta(days=6))
    mine = old + stuck + recent

    assert outbox_prune(chunk_size=1) >= 2

    assert sorted(OutboxEvent.objects.filter(pk__in=mine).values_list("id", flat=True)) == (
        stuck + recent
    )


# ------------------------------------------------------------------------------------------
# The kick after commit, and the sweep
def test_a_commit_kicks_one_relay_run_however_many_events_it_wrote(
    outbox, django_capture_on_commit_callbacks, tenant_a
):
    recorder = register("kicked")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ids = write_events(3)
    assert len(callbacks) == 1
    assert recorder.calls == []

    callbacks[0]()  # the commit: the relay runs (tasks are eager in tests)

    assert recorder.calls == [ids]
    # The run took the queued marker away: the next commit queues a run again.
    assert redis_client().get(QUEUED_KEY.format(schema=tenant_a.schema)) is None


def test_an_event_rolled_back_with_its_savepoint_still_leaves_the_kick_of_the_rest(
    outbox, django_capture_on_commit_callbacks
):
    recorder = register("kicked")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            write_events(1)
            raise RuntimeError("undone")
        kept = write_events(1)
    assert recorder.calls == [kept]


def test_a_queued_run_absorbs_the_kicks_that_follow_it(outbox, tenant_a, settings):
    """While a run is queued and not started, kicks queue nothing more: the run will read
    what they announce."""
    recorder = register("debounced")
    key = QUEUED_KEY.format(schema=tenant_a.schema)
    redis_client().set(key, "1", ex=30)  # a run is queued
    write_events(2)
    assert relay_kick(tenant_a.schema) is False
    assert recorder.calls == []
    redis_client().delete(key)  # it started
    assert relay_kick(tenant_a.schema) is True
    assert len(recorder.received) == 2


def test_the_sweep_relays_what_no_kick_did_and_leaves_idle_tenants_alone(
    outbox, tenant_a, tenant_b
):
    recorder = register("swept")
    ids = write_events(2)  # no commit here: no kick; only the sweep finds them
    with schema_context(tenant_b.schema):
        outbox_relay_run()  # tenant B: nothing pending
        assert not OutboxEvent.objects.filter(dispatched_at__isnull=True).exists()

    assert schemas_with_relay_work([tenant_a.schema, tenant_b.schema]) == [tenant_a.schema]
    assert outbox_sweep() == 1
    assert recorder.calls == [ids]
    assert schemas_with_relay_work([tenant_a.schema, tenant_b.schema]) == []
    assert outbox_sweep() == 0


def test_the_sweep_retries_a_failing_consumer_once_it_is_due(outbox, tenant_a):
    broken = register("broken")
    broken.failing = True
    ids = write_events(1)
    outbox_relay_run()
    broken.failing = False
    assert schemas_with_relay_work([tenant_a.schema]) == []  # not due yet
    make_due("broken")
    assert schemas_with_relay_work([tenant_a.schema]) == [tenant_a.schema]
    assert outbox_sweep() == 1
    assert broken.calls == [ids]


def test_a_relay_queued_in_the_public_schema_does_nothing(db):
    from tenant_apps.events.tasks import outbox_relay

    assert outbox_relay.apply().get() == 0
