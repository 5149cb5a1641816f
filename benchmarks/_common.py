"""Shared plumbing for the benchmark scripts (not a benchmark itself).

Every benchmark runs against a database of its own, dropped and re-created at start, on the
PostgreSQL server `DATABASE_URL` names (default `postgres://postgres@127.0.0.1:5432/`; only
its server and credentials are used, never its database). Celery messages, the routing
version and cache entries go to the Redis database `BENCH_REDIS_URL` names (default
`redis://127.0.0.1:6379/15`, a database nothing else uses), which is flushed at the end.
`REDIS_URL` from the environment is deliberately not used, so a benchmark never flushes a
database that development or the test suite relies on.

Django runs with `lectern.settings.dev`, `DEBUG` off (no per-query bookkeeping, as in
production) and `LOG_LEVEL=WARNING` unless set otherwise.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis
from psycopg import sql

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
# Only databases named like this are ever dropped or re-created.
DATABASE_PREFIX = "lectern_bench_"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def emit_result(result: dict[str, object]) -> None:
    """The benchmark's one line on stdout, always the last one."""
    sys.stdout.flush()
    print(json.dumps(result), flush=True)


def percentile(values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), `fraction` in [0, 1]."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ms(value: float) -> float:
    return round(value, 1)


# ------------------------------------------------------------------------------------------
# The benchmark's own database
def _server_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_SERVER_URL


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, ""))


def _check_name(database: str) -> None:
    if not database.startswith(DATABASE_PREFIX) or not database.replace("_", "").isalnum():
        raise SystemExit(f"refusing to touch database {database!r}: not a benchmark database")


def _maintenance(statement: sql.Composable) -> None:
    with psycopg.connect(_with_database(_server_url(), "postgres"), autocommit=True) as conn:
        conn.execute(statement)


def create_fresh_database(database: str) -> str:
    """Drop `database` if it exists, create it empty, return its URL."""
    _check_name(database)
    name = sql.Identifier(database)
    _maintenance(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
    _maintenance(sql.SQL("CREATE DATABASE {}").format(name))
    return _with_database(_server_url(), database)


def drop_database(database: str) -> None:
    _check_name(database)
    _maintenance(
        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
    )


def redis_url() -> str:
    return os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS_URL


def flush_redis() -> None:
    redis.Redis.from_url(redis_url(), socket_connect_timeout=2.0).flushdb()


def configure_environment(database_url: str) -> None:
    """Point Django (and any `lectern` subprocess, which inherits os.environ) at the bench."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "lectern.settings.dev"
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = redis_url()
    os.environ["CELERY_BROKER_URL"] = redis_url()
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    for path in (REPO_ROOT / "platform", REPO_ROOT):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))


def setup_django(database_url: str) -> None:
    import django

    configure_environment(database_url)
    django.setup()


@contextlib.contextmanager
def bench_database(database: str, *, keep: bool) -> Iterator[str]:
    """A fresh database with Django set up on it and public + template migrated.

    Yields its URL. Afterwards the Redis database is flushed and, unless `keep`, the
    database is dropped.
    """
    log(f"creating database {database}")
    url = create_fresh_database(database)
    flush_redis()
    try:
        setup_django(url)
        from django.core.management import call_command

        started = time.perf_counter()
        with contextlib.redirect_stdout(sys.stderr):
            call_command("migrate", verbosity=0)
        log(f"public schema and template migrated in {time.perf_counter() - started:.1f} s")
        yield url
    finally:
        from django.apps import apps
        from django.db import connections

        if apps.ready:
            connections.close_all()
        flush_redis()
        if keep:
            log(f"kept database {database} ({url})")
        else:
            drop_database(database)
            log(f"dropped database {database}")


# ------------------------------------------------------------------------------------------
# Tenants
def current_spares() -> int:
    from shared_apps.tenants import schemas
    from shared_apps.tenants.models import SpareSchema

    return SpareSchema.objects.filter(fingerprint=schemas.template_fingerprint() or "").count()


def create_tenants(
    count: int,
    *,
    prefix: str,
    batch: int = 50,
    progress: Callable[[int], None] | None = None,
) -> list[float]:
    """Create `count` tenants with `tenant_create`, every one from a claimed spare schema.

    Returns each call's wall time in milliseconds (validation, row, domain, schema rename,
    admin user, commit and the after-commit Celery messages and routing bump). The pool is
    refilled (template copies, `batch` at a time) only between calls, outside the timing;
    each refill first checks the pool is empty, which proves every call claimed a spare.
    """
    from shared_apps.tenants import schemas
    from shared_apps.tenants.services import tenant_create

    durations: list[float] = []
    pool = current_spares()
    for index in range(count):
        if pool == 0:
            left = current_spares()
            if left:
                raise RuntimeError(f"{left} spare(s) left: some creation did not claim a spare")
            pool = schemas.spare_schemas_top_up(target=min(batch, count - index))
        slug = f"{prefix}-{index:05d}"
        started = time.perf_counter()
        tenant_create(slug=slug, name=f"Benchmark {slug}", admin_email=f"admin@{slug}.example.com")
        durations.append((time.perf_counter() - started) * 1000)
        pool -= 1
        if progress:
            progress(index + 1)
    if current_spares() != pool:
        raise RuntimeError("the spare pool does not hold what the creations left in it")
    return durations


def progress_every(step: int, label: str, total: int) -> Callable[[int], None]:
    def report(done: int) -> None:
        if done % step == 0 or done == total:
            log(f"{label}: {done}/{total}")

    return report


@contextlib.contextmanager
def collected_static(env: dict[str, str]) -> Iterator[dict[str, str]]:
    """`env` plus a STATIC_ROOT that `lectern collectstatic` has filled, as a deployment
    does before starting production web processes (their pages name hashed static files
    from its manifest). Removed afterwards."""
    import shutil
    import subprocess
    import tempfile

    root = tempfile.mkdtemp(prefix="lectern-bench-static-")
    with_static = {**env, "STATIC_ROOT": root}
    try:
        subprocess.run(
            [sys.executable, "-m", "lectern.cli", "collectstatic", "--noinput", "-v", "0"],
            env=with_static,
            check=True,
        )
        yield with_static
    finally:
        shutil.rmtree(root, ignore_errors=True)
