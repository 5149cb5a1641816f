"""Benchmark: a long schemathesis run (every check) against the tenant API.

On a fresh database of its own (see `_common.py`; Redis database 13 unless
`BENCH_REDIS_URL` says otherwise, flushed at start and end) the public schema and the
template are migrated and a tenant with the demo content is made through the real services
(tests/api_fuzzing.py: courses, lessons, a quiz, enrollments, progress, a department, a
stand-in learner and a personal token of the admin). gunicorn then serves the real WSGI
app (`lectern.wsgi`, production settings, rate limits raised so that the fuzzer measures
the API rather than the throttle) on a free loopback port, and schemathesis runs every
check over every operation, `--max-examples` examples per operation and phase, the same
way as the bounded run in tests/lectern/test_api_contract.py but longer.

Progress goes to stderr, each failure found is listed there; the last line on stdout is
`{"cases": .., "failures": .., "server_errors": ..}` (requests made, distinct failures,
5xx answers) with the run's seconds. The database is dropped at the end unless `--keep`.

    .venv/bin/python benchmarks/fuzz.py --max-examples 60
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

DATABASE = "lectern_bench_fuzz"
os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")

from _common import (  # noqa: E402
    REPO_ROOT,
    bench_database,
    collected_static,
    emit_result,
    log,
    redis_url,
)

UNLIMITED_RATE = "100000000/min"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--max-examples", type=int, default=60, help="examples per operation and phase"
    )
    parser.add_argument("--workers", type=int, default=2, help="schemathesis workers")
    parser.add_argument("--server-workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    if min(args.max_examples, args.workers, args.server_workers) < 1:
        parser.error("--max-examples, --workers and --server-workers must be at least 1")
    return args


def main() -> None:
    args = parse_args()
    with bench_database(DATABASE, keep=args.keep) as database_url:
        sys.path.insert(0, str(REPO_ROOT))
        from shared_apps.tenants.services import tenant_create
        from tests.api_fuzzing import run_schemathesis, seed_fuzz_tenant
        from tests.live import live_server

        tenant = tenant_create(slug="fuzz", name="Fuzzed", admin_email="admin@fuzz.example.com")
        target = seed_fuzz_tenant(tenant.tenant)
        log(f"tenant {target.host} seeded with the demo content")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "lectern.settings.production",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url(),
            "CELERY_BROKER_URL": redis_url(),
            "LOG_LEVEL": "ERROR",
            "API_RATE_USER": UNLIMITED_RATE,
            "API_RATE_TOKEN": UNLIMITED_RATE,
            "API_RATE_ANONYMOUS": UNLIMITED_RATE,
        }
        with (
            collected_static(env) as env,
            tempfile.TemporaryDirectory(prefix="lectern-fuzz-") as scratch,
        ):
            started = time.perf_counter()
            with live_server(
                env, Path(scratch) / "server.log", workers=args.server_workers
            ) as base_url:
                log(f"fuzzing {base_url} ({args.max_examples} examples per operation)")
                result = run_schemathesis(
                    base_url=base_url,
                    target=target,
                    out_dir=Path(scratch),
                    max_examples=args.max_examples,
                    workers=args.workers,
                )
            seconds = time.perf_counter() - started
        for line in result.failure_lines:
            log(f"failure: {line}")
        log(f"{result.cases} requests in {seconds:.0f} s")
    emit_result(
        {
            "cases": result.cases,
            "failures": result.failures,
            "server_errors": result.server_errors,
            "max_examples": args.max_examples,
            "seconds": round(seconds, 1),
        }
    )


if __name__ == "__main__":
    main()
