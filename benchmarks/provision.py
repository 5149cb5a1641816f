"""Benchmark: provisioning a tenant from the spare pool versus running the migrations.

Measured, on a fresh database of its own (see `_common.py`):

1. **fill**: `--tenants` N tenants are created one after another with
   `shared_apps.tenants.services.tenant_create` (tenant row, primary domain, a claimed spare
   schema renamed into place, first admin user, one transaction). Each call is timed end to
   end, commit and after-commit work (two Celery messages, the routing-version bump)
   included. The spare pool is refilled between calls, outside the timing, the way the
   Celery top-up task does it in production; every call is checked to have claimed a spare.
2. **fast** (the headline `fast_p50_ms` / `fast_p95_ms`): `--measure` K more tenants
   created the same way with at least N tenants already present, which is the requirement
   ("p95 <= 300 ms with 1,000 tenants present"). The fill phase's percentiles, over the
   growth from 0 to N tenants, are reported apart (`fill_p50_ms`, `fill_p95_ms`).
3. **empty pool**: `--handful` tenants created with the pool empty, so `tenant_create` falls
   back to copying the template (`empty_pool_create_p50_ms`), and `schemas.copy_template`
   alone, in its own transaction (`copy_p50_ms`).
4. **migrate**: `--handful` schemas built by running the tenant apps' migrations,
   `schemas.migrate_schema(name)` (what provisioning would cost without the template),
   timed end to end (`migrate_p50_ms`). `speedup` = migrate_p50_ms / fast_p50_ms.

Progress goes to stderr; the last line on stdout is the result as JSON. The database is
dropped at the end unless `--keep` is given.

    .venv/bin/python benchmarks/provision.py --tenants 1000
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time

from _common import (
    bench_database,
    create_tenants,
    current_spares,
    emit_result,
    log,
    ms,
    percentile,
    progress_every,
)

DATABASE = "lectern_bench_provision"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tenants", type=int, default=1000, help="tenants present (N)")
    parser.add_argument(
        "--measure", type=int, default=100, help="timed creations with N tenants present (K)"
    )
    parser.add_argument(
        "--handful", type=int, default=5, help="runs of the migration and copy paths"
    )
    parser.add_argument("--batch", type=int, default=50, help="spares built per refill")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    if min(args.tenants, args.measure, args.handful, args.batch) < 1:
        parser.error("--tenants, --measure, --handful and --batch must be at least 1")
    return args


def time_copies(count: int) -> list[float]:
    """`copy_template` into a new schema, in its own transaction, commit included."""
    from django.db import transaction

    from shared_apps.tenants import schemas

    durations = []
    for index in range(count):
        started = time.perf_counter()
        with transaction.atomic():
            schemas.copy_template(f"_bench_copy_{index}")
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def time_empty_pool_creations(count: int) -> list[float]:
    """`tenant_create` with no spare to claim: it copies the template inside its transaction."""
    from shared_apps.tenants.models import SpareSchema
    from shared_apps.tenants.services import tenant_create

    durations = []
    for index in range(count):
        if SpareSchema.objects.exists():
            raise RuntimeError("the spare pool should be empty here")
        slug = f"bench-empty-{index:03d}"
        started = time.perf_counter()
        tenant_create(slug=slug, name=f"Benchmark {slug}", admin_email=f"admin@{slug}.example.com")
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def time_migrations(count: int) -> list[float]:
    """`migrate_schema` on a schema that does not exist yet: every tenant migration runs."""
    from django.db import connection

    from shared_apps.tenants import schemas

    durations = []
    for index in range(count):
        name = f"_bench_migrated_{index}"
        started = time.perf_counter()
        with contextlib.redirect_stdout(sys.stderr):
            schemas.migrate_schema(name)
        durations.append((time.perf_counter() - started) * 1000)
        connection.set_schema_to_public()
        log(f"migrated schema {index + 1}/{count}: {durations[-1]:.0f} ms")
    return durations


def main() -> None:
    args = parse_args()
    wall_started = time.perf_counter()
    with bench_database(DATABASE, keep=args.keep):
        from shared_apps.tenants.models import Tenant

        log(f"fill: creating {args.tenants} tenants from the spare pool")
        fill = create_tenants(
            args.tenants,
            prefix="bench-fill",
            batch=args.batch,
            progress=progress_every(100, "fill", args.tenants),
        )
        present = Tenant.objects.count()
        if present != args.tenants:
            raise RuntimeError(f"expected {args.tenants} tenants, found {present}")

        log(f"fast: creating {args.measure} tenants with {present} present")
        fast = create_tenants(
            args.measure,
            prefix="bench-fast",
            batch=args.batch,
            progress=progress_every(50, "fast", args.measure),
        )
        if current_spares():
            raise RuntimeError("the spare pool should be empty after the fast phase")

        log(f"empty pool: {args.handful} creations copying the template, {args.handful} copies")
        empty_pool = time_empty_pool_creations(args.handful)
        copies = time_copies(args.handful)

        log(f"migrate: building {args.handful} schemas by running the migrations")
        migrations = time_migrations(args.handful)

        fast_p50 = percentile(fast, 0.50)
        migrate_p50 = percentile(migrations, 0.50)
        result = {
            "tenants": present,
            "fast_p50_ms": ms(fast_p50),
            "fast_p95_ms": ms(percentile(fast, 0.95)),
            "migrate_p50_ms": ms(migrate_p50),
            "speedup": round(migrate_p50 / fast_p50, 1),
            "fast_samples": len(fast),
            "fast_max_ms": ms(max(fast)),
            "fill_p50_ms": ms(percentile(fill, 0.50)),
            "fill_p95_ms": ms(percentile(fill, 0.95)),
            "fill_max_ms": ms(max(fill)),
            "copy_p50_ms": ms(percentile(copies, 0.50)),
            "empty_pool_create_p50_ms": ms(percentile(empty_pool, 0.50)),
            "handful": args.handful,
        }
    result["wall_s"] = round(time.perf_counter() - wall_started, 1)
    log(f"done in {result['wall_s']} s")
    emit_result(result)


if __name__ == "__main__":
    main()
