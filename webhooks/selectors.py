"""STAND-IN on the wh-admin branch for the delivery helper's `webhooks/selectors.py`
(wh-delivery), which replaces it when the branches merge. Only `endpoint_health`, whose
result the admin pages and the API show:

    {"hours": 24, "since": datetime, "attempts": int, "succeeded": int, "failed": int,
     "success_rate": float | None (0..1), "latency_p50_ms": float | None,
     "latency_p95_ms": float | None,
     "per_hour": [{"hour": datetime, "attempts", "succeeded", "failed",
                   "latency_p50_ms", "latency_p95_ms"}, ...]  (oldest first, every hour)}
"""

from __future__ import annotations

from datetime import UTC, timedelta

from django.db.models import Aggregate, Count, FloatField, Q
from django.db.models.functions import TruncHour
from django.utils import timezone

from webhooks.models import WebhookAttempt, WebhookEndpoint


class _Percentile(Aggregate):
    """PostgreSQL's percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra) -> None:
        super().__init__(expression, fraction=float(fraction), **extra)


def _figures(rows) -> dict:
    return rows.aggregate(
        attempts=Count("id"),
        succeeded=Count("id", filter=Q(succeeded=True)),
        latency_p50_ms=_Percentile("latency_ms", 0.5),
        latency_p95_ms=_Percentile("latency_ms", 0.95),
    )


def endpoint_health(*, endpoint: WebhookEndpoint, hours: int = 24) -> dict:
    """How deliveries to `endpoint` went over the last `hours` hours (two queries)."""
    now = timezone.now()
    since = now - timedelta(hours=hours)
    rows = WebhookAttempt.objects.filter(endpoint=endpoint, attempted_at__gte=since)
    totals = _figures(rows)
    by_hour = {
        row["hour"]: row
        for row in rows.annotate(hour=TruncHour("attempted_at", tzinfo=UTC))
        .values("hour")
        .annotate(
            attempts=Count("id"),
            succeeded=Count("id", filter=Q(succeeded=True)),
            latency_p50_ms=_Percentile("latency_ms", 0.5),
            latency_p95_ms=_Percentile("latency_ms", 0.95),
        )
        .order_by("hour")
    }
    first = since.replace(minute=0, second=0, microsecond=0)
    per_hour = []
    for step in range(hours + 1):
        hour = first + timedelta(hours=step)
        row = by_hour.get(hour, {})
        attempts = row.get("attempts", 0)
        per_hour.append(
            {
                "hour": hour,
                "attempts": attempts,
                "succeeded": row.get("succeeded", 0),
                "failed": attempts - row.get("succeeded", 0),
                "latency_p50_ms": row.get("latency_p50_ms"),
                "latency_p95_ms": row.get("latency_p95_ms"),
            }
        )
    attempts = totals["attempts"]
    return {
        "hours": hours,
        "since": since,
        "attempts": attempts,
        "succeeded": totals["succeeded"],
        "failed": attempts - totals["succeeded"],
        "success_rate": (totals["succeeded"] / attempts) if attempts else None,
        "latency_p50_ms": totals["latency_p50_ms"],
        "latency_p95_ms": totals["latency_p95_ms"],
        "per_hour": per_hour,
    }
