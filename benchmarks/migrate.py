"""Benchmark: a no-op `lectern migrate` with N tenants.

On a fresh database of its own (see `_common.py`) the public schema and the template are
migrated, `--tenants` N tenants are created with `tenant_create` (spares claimed from a pool
refilled between creations; this set-up is not timed) and the pool is left holding
`TENANT_SPARE_SCHEMAS` current spares, as in steady state. Then the real command,
`python -m lectern.cli migrate` (what the `lectern` console script runs), is started `--runs`
times as a subprocess on that database, and each run's wall time is measured from spawn to
exit: interpreter and Django start-up, the public schema's migrations, the template check,
finding which of the N tenant schemas are behind (none), and the spare-pool check.

Each run must exit 0 and report "N in all, N already current, 0 migrated, 0 failed" with
the template already current and no public migration applied; anything else aborts the
benchmark. The goal is <= 30 s for 1,000 tenants.

Progress goes to stderr; the last line on stdout is the result as JSON
(`noop_migrate_s` is the median run). The database is dropped at the end unless `--keep`.

    .venv/bin/python benchmarks/migrate.py --tenants 1000
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time

from _common import (
    REPO_ROOT,
    bench_database,
    create_tenants,
    current_spares,
    emit_result,
    log,
    progress_every,
)

DATABASE = "lectern_bench_migrate"
SUMMARY = re.compile(
    r"Tenants: (?P<total>\d+) in all, (?P<current>\d+) already current, "
    r"(?P<migrated>\d+) migrated, (?P<failed>\d+) failed \((?P<seconds>[\d.]+) s\)"
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tenants", type=int, default=1000, help="tenants present (N)")
    parser.add_argument("--runs", type=int, default=3, help="timed `lectern migrate` runs")
    parser.add_argument("--batch", type=int, default=50, help="spares built per refill")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    if min(args.tenants, args.runs, args.batch) < 1:
        parser.error("--tenants, --runs and --batch must be at least 1")
    return args


def fill_spare_pool() -> int:
    """Leave the pool as `lectern migrate` wants it, so the timed runs build no spare."""
    from django.conf import settings

    from shared_apps.tenants import schemas

    schemas.spare_schemas_top_up()
    spares = current_spares()
    if spares < settings.TENANT_SPARE_SCHEMAS:
        raise RuntimeError(f"only {spares} spare(s) after topping up the pool")
    return spares


def run_migrate(tenants: int) -> tuple[float, float]:
    """One `lectern migrate`; returns (wall seconds, seconds the command reports)."""
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "lectern.cli", "migrate"],
        cwd=REPO_ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    elapsed = time.perf_counter() - started
    output = completed.stdout + completed.stderr

    def fail(why: str) -> None:
        raise SystemExit(f"`lectern migrate` {why}; its output:\n{output}")

    if completed.returncode != 0:
        fail(f"exited with status {completed.returncode}")
    found = SUMMARY.search(completed.stdout)
    if found is None:
        fail("printed no tenant summary")
    counts = {key: int(found[key]) for key in ("total", "current", "migrated", "failed")}
    if counts != {"total": tenants, "current": tenants, "migrated": 0, "failed": 0}:
        fail(f"was not a no-op over {tenants} tenants: {counts}")
    if "Tenant template: already current." not in completed.stdout:
        fail("did not find the template current")
    if "No migrations to apply." not in completed.stdout:
        fail("applied migrations to the public schema")
    return elapsed, float(found["seconds"])


def main() -> None:
    args = parse_args()
    wall_started = time.perf_counter()
    with bench_database(DATABASE, keep=args.keep):
        from django.db import connections

        from shared_apps.tenants.models import Tenant

        started = time.perf_counter()
        log(f"creating {args.tenants} tenants")
        create_tenants(
            args.tenants,
            prefix="bench",
            batch=args.batch,
            progress=progress_every(100, "tenants", args.tenants),
        )
        present = Tenant.objects.count()
        if present != args.tenants:
            raise RuntimeError(f"expected {args.tenants} tenants, found {present}")
        spares = fill_spare_pool()
        setup_s = time.perf_counter() - started
        log(f"{present} tenants and {spares} spares ready in {setup_s:.1f} s")
        connections.close_all()

        runs: list[float] = []
        reported: list[float] = []
        for run in range(args.runs):
            elapsed, seconds = run_migrate(present)
            runs.append(round(elapsed, 2))
            reported.append(seconds)
            log(f"run {run + 1}/{args.runs}: {elapsed:.2f} s (command reports {seconds} s)")

        result = {
            "tenants": present,
            "noop_migrate_s": round(statistics.median(runs), 2),
            "runs": runs,
            "reported_s": reported,
            "spares": spares,
            "cpus": os.cpu_count(),
            "setup_s": round(setup_s, 1),
        }
    result["wall_s"] = round(time.perf_counter() - wall_started, 1)
    log(f"done in {result['wall_s']} s")
    emit_result(result)


if __name__ == "__main__":
    main()
