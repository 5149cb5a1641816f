"""The Celery app for the relay's fault tests: Lectern's own, in a worker process that also
registers an outbox consumer recording what it is handed.

The consumer writes the ids it gets into `relay_test_received` (a table the test makes in
the tenant's schema) inside the relay's transaction, so only what was really taken counts,
and appends each call to `handed.log` in RELAY_TEST_DIR. While `slow-once` exists there,
its first call says so (`started`) and then hangs, for the test to kill the worker."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

import django

from lectern.celery import app

django.setup()

from django.db import connection  # noqa: E402

from tenant_apps.events.consumers import outbox_consumer_register  # noqa: E402
from tests.tenant_apps.events.conftest import RECEIVED_TABLE  # noqa: E402

HERE = Path(os.environ["RELAY_TEST_DIR"])


def received_record(events: Sequence) -> None:
    with (HERE / "handed.log").open("a") as log:
        log.write(" ".join(str(event.pk) for event in events) + "\n")
    slow = HERE / "slow-once"
    if slow.exists():
        slow.unlink()
        (HERE / "started").write_text(str(os.getpid()))
        time.sleep(600)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {RECEIVED_TABLE} (event_id) VALUES (%s)",  # noqa: S608
            [(event.pk,) for event in events],
        )


outbox_consumer_register("recorder", received_record)

__all__ = ["app"]
