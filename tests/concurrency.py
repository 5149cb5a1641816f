"""Real races: each contender in its own thread, on its own database connection, committing,
all released at once."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections
from django_tenants.utils import schema_context


def race(attempts: list[Callable[[], object]]) -> list[object]:
    """Run each attempt in its own thread, released together; return each one's result or
    the error it raised."""
    barrier = threading.Barrier(len(attempts))
    results: list[object] = [None] * len(attempts)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = attempts[index]()
        except Exception as exc:  # collected for the assertions
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def in_schema(schema: str, action: Callable[[], object]) -> Callable[[], object]:
    """`action`, run in a tenant's schema (a new thread's connection starts in public)."""

    def run() -> object:
        with schema_context(schema):
            return action()

    return run


def race_in_schema(schema: str, attempts: list[Callable[[], object]]) -> list[object]:
    return race([in_schema(schema, attempt) for attempt in attempts])
