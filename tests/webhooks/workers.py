"""Real Celery workers for the webhook tests: processes of their own (so a test can kill one
with SIGKILL), on the default queue of the suite's Redis database, with the destination
settings that admit the loopback receiver and the test settings' key for sealed secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection

from tests.databases import database_url

QUEUE = "lectern"  # the default queue: the delivery loop's own follow-up tasks go there too


def worker_start(log_dir: Path, name: str = "worker") -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lectern.settings.dev",
        "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": settings.SECRET_KEY,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(log_dir / "mail"),
        "TENANT_SPARE_SCHEMAS": "0",
        "WEBHOOK_ALLOW_HTTP": "true",
        "WEBHOOK_DESTINATION_ALLOWLIST": "127.0.0.1/32",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lectern",
            "worker",
            "-c",
            "1",
            "-P",
            "solo",
            "-Q",
            QUEUE,
            "-n",
            f"{name}-{os.getpid()}@%h",
            "-l",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env=env,
        stdout=(log_dir / f"{name}.log").open("w"),
        stderr=subprocess.STDOUT,
    )


def worker_stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
