"""Reading the delivery log: messages (filtered by endpoint, event type, status and time),
one message with its attempts, and attempts. Every query here is bounded: lists are
querysets the caller pages, with what each row shows fetched alongside."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Aggregate, FloatField, OuterRef, QuerySet, Subquery
from django.db.models.functions import TruncHour
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import NotFound
from webhooks.errors import WebhookErrorCode
from webhooks.models import WebhookAttempt, WebhookEndpoint, WebhookMessage
from webhooks.selectors import endpoint_health


class _Percentile(Aggregate):
    """PostgreSQL's `percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)`, as an
    aggregate (so that it groups by hour)."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: str, fraction: float) -> None:
        super().__init__(expression, fraction=float(fraction))


def messages_filtered(
    *,
    endpoint_id: int | None = None,
    event_type: str = "",
    status: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[WebhookMessage]:
    """Messages, newest first; each filter given narrows the list. `event_type` ending in
    `.*` (or `*`) matches a group of types."""
    messages = WebhookMessage.objects.select_related("endpoint").defer("payload")
    if endpoint_id is not None:
        messages = messages.filter(endpoint_id=endpoint_id)
    if event_type:
        if event_type == "*":
            pass
        elif event_type.endswith(".*"):
            messages = messages.filter(event_type__startswith=event_type[:-1])
        else:
            messages = messages.filter(event_type=event_type)
    if status:
        messages = messages.filter(status=status)
    if since is not None:
        messages = messages.filter(created_at__gte=since)
    if until is not None:
        messages = messages.filter(created_at__lt=until)
    return messages.order_by("-created_at", "-id")


def message_get(*, message_id: str) -> WebhookMessage:
    """The message whose `webhook-id` is `message_id`, in this tenant."""
    message = WebhookMessage.objects.select_related("endpoint").filter(message_id=message_id)
    found = message.first()
    if found is None:
        raise NotFound(WebhookErrorCode.MESSAGE_NOT_FOUND, _("No such webhook message."))
    return found


def attempts_of(message: WebhookMessage) -> QuerySet[WebhookAttempt]:
    return WebhookAttempt.objects.filter(message=message).order_by("-attempted_at", "-id")


def attempts_filtered(
    *,
    endpoint_id: int | None = None,
    message_id: str = "",
    succeeded: bool | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[WebhookAttempt]:
    """Attempts, newest first; each filter given narrows the list."""
    attempts = WebhookAttempt.objects.select_related("message")
    if endpoint_id is not None:
        attempts = attempts.filter(endpoint_id=endpoint_id)
    if message_id:
        attempts = attempts.filter(message__message_id=message_id)
    if succeeded is not None:
        attempts = attempts.filter(succeeded=succeeded)
    if since is not None:
        attempts = attempts.filter(attempted_at__gte=since)
    if until is not None:
        attempts = attempts.filter(attempted_at__lt=until)
    return attempts.order_by("-attempted_at", "-id")


def endpoints_with_last_attempt() -> QuerySet[WebhookEndpoint]:
    """Endpoints (oldest first) with their last attempt's time, status code and outcome:
    one query."""
    last = WebhookAttempt.objects.filter(endpoint=OuterRef("pk")).order_by("-attempted_at", "-id")
    return WebhookEndpoint.objects.annotate(
        last_attempt_at=Subquery(last.values("attempted_at")[:1]),
        last_attempt_status_code=Subquery(last.values("status_code")[:1]),
        last_attempt_succeeded=Subquery(last.values("succeeded")[:1]),
    ).order_by("created_at", "id")


def latency_per_hour(*, endpoint: WebhookEndpoint, hours: int = 24) -> dict[str, dict]:
    """Latency p50/p95 of the attempts that got an answer, per hour (UTC, ISO keys as in
    `selectors.endpoint_health`'s `per_hour`): one query."""
    now = timezone.now().astimezone(UTC)
    first_hour = (now - timedelta(hours=hours - 1)).replace(minute=0, second=0, microsecond=0)
    rows = (
        WebhookAttempt.objects.filter(
            endpoint=endpoint, attempted_at__gte=first_hour, status_code__isnull=False
        )
        .annotate(hour=TruncHour("attempted_at", tzinfo=UTC))
        .values("hour")
        .annotate(p50=_Percentile("latency_ms", 0.5), p95=_Percentile("latency_ms", 0.95))
    )
    return {
        row["hour"].isoformat(): {"p50": round(row["p50"]), "p95": round(row["p95"])}
        for row in rows
    }


def endpoint_health_by_hour(*, endpoint: WebhookEndpoint, hours: int = 24) -> dict[str, Any]:
    """`selectors.endpoint_health` with each hour's latency (`latency_ms`: p50, p95, None
    when no attempt got an answer that hour), for the health chart and the API."""
    health = endpoint_health(endpoint=endpoint, hours=hours)
    latency = latency_per_hour(endpoint=endpoint, hours=hours)
    for row in health["per_hour"]:
        row["latency_ms"] = latency.get(row["hour"], {"p50": None, "p95": None})
    return health
