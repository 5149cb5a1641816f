"""Benchmark: people sync (issue 11), three phases of 10,000 people each. Goal: **<= 20 s
for each phase**.

1. SCIM: 10,000 people created through `/Bulk` in requests of the size Entra ID sends (50
   operations), against a live server: on a fresh database of its own (`_common.py`) one
   tenant is provisioned with a SCIM token; gunicorn (`--workers` sync workers, production
   settings) serves it; `--concurrency` clients post the Bulk requests. Every operation must
   answer 201.
2. and 3. CSV (`people_sync_csv.py`, in a second tenant): 10,000 people through an import
   (upload, dry run, apply), then a second file with 5 % of them changed and 2 % missing
   (a full sync).

Progress goes to stderr; the last line on stdout is the result as JSON.

    .venv/bin/python benchmarks/people_sync.py
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO_ROOT, bench_database, emit_result, log, redis_url

GOAL_SCIM_SECONDS = 20.0
SLUG = "sync-bench"
ENTRA_BULK_SIZE = 50


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--per-request", type=int, default=ENTRA_BULK_SIZE)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def _bulk_body(first: int, size: int) -> bytes:
    operations = []
    for number in range(first, first + size):
        operations.append(
            {
                "method": "POST",
                "path": "/Users",
                "bulkId": f"p{number}",
                "data": {
                    "schemas": [
                        "urn:ietf:params:scim:schemas:core:2.0:User",
                        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                    ],
                    "userName": f"person{number}@bench.example",
                    "externalId": f"hr-{number}",
                    "name": {"givenName": "Person", "familyName": str(number)},
                    "displayName": f"Person {number}",
                    "emails": [
                        {"value": f"person{number}@bench.example", "type": "work", "primary": True}
                    ],
                    "active": True,
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                        "employeeNumber": str(number),
                        "department": f"Department {number % 20}",
                    },
                },
            }
        )
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"]}
    body["Operations"] = operations
    return json.dumps(body).encode()


def _post_bulk(port: int, host: str, secret: str, body: bytes) -> int:
    """POST one Bulk request; the number of operations answered 201."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        conn.request(
            "POST",
            "/scim/v2/Bulk",
            body=body,
            headers={
                "Host": host,
                "X-Forwarded-Proto": "https",
                "Authorization": f"Bearer {secret}",
                "Content-Type": "application/scim+json",
            },
        )
        response = conn.getresponse()
        answer = response.read()
    finally:
        conn.close()
    if response.status != 200:
        raise RuntimeError(f"Bulk answered {response.status}: {answer[:300]!r}")
    return sum(op["status"] == "201" for op in json.loads(answer)["Operations"])


def scim_bulk_measure(
    *,
    port: int,
    host: str,
    secret: str,
    people: int = 10_000,
    per_request: int = ENTRA_BULK_SIZE,
    concurrency: int = 2,
) -> dict:
    """Create `people` people through SCIM /Bulk on a live server; the seconds it took."""
    bodies = [
        _bulk_body(first, min(per_request, people - first))
        for first in range(0, people, per_request)
    ]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        created = sum(pool.map(lambda body: _post_bulk(port, host, secret, body), bodies))
    seconds = time.perf_counter() - started
    if created != people:
        raise RuntimeError(f"only {created} of {people} people were created")
    return {
        "scim_bulk_people": people,
        "scim_bulk_requests": len(bodies),
        "scim_bulk_per_request": per_request,
        "scim_bulk_seconds": round(seconds, 2),
        "scim_bulk_people_per_s": round(people / seconds, 1),
    }


# The seeded plan without limits (billing/subscriptions/migrations/0002_seed_plans.py).
UNLIMITED_PLAN = "enterprise"


def provision() -> tuple[str, str]:
    from django_tenants.utils import schema_context

    from shared_apps.tenants.models import Domain
    from shared_apps.tenants.services import tenant_create
    from tenant_apps.scim.tokens import scim_token_create

    # 10,000 active learners: a plan without a learner limit.
    tenant = tenant_create(
        slug=SLUG,
        name="Sync bench",
        admin_email=f"admin@{SLUG}.example.com",
        plan_code=UNLIMITED_PLAN,
    )
    host = Domain.objects.get(tenant=tenant.tenant, is_primary=True).domain
    with schema_context(tenant.tenant.schema_name):
        secret = scim_token_create(name="bench", actor=None)[1]
    return host, secret


@contextlib.contextmanager
def server(database_url: str, workers: int) -> Iterator[int]:
    from tests.live import live_server

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lectern.settings.production",
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url(),
        "CELERY_BROKER_URL": redis_url(),
        "LOG_LEVEL": "WARNING",
        "DB_CONN_MAX_AGE": "60",
        "SCIM_RATE_PER_MINUTE": "100000",
        "STATIC_ROOT": tempfile.mkdtemp(prefix="lectern-bench-sync-static-"),
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "platform"), str(REPO_ROOT)]),
    }
    with (
        tempfile.TemporaryDirectory(prefix="lectern-bench-sync-") as logs,
        live_server(env, Path(logs) / "server.log", workers=workers) as base_url,
    ):
        log(f"server: gunicorn, {workers} sync workers, {base_url}")
        yield int(base_url.rsplit(":", 1)[1])


def csv_figures(people: int) -> dict:
    """The CSV import's two phases in a tenant of their own (people_sync_csv.py)."""
    from people_sync_csv import csv_import_measure

    from shared_apps.tenants.services import tenant_create

    tenant = tenant_create(
        slug=f"{SLUG}-csv",
        name="Sync bench CSV",
        admin_email=f"admin@{SLUG}-csv.example.com",
        plan_code=UNLIMITED_PLAN,
    ).tenant
    figures = csv_import_measure(schema=tenant.schema_name, people=people)
    return {key: value for key, value in figures.items() if key not in ("met", "goal_seconds")}


def main() -> None:
    args = parse_args()
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    database = f"lectern_bench_sync_{os.getpid()}"
    with bench_database(database, keep=args.keep) as url:
        host, secret = provision()
        with server(url, args.workers) as port:
            scim = scim_bulk_measure(
                port=port,
                host=host,
                secret=secret,
                people=args.people,
                per_request=args.per_request,
                concurrency=args.concurrency,
            )
            log(f"SCIM bulk: {scim}")
        csv = csv_figures(args.people)
    phases = [scim["scim_bulk_seconds"], csv["csv_create_seconds"], csv["csv_resync_seconds"]]
    emit_result(
        {
            "benchmark": "people_sync",
            **scim,
            **csv,
            "goal_seconds_per_phase": GOAL_SCIM_SECONDS,
            "met": all(seconds <= GOAL_SCIM_SECONDS for seconds in phases),
        }
    )


if __name__ == "__main__":
    main()
