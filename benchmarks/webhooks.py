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
transaction, paced to `--rate` events per second in all. After each commit the writer runs
the relay itself (`tenant_apps.events.relay.outbox_relay_run`, `relay_pending` below; the
after-commit kick also queues relay runs that the workers take, SKIP LOCKED keeping the two
apart). The webhooks consumer makes the messages and queues their delivery after its commit.

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
    parser.add_argument("--latency-events", type=int, default=2_000)
    parser.add_argument(
        "--rate", type=float, default=100.0, help="latency phase: events per second in all"
    )
    parser.add_argument("--per-commit", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--writer", help=argparse.SUPPRESS)  # internal: write in this schema
    parser.add_argument("--out", help=argparse.SUPPRESS)
    return parser.parse_args()


# ------------------------------------------------------------------------------------------
# The relay itself (tenant_apps.events.relay), run in the writer after each commit
def relay_pending() -> int:
    """Hand this schema's new outbox rows to every registered consumer (the webhooks' among
    them) as the relay task does; returns how many were handed over."""
    from tenant_apps.events.relay import outbox_relay_run

    return outbox_relay_run().handed


# ------------------------------------------------------------------------------------------
# A writer process: people created through the service, paced, commit times recorded
def writer(schema: str, events: int, rate: float, per_commit: int, out: str) -> None:
    """Write `events` people (one event each), `per_commit` per transaction, paced to `rate`
    per second (0: as fast as it goes), relaying after each commit; commit times to `out`."""
    from _common import setup_django

    setup_django(os.environ["DATABASE_URL"])
    from django.db import transaction
    from django_tenants.utils import schema_context

    from tenant_apps.people.services import user_create

    commits: list[tuple[int, float]] = []
    started = time.perf_counter()
    with schema_context(schema):
        for first in range(0, events, per_commit):
            wait = (started + first / rate - time.perf_counter()) if rate > 0 else 0
            if wait > 0:
                time.sleep(wait)
            with transaction.atomic():
                made = [
                    user_create(email=f"{Path(out).stem}-{number}@{schema}.example.com")
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
            slug=slug,
            name=f"Webhooks {slug}",
            admin_email=f"admin@{slug}.example.com",
            plan_code="enterprise",  # 5,000 new learners each: the plan without limits
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


def write(schemas: list[str], scratch_dir: Path, phase: str, events: int, rate: float, args):
    """Run one writer process per tenant (`events` in all, `rate` per second in all)."""
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--writer",
                schema,
                "--out",
                str(scratch_dir / f"{phase}-{schema}.json"),
                "--events",
                str(events // len(schemas)),
                "--rate",
                str(rate / len(schemas)),
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


def wait_for(receiver: ReceiverProcess, count: int, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while len(receiver.arrivals) < count and time.monotonic() < deadline:
        time.sleep(0.1)


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=30)


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
    with (
        tempfile.TemporaryDirectory(prefix="lectern-bench-webhooks-") as scratch,
        bench_database(database, keep=args.keep),
    ):
        scratch_dir = Path(scratch)
        port = free_port()
        schemas, secrets = provision(port)
        receiver = ReceiverProcess(port, secrets)
        workers: list[subprocess.Popen] = []
        try:
            admins = len(schemas)  # each tenant's first admin: a user.created event too
            # Throughput: the backlog written and relayed first, then two workers drain it.
            log(f"throughput: writing {args.events} events, workers stopped")
            write(schemas, scratch_dir, "backlog", args.events, 0, args)
            workers = workers_start(2, scratch_dir)
            wait_for(receiver, args.events + admins)
            throughput = drain_figures(receiver, args.events + admins)
            log(f"throughput: {throughput}")
            # Latency: paced writes while the workers run.
            log(f"latency: {args.latency_events} events at {args.rate:g}/s, workers running")
            before = set(receiver.arrivals)
            write(schemas, scratch_dir, "paced", args.latency_events, args.rate, args)
            wait_for(receiver, len(before) + args.latency_events)
            latency = latency_figures(schemas, scratch_dir, "paced", receiver)
            log(f"latency: {latency}")
        finally:
            stop(workers)
            receiver.stop()
    emit_result(
        {
            "benchmark": "webhooks",
            **throughput,
            **latency,
            "events": args.events,
            "latency_events": args.latency_events,
            "latency_write_rate": args.rate,
            "tenants": len(TENANTS),
            "workers": 2,
            "per_commit": args.per_commit,
            "unverified": receiver.unverified,
            "goal_deliveries_per_second": GOAL_DELIVERIES_PER_SECOND,
            "goal_p95_ms": GOAL_P95_MS,
            "met": throughput["deliveries_per_second"] >= GOAL_DELIVERIES_PER_SECOND
            and latency["commit_to_delivery_p95_ms"] <= GOAL_P95_MS
            and receiver.unverified == 0
            and throughput["delivered"] == throughput["expected"]
            and latency["latency_delivered"] == args.latency_events,
        }
    )


def drain_figures(receiver: ReceiverProcess, expected: int) -> dict[str, float]:
    """Deliveries per second from the first arrival to the last."""
    arrivals = sorted(receiver.arrivals.values())
    span = max(arrivals[-1] - arrivals[0], 1e-9) if arrivals else float("nan")
    return {
        "expected": expected,
        "delivered": len(arrivals),
        "drain_seconds": round(span, 2),
        "deliveries_per_second": round((len(arrivals) - 1) / span, 1) if arrivals else 0.0,
    }


def latency_figures(
    schemas: list[str], scratch_dir: Path, phase: str, receiver: ReceiverProcess
) -> dict[str, float]:
    """Join each message (webhook-id) to its event's commit time and its arrival."""
    from django_tenants.utils import schema_context

    from tenant_apps.events.models import OutboxEvent
    from webhooks.models import WebhookMessage

    latencies: list[float] = []
    for schema in schemas:
        committed = dict(json.loads((scratch_dir / f"{phase}-{schema}.json").read_text()))
        with schema_context(schema):
            subjects = dict(OutboxEvent.objects.values_list("event_id", "subject_id"))
            for message_id, event_id in WebhookMessage.objects.values_list(
                "message_id", "event_id"
            ):
                arrival = receiver.arrivals.get(message_id)
                commit = committed.get(int(subjects[event_id]))
                if arrival is None or commit is None:  # another phase's, or the admin's
                    continue
                latencies.append((arrival - commit) * 1000)
    return {
        "latency_delivered": len(latencies),
        "commit_to_delivery_p50_ms": ms(percentile(latencies, 0.5)),
        "commit_to_delivery_p95_ms": ms(percentile(latencies, 0.95)),
        "commit_to_delivery_max_ms": ms(max(latencies) if latencies else float("nan")),
    }


if __name__ == "__main__":
    main()
