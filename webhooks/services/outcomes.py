"""What an attempt's outcome does to its message and endpoint: delivered on a 2xx; otherwise
retried on the schedule (with jitter) or when the receiver's `Retry-After` says, until the
schedule is spent (then failed); `410 Gone` switches the endpoint off, and so do five days
in which every attempt failed."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from webhooks.models import (
    AttemptTrigger,
    MessageStatus,
    WebhookAttempt,
    WebhookEndpoint,
    WebhookMessage,
)
from webhooks.services.disabling import endpoint_disable
from webhooks.services.transport import Outcome

# The wait after the 1st, 2nd, ... failed attempt; after the last, the message has failed
# (ten attempts over about three days and three hours).
RETRY_SCHEDULE = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
    timedelta(hours=24),
    timedelta(hours=24),
)
JITTER = 0.1  # each wait is stretched or shrunk by up to 10 %
RETRY_AFTER_STATUSES = frozenset({429, 502, 503, 504})
RETRY_AFTER_CAP = timedelta(hours=24)
RETRY_AFTER_FLOOR = timedelta(seconds=1)
FAILING_DAYS_BEFORE_DISABLE = 5

GONE_REASON = _("The endpoint answered 410 Gone: the receiver asked for no more deliveries.")
FAILING_REASON = _("Every delivery attempt failed for %(days)d days.")


def retry_delay(attempt_count: int) -> timedelta | None:
    """The wait after the `attempt_count`-th failed attempt (jittered), or None: no more."""
    if attempt_count > len(RETRY_SCHEDULE):
        return None
    base = RETRY_SCHEDULE[attempt_count - 1]
    return base * random.uniform(1 - JITTER, 1 + JITTER)


def retry_after(value: str | None, now: datetime) -> timedelta | None:
    """The wait a `Retry-After` header asks for (seconds or an HTTP date), kept within
    1 s .. 24 h; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        wait = timedelta(seconds=int(value))
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        wait = when - now
    return min(max(wait, RETRY_AFTER_FLOOR), RETRY_AFTER_CAP)


@dataclass(frozen=True)
class Recorded:
    delivered: int
    retrying: int
    failed: int
    # The soonest retry scheduled by these outcomes (to wake a worker for it), if any.
    soonest_retry: datetime | None


def outcomes_record(
    outcomes: Iterable[Outcome], *, triggers: dict[int, str] | None = None
) -> Recorded:
    """Store each outcome as an attempt and move its message (and endpoint) on. `triggers`
    names what made each message's attempt (by message pk; default: scheduled)."""
    outcomes = list(outcomes)
    if not outcomes:
        return Recorded(0, 0, 0, None)
    triggers = triggers or {}
    now = timezone.now()
    delivered = retrying = failed = 0
    soonest: datetime | None = None
    gone: set[int] = set()
    with transaction.atomic():
        messages = WebhookMessage.objects.in_bulk([o.message_pk for o in outcomes])
        enabled = set(
            WebhookEndpoint.objects.filter(
                pk__in={o.endpoint_pk for o in outcomes}, enabled=True
            ).values_list("pk", flat=True)
        )
        attempts = []
        for outcome in outcomes:
            message = messages.get(outcome.message_pk)
            if message is None:  # pruned or its endpoint deleted meanwhile
                continue
            attempts.append(_attempt_row(outcome, triggers.get(message.pk)))
            message.attempt_count += 1
            message.last_attempt_at = outcome.attempted_at
            if outcome.succeeded:
                message.status = MessageStatus.DELIVERED
                message.delivered_at = outcome.attempted_at
                message.next_attempt_at = None
                delivered += 1
                continue
            if outcome.status_code == 410:
                gone.add(outcome.endpoint_pk)
            wait = None
            if outcome.status_code in RETRY_AFTER_STATUSES:
                wait = retry_after(outcome.response_headers.get("retry-after"), now)
            if (
                outcome.status_code == 410
                or message.attempt_count > len(RETRY_SCHEDULE)
                or outcome.endpoint_pk not in enabled  # switched off: no retries
            ):
                message.status = MessageStatus.FAILED
                message.next_attempt_at = None
                failed += 1
                continue
            wait = wait or retry_delay(message.attempt_count)
            message.status = MessageStatus.FAILING
            message.next_attempt_at = now + wait
            soonest = min(soonest, message.next_attempt_at) if soonest else message.next_attempt_at
            retrying += 1
        WebhookAttempt.objects.bulk_create(attempts)
        _messages_update(list(messages.values()))
        _endpoint_health_update(outcomes, now)
        for endpoint in WebhookEndpoint.objects.filter(pk__in=gone, enabled=True) if gone else ():
            endpoint_disable(endpoint=endpoint, reason=str(GONE_REASON))
        cutoff = now - timedelta(days=FAILING_DAYS_BEFORE_DISABLE)
        failing = {o.endpoint_pk for o in outcomes if not o.succeeded}
        long_failing = WebhookEndpoint.objects.filter(
            pk__in=failing, enabled=True, failing_since__lte=cutoff
        )
        for endpoint in long_failing if failing else ():
            endpoint_disable(
                endpoint=endpoint,
                reason=str(FAILING_REASON) % {"days": FAILING_DAYS_BEFORE_DISABLE},
            )
    return Recorded(delivered, retrying, failed, soonest)


def _messages_update(messages: list[WebhookMessage]) -> None:
    """Write the delivery fields of many messages in one statement (`bulk_update` builds a
    CASE per row and field, too slow for the delivery loop)."""
    if not messages:
        return
    rows = ", ".join(
        ["(%s::bigint, %s::varchar, %s::integer, %s::timestamptz, %s, %s::timestamptz)"]
        * len(messages)
    )
    values: list = []
    for m in messages:
        values += [
            m.pk,
            m.status,
            m.attempt_count,
            m.last_attempt_at,
            m.delivered_at,
            m.next_attempt_at,
        ]
    table = WebhookMessage._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS m SET status = v.status, attempt_count = v.attempt_count, "  # noqa: S608 - our table name
            "last_attempt_at = v.last_attempt_at, delivered_at = v.delivered_at::timestamptz, "
            "next_attempt_at = v.next_attempt_at "
            f"FROM (VALUES {rows}) AS v(id, status, attempt_count, last_attempt_at, "
            "delivered_at, next_attempt_at) WHERE m.id = v.id",
            values,
        )


def _endpoint_health_update(outcomes: list[Outcome], now: datetime) -> None:
    """`failing_since`: set by the first failure after a success, cleared by a success."""
    succeeded = {o.endpoint_pk for o in outcomes if o.succeeded}
    failing = {o.endpoint_pk for o in outcomes if not o.succeeded} - succeeded
    if failing:
        WebhookEndpoint.objects.filter(pk__in=failing, failing_since__isnull=True).update(
            failing_since=now
        )
    if succeeded:
        WebhookEndpoint.objects.filter(pk__in=succeeded, failing_since__isnull=False).update(
            failing_since=None
        )


def _attempt_row(outcome: Outcome, trigger: str | None) -> WebhookAttempt:
    return WebhookAttempt(
        message_id=outcome.message_pk,
        endpoint_id=outcome.endpoint_pk,
        trigger=trigger or AttemptTrigger.SCHEDULED,
        attempted_at=outcome.attempted_at,
        status_code=outcome.status_code,
        succeeded=outcome.succeeded,
        latency_ms=outcome.latency_ms,
        response_excerpt=outcome.excerpt,
        error=outcome.error[:500],
        request_headers=outcome.request_headers,
        response_headers=outcome.response_headers,
    )
