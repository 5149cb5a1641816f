"""A live Lectern for tests that need one: gunicorn serving the real WSGI app on a loopback
port against the test database, and tenants whose rows are committed so that such a server
(another process) sees them."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def server_env(settings_module: str = "lectern.settings.test", **extra: str) -> dict[str, str]:
    """The environment of a Lectern process on the test database and Redis."""
    from django.conf import settings
    from django.db import connection

    from tests.databases import database_url

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
        "REDIS_URL": settings.REDIS_URL,
        **extra,
    }


def production_env(static_root: Path, **extra: str) -> dict[str, str]:
    """`lectern.settings.production` itself on the test database, with the secret it needs
    and a STATIC_ROOT for `collectstatic`, as a deployment has."""
    return server_env(
        "lectern.settings.production",
        SECRET_KEY="s" * 50,
        STATIC_ROOT=str(static_root),
        LOG_LEVEL="ERROR",
        **extra,
    )


def run_under_production(script: str, static_root: Path) -> subprocess.CompletedProcess:
    """Run Python `script` in a process of its own under the production settings on the
    test database (host rules from the settings' defaults, not this environment)."""
    env = production_env(static_root)
    env.pop("ALLOWED_HOSTS", None)
    env.pop("USE_X_FORWARDED_HOST", None)
    return subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def tenant_drop_if_present(slug: str) -> None:
    """Delete and purge the tenant `slug`, if there is one (left by an interrupted run)."""
    from shared_apps.tenants.models import Tenant
    from shared_apps.tenants.services import tenant_delete, tenant_purge

    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is not None:
        tenant_purge(tenant=tenant_delete(tenant=tenant))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def live_server(env: dict[str, str], log: Path, *, workers: int = 2) -> Iterator[str]:
    """The real WSGI app (`lectern.wsgi`) in gunicorn on a free loopback port, its output
    in `log`; yields its base URL. Stopped with its process group, whatever happens."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(GUNICORN),
            "lectern.wsgi:application",
            "--chdir",
            str(REPO_ROOT / "platform"),
            f"--workers={workers}",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
            "--timeout=120",
        ],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited at start-up ({process.returncode})")
            with contextlib.suppress(OSError):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                conn.close()
                break
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not answer within 60 s")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
