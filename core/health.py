"""`/healthz` and `/readyz`: answered before tenant routing, on any host, to anyone.

`/readyz` names the part that is down and nothing more: the reason (which tends to quote the
database's host, port and name) goes to the server log only."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)


def database_is_reachable() -> str | None:
    """Return None when PostgreSQL answers, else the reason it does not (for the log)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any failure means "not ready"; the reason is reported
        return f"{type(exc).__name__}: {exc}".strip()[:300]
    return None


def redis_is_reachable() -> str | None:
    from core.redis_client import redis_client

    try:
        redis_client().ping()
    except Exception as exc:  # any failure means "not ready"; the reason is reported
        return f"{type(exc).__name__}: {exc}".strip()[:300]
    return None


def readiness() -> tuple[bool, dict[str, str]]:
    """Whether every part answers, and each part's state: "ok" or "unavailable". Why a part
    is unavailable is logged, never returned."""
    failures = {
        name: reason
        for name, reason in (("database", database_is_reachable()), ("redis", redis_is_reachable()))
        if reason
    }
    for name, reason in failures.items():
        logger.error("readiness: %s unavailable: %s", name, reason)
    checks = {name: "unavailable" if name in failures else "ok" for name in ("database", "redis")}
    return not failures, checks


class HealthCheckMiddleware:
    """Liveness and readiness need no tenant and no allowed host."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz":
            ready, checks = readiness()
            failing = [name for name, state in checks.items() if state != "ok"]
            body = {"status": "ready" if ready else "unavailable", "checks": checks}
            if failing:
                body["failing"] = failing
            return JsonResponse(body, status=200 if ready else 503)
        return self.get_response(request)
