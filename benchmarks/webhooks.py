"""Benchmark: outbound webhooks, from the commit of a change to its signed delivery.

The question (issue 10): with events written through the real services, fanned out by the
relay and delivered by two worker processes to a receiver on this machine that verifies every
signature, how many deliveries per second, and how long from the commit of a change to its
delivery (p50/p95)? Goals: **>= 500 deliveries/s** and **p95 <= 1 s**.

On a fresh database of its own (see `_common.py`; Redis database 15 unless `BENCH_REDIS_URL`
says otherwise) two tenants are provisioned, each with one webhook endpoint (all event types)
pointing at the receiver (`python -m tests.webhooks.receiver`, a threaded HTTP/1.1 server that
verifies each delivery with PyPI `standardwebhooks` and logs its `webhook-id` and arrival
time). Two Celery workers (`-P solo`, one process each) run the delivery loop.

`--events` events are written in all, half in each tenant, by one writer process per tenant:
`people.services.user_create` (one `user.created` outbox row each), `--per-commit` people per
transaction, paced to `--rate` events per second in all. After each commit the writer hands
the new outbox rows to the registered consumers, as the relay does (`relay_pending` below:
the relay lives on another branch; swap that one function for it). The webhooks consumer makes
the messages and queues their delivery after its commit.

Measured: deliveries per second (messages delivered / time from the first commit to the last
delivery) and, per message, the time from its event's commit (taken by the writer just after
the transaction returned) to its arrival at the receiver. Every delivery must verify.

Progress goes to stderr; the last line on stdout is the result as JSON.

    .venv/bin/python benchmarks/webhooks.py
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO_ROOT, bench_database, emit_result, log, ms, percentile

GOAL_DELIVERIES_PER_SECOND = 500.0
GOAL_P95_MS = 1000.0
TENANTS = ("hooks-a", "hooks-b")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000, help="in all, half per tenant")
    parser.add_argument("--rate", type=float, default=600.0, help="events per second in all")
    parser.add_argument("--per-commit", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--writer", help=argparse.SUPPRESS)  # internal: write in this schema
    parser.add_argument("--out", help=argparse.SUPPRESS)
    return parser.parse_args()


# ------------------------------------------------------------------------------------------
# The relay, as the relay calls the consumers (tenant_apps.events on another branch)
def relay_pending() -> int:
    """Hand this schema's unrelayed outbox rows to every registered consumer that wants
    them, in one transaction, as the relay does; returns how many rows. The one place to
    swap for the relay itself."""
    from django.db import transaction
    from django.utils import timezone

    from tenant_apps.events.consumers import outbox_consumers
    from tenant_apps.events.models import OutboxEvent

    with transaction.atomic():
        events = list(
            OutboxEvent.objects.select_for_update(skip_locked=True)
            .filter(relayed_at__isnull=True)
            .order_by("id")[:1000]
        )
        for consumer in outbox_consumers():
            wanted = [event for event in events if consumer.wants(event.event_type)]
            if wanted:
                consumer.handler(wanted)
        OutboxEvent.objects.filter(pk__in=[e.pk for e in events]).update(relayed_at=timezone.now())
    return len(events)


# ------------------------------------------------------------------------------------------
# A writer process: people created through the service, paced, commit times recorded
def writer(schema: str, events: int, rate: float, per_commit: int, out: str) -> None:
    from _common import setup_django

    setup_django(os.environ["DATABASE_URL"])
    from django.db import transaction
    from django_tenants.utils import schema_context

    from tenant_apps.people.services import user_create

    commits: list[tuple[int, float]] = []
    started = time.perf_counter()
    with schema_context(schema):
        for first in range(0, events, per_commit):
            due = started + first / rate
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            with transaction.atomic():
                made = [
                    user_create(email=f"person-{number}@{schema}.example.com")
                    for number in range(first, min(first + per_commit, events))
                ]
            committed_at = time.time()
            commits.extend((user.pk, committed_at) for user in made)
            relay_pending()
    Path(out).write_text(json.dumps(commits))
    log(f"{schema}: {events} events in {time.perf_counter() - started:.1f} s")


# ------------------------------------------------------------------------------------------
def provision(receiver_port: int) -> tuple[list[str], list[str]]:
    from django_tenants.utils import schema_context

    from core.secret_box import secret_seal
    from shared_apps.tenants.services import tenant_create
    from webhooks.models import WebhookEndpoint
    from webhooks.services import signing

    schemas, secrets = [], []
    for slug in TENANTS:
        tenant = tenant_create(
            slug=slug, name=f"Webhooks {slug}", admin_email=f"admin@{slug}.example.com"
        ).tenant
        secret = signing.secret_new()
        with schema_context(tenant.schema_name):
            WebhookEndpoint.objects.create(
                url=f"http://127.0.0.1:{receiver_port}/hook/{slug}",
                secret_sealed=secret_seal(secret),
            )
        schemas.append(tenant.schema_name)
        secrets.append(secret)
    return schemas, secrets


class ReceiverProcess:
    """The verifying receiver in a process of its own; arrival time by webhook-id."""

    def __init__(self, port: int, secrets: list[str]) -> None:
        self.arrivals: dict[str, float] = {}
        self.unverified = 0
        command = [sys.executable, "-m", "tests.webhooks.receiver", "--port", str(port)]
        for secret in secrets:
            command += ["--secret", secret]
        self.process = subprocess.Popen(
            command, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True, bufsize=1
        )
        self.process.stdout.readline()  # listening <port>
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            webhook_id, at, ok = line.split()
            self.arrivals.setdefault(webhook_id, float(at))
            if ok != "1":
                self.unverified += 1

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def workers_start(count: int, log_dir: Path) -> list[subprocess.Popen]:
    env = {
        **os.environ,
        "WEBHOOK_ALLOW_HTTP": "true",
        "WEBHOOK_DESTINATION_ALLOWLIST": "127.0.0.1/32",
    }
    return [
        subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "lectern", "worker", "-P", "solo",
                "-c", "1", "-n", f"bench-{number}@%h", "-Q", "lectern", "-l", "WARNING",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
            ],
            env=env,
            cwd=REPO_ROOT,
            stdout=(log_dir / f"worker-{number}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        for number in range(count)
    ]  # fmt: skip


def main() -> None:
    args = parse_args()
    if args.writer:
        writer(args.writer, args.events, args.rate, args.per_commit, args.out)
        return
    import secrets as random_secrets
    import tempfile

    os.environ["SECRET_KEY"] = random_secrets.token_urlsafe(50)
    os.environ["TENANT_SPARE_SCHEMAS"] = "0"
    database = f"lectern_bench_webhooks_{os.getpid()}"
    per_tenant = args.events // len(TENANTS)
    with (
        tempfile.TemporaryDirectory(prefix="lectern-bench-webhooks-") as scratch,
        bench_database(database, keep=args.keep),
    ):
        scratch_dir = Path(scratch)
        port = free_port()
        schemas, secrets = provision(port)
        receiver = ReceiverProcess(port, secrets)
        workers = workers_start(2, scratch_dir)
        try:
            time.sleep(3)  # workers up
            log(f"writing {per_tenant} events in each of {len(schemas)} tenants")
            writers = [
                subprocess.Popen(
                    [
                        sys.executable,
                        __file__,
                        "--writer",
                        schema,
                        "--out",
                        str(scratch_dir / f"{schema}.json"),
                        "--events",
                        str(per_tenant),
                        "--rate",
                        str(args.rate / len(schemas)),
                        "--per-commit",
                        str(args.per_commit),
                    ],
                    cwd=REPO_ROOT,
                )
                for schema in schemas
            ]
            for process in writers:
                if process.wait() != 0:
                    raise SystemExit("a writer failed")
            log("writers done")
            expected = per_tenant * len(schemas)
            deadline = time.monotonic() + 120
            while len(receiver.arrivals) < expected and time.monotonic() < deadline:
                time.sleep(0.2)
            log(f"{len(receiver.arrivals)}/{expected} delivered")
            result = measure(schemas, scratch_dir, receiver, expected)
        finally:
            for process in workers:
                process.terminate()
            for process in workers:
                process.wait(timeout=30)
            receiver.stop()
    emit_result(
        {
            "benchmark": "webhooks",
            **result,
            "events": per_tenant * len(TENANTS),
            "tenants": len(TENANTS),
            "workers": 2,
            "write_rate_target": args.rate,
            "per_commit": args.per_commit,
            "goal_deliveries_per_second": GOAL_DELIVERIES_PER_SECOND,
            "goal_p95_ms": GOAL_P95_MS,
            "met": result["deliveries_per_second"] >= GOAL_DELIVERIES_PER_SECOND
            and result["commit_to_delivery_p95_ms"] <= GOAL_P95_MS
            and result["unverified"] == 0
            and result["delivered"] == result["expected"],
        }
    )


def measure(schemas: list[str], scratch_dir: Path, receiver: ReceiverProcess, expected: int):
    """Join each message (webhook-id) to its event's commit time and its arrival."""
    from django_tenants.utils import schema_context

    from tenant_apps.events.models import OutboxEvent
    from webhooks.models import MessageStatus, WebhookMessage

    latencies: list[float] = []
    first_commit, last_arrival = float("inf"), 0.0
    delivered_rows = 0
    for schema in schemas:
        committed = dict(json.loads((scratch_dir / f"{schema}.json").read_text()))
        first_commit = min(first_commit, min(committed.values()))
        with schema_context(schema):
            subjects = dict(OutboxEvent.objects.values_list("event_id", "subject_id"))
            for message_id, event_id in WebhookMessage.objects.values_list(
                "message_id", "event_id"
            ):
                arrival = receiver.arrivals.get(message_id)
                commit = committed.get(int(subjects[event_id]))
                if arrival is None or commit is None:  # not the writer's (the tenant's admin)
                    continue
                latencies.append((arrival - commit) * 1000)
                last_arrival = max(last_arrival, arrival)
            delivered_rows += WebhookMessage.objects.filter(status=MessageStatus.DELIVERED).count()
    span = max(last_arrival - first_commit, 1e-9)
    return {
        "expected": expected,
        "delivered": len(latencies),
        "delivered_rows": delivered_rows,
        "unverified": receiver.unverified,
        "deliveries_per_second": round(len(latencies) / span, 1),
        "commit_to_delivery_p50_ms": ms(percentile(latencies, 0.5)),
        "commit_to_delivery_p95_ms": ms(percentile(latencies, 0.95)),
        "commit_to_delivery_max_ms": ms(max(latencies) if latencies else float("nan")),
        "seconds": round(span, 2),
    }


if __name__ == "__main__":
    main()
