"""Reading the webhooks: the health of an endpoint for its admin page and the API.

STAND-IN on wh-admin: a copy of the delivery helper's module (wh-delivery 182edf6), which
replaces it at the merge, with one fix: `_Percentile` must be an Aggregate — as a plain
Func, `.aggregate(p50=...)` raises "p50 is not an aggregate expression"."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

from django.db.models import Aggregate, Count, FloatField, Q
from django.db.models.functions import TruncHour
from django.utils import timezone

from webhooks.models import WebhookAttempt, WebhookEndpoint


class _Percentile(Aggregate):
    """PostgreSQL's `percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)`."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: str, fraction: float) -> None:
        super().__init__(expression, fraction=float(fraction))


def endpoint_health(*, endpoint: WebhookEndpoint, hours: int = 24) -> dict[str, Any]:
    """How deliveries to `endpoint` went in the last `hours`: attempts, how many succeeded,
    the success rate (None without attempts), the latency p50/p95 of the attempts that got
    an answer, and one bucket per hour (oldest first, empty hours included) for a chart."""
    now = timezone.now().astimezone(UTC)
    first_hour = (now - timedelta(hours=hours - 1)).replace(minute=0, second=0, microsecond=0)
    attempts = WebhookAttempt.objects.filter(endpoint=endpoint, attempted_at__gte=first_hour)
    totals = attempts.aggregate(
        attempts=Count("id"),
        succeeded=Count("id", filter=Q(succeeded=True)),
    )
    latency = attempts.filter(status_code__isnull=False).aggregate(
        p50=_Percentile("latency_ms", 0.5), p95=_Percentile("latency_ms", 0.95)
    )
    buckets = {
        row["hour"]: row
        for row in attempts.annotate(hour=TruncHour("attempted_at", tzinfo=UTC))
        .values("hour")
        .annotate(attempts=Count("id"), succeeded=Count("id", filter=Q(succeeded=True)))
    }
    per_hour = []
    for index in range(hours):
        hour = first_hour + timedelta(hours=index)
        row = buckets.get(hour, {"attempts": 0, "succeeded": 0})
        per_hour.append(
            {
                "hour": hour.isoformat(),
                "attempts": row["attempts"],
                "succeeded": row["succeeded"],
                "failed": row["attempts"] - row["succeeded"],
            }
        )
    total, succeeded = totals["attempts"], totals["succeeded"]
    return {
        "hours": hours,
        "attempts": total,
        "succeeded": succeeded,
        "failed": total - succeeded,
        "success_rate": round(succeeded / total, 4) if total else None,
        "latency_ms": {
            "p50": round(latency["p50"]) if latency["p50"] is not None else None,
            "p95": round(latency["p95"]) if latency["p95"] is not None else None,
        },
        "per_hour": per_hour,
        "failing_since": endpoint.failing_since.isoformat() if endpoint.failing_since else None,
    }
