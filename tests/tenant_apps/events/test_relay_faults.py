"""The relay with real parts failing: Redis (cache and broker) stopped while events are
written, and a Celery worker killed with SIGKILL in the middle of a relay run."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django_tenants.utils import schema_context

from core.redis_client import redis_client
from lectern.celery import app
from lectern.tasks import outbox_sweep
from tenant_apps.events.models import EventType, OutboxEvent
from tenant_apps.events.relay import outbox_relay_run
from tenant_apps.events.services import record_event
from tests.databases import database_url
from tests.tenant_apps.events.conftest import RECEIVED_TABLE

pytestmark = [pytest.mark.celery_worker, pytest.mark.usefixtures("consumer_registry")]


def wait_until(check: Callable[[], bool], timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout} s: {what}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A Redis of the test's own on a loopback port, to stop and start again (the shared
    one serves everybody else)."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def answers() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return True
            except OSError:
                return False

        wait_until(answers, 10, "redis-server listening")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


class Worker:
    """A real Celery worker (Lectern's app plus the recording consumer) on its own queue."""

    def __init__(self, folder: Path, redis_url: str, queue: str) -> None:
        self.folder, self.redis_url, self.queue = folder, redis_url, queue
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "lectern.settings.dev",
            "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
            "REDIS_URL": self.redis_url,
            "TENANT_SPARE_SCHEMAS": "0",
            "OUTBOX_RELAY_QUEUE": self.queue,
            "RELAY_TEST_DIR": str(self.folder),
        }
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A"),
                "tests.tenant_apps.events.recording_worker",
                *("worker", "-c", "1", "-P", "solo", "-Q", self.queue, "-l", "WARNING"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            ],
            env=env,
            cwd=settings.REPO_ROOT,
            stdout=(self.folder / f"worker-{time.monotonic_ns()}.log").open("w"),
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def broker_use(url: str) -> None:
    """Point this process's Celery app (and its pools) at `url`."""
    app.conf.broker_url = app.conf.broker_read_url = app.conf.broker_write_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def relay_world(committed_outbox, tmp_path, settings) -> Iterator[dict]:
    """Tenant A with the recording table, tasks published for real (not eager), relay runs
    routed to a queue of this test."""
    schema = committed_outbox
    queue = f"relay-test-{os.getpid()}"
    settings.OUTBOX_RELAY_QUEUE = queue
    with schema_context(schema), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RECEIVED_TABLE}")
        cursor.execute(f"CREATE TABLE {RECEIVED_TABLE} (event_id bigint NOT NULL)")
        outbox_relay_run()  # hand out what earlier tests left, before this test's events
    app.conf.task_always_eager = False
    workers: list[Worker] = []
    try:
        yield {"schema": schema, "queue": queue, "folder": tmp_path, "workers": workers}
    finally:
        app.conf.task_always_eager = True
        for worker in workers:
            worker.stop()
        with schema_context(schema), connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {RECEIVED_TABLE}")


def received(schema: str) -> list[int]:
    with schema_context(schema), connection.cursor() as cursor:
        cursor.execute(f"SELECT event_id FROM {RECEIVED_TABLE} ORDER BY event_id")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def commit_events(schema: str, count: int) -> list[int]:
    """Commit `count` events, each in a transaction of its own (each kicks the relay)."""
    ids = []
    with schema_context(schema):
        for n in range(count):
            with transaction.atomic():
                ids.append(
                    record_event(
                        event_type=EventType.COURSE_UPDATED,
                        subject_type="course",
                        subject_id=n,
                        payload={"id": n},
                    ).pk
                )
    return ids


def test_events_written_while_redis_is_down_are_relayed_once_it_is_back(relay_world, settings):
    schema, folder = relay_world["schema"], relay_world["folder"]
    redis_server = RedisServer(folder)
    redis_server.start()
    shared_broker = app.conf.broker_write_url
    try:
        settings.REDIS_URL = redis_server.url
        redis_client.cache_clear()
        broker_use(redis_server.url)
        worker = Worker(folder, redis_server.url, relay_world["queue"])
        relay_world["workers"].append(worker)
        worker.start()

        redis_server.stop()
        started = time.monotonic()
        ids = commit_events(schema, 5)  # every commit succeeds; every kick fails quietly
        assert time.monotonic() - started < 10
        with schema_context(schema):
            assert OutboxEvent.objects.filter(pk__in=ids, dispatched_at__isnull=True).count() == 5
        assert received(schema) == []

        redis_server.start()  # back, empty: no message survived
        assert outbox_sweep() == 1  # the sweep finds tenant A's rows and queues a run
        wait_until(lambda: received(schema) == ids, 90, "the worker relays the waiting events")
        with schema_context(schema):
            assert OutboxEvent.objects.filter(pk__in=ids, relayed_at__isnull=True).count() == 0
    finally:
        redis_server.stop()
        broker_use(shared_broker)
        redis_client.cache_clear()


def test_a_worker_killed_mid_relay_leaves_the_events_to_be_relayed_again(relay_world, settings):
    schema, folder, queue = relay_world["schema"], relay_world["folder"], relay_world["queue"]
    redis_client().delete(f"lectern:outbox:relay-queued:{schema}")
    (folder / "slow-once").write_text("hang in the first call")
    first = Worker(folder, settings.REDIS_URL, queue)
    relay_world["workers"].append(first)
    first.start()

    ids = commit_events(schema, 3)  # the first commit's kick queues a run; it hangs
    wait_until((folder / "started").exists, 90, "the worker is inside the consumer")
    first.kill()

    # Its transaction died with it: nothing was taken, the rows are free again.
    assert received(schema) == []
    with schema_context(schema):
        wait_until(
            lambda: (
                OutboxEvent.objects.select_for_update(skip_locked=True)
                .filter(pk__in=ids, dispatched_at__isnull=True)
                .count()
                == 3
            ),
            30,
            "the killed worker's locks are released",
        )

    second = Worker(folder, settings.REDIS_URL, queue)
    relay_world["workers"].append(second)
    second.start()
    assert outbox_sweep() == 1
    wait_until(lambda: received(schema) == ids, 90, "the second worker relays them")

    handed = [
        [int(event_id) for event_id in line.split()]
        for line in (folder / "handed.log").read_text().splitlines()
    ]
    first_call = handed[0]
    assert first_call == ids[: len(first_call)]  # the killed run had the oldest ones
    # At least once: what the killed run was handed was handed again, and kept once.
    assert sorted(event_id for call in handed for event_id in call if event_id in first_call) == (
        sorted(first_call * 2)
    )
    with schema_context(schema):
        assert OutboxEvent.objects.filter(pk__in=ids, relayed_at__isnull=True).count() == 0
