"""The delivery loop a worker runs: claim due messages, send them concurrently, record.

Claiming: `SELECT ... FOR UPDATE SKIP LOCKED` on messages that are pending or failing and due
(`next_attempt_at <= now`), whose endpoint is on; each claimed message's `next_attempt_at`
moves to now + the lease (`WEBHOOK_DELIVERY_LEASE_SECONDS`) in the same transaction. So two
workers never take the same message, and a worker killed mid-delivery (SIGKILL) leaves its
messages due again when the lease ends: they go out again, with the same `webhook-id`.

Sending: requests run concurrently on an asyncio loop (transport.DeliveryLoop), at most
`MAX_IN_FLIGHT` at once and `MAX_PER_ENDPOINT` per endpoint, so one slow receiver
holds a few slots for at most 15 s and never the others; an endpoint at its cap is left out
of the next claims. The loop keeps claiming as slots free up, for `RUN_SECONDS`, and records
outcomes as they arrive. Each endpoint's rate limit is kept through ratelimit.slot_reserve.

Per-endpoint ordering is not promised: retries, resends and concurrent sends reorder."""

from __future__ import annotations

import concurrent.futures
import contextlib
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import redis
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core.redis_client import redis_client
from core.secret_box import secret_open
from webhooks.models import AttemptTrigger, MessageStatus, WebhookEndpoint, WebhookMessage
from webhooks.services.destinations import Destination, DestinationRefused, destination_resolve
from webhooks.services.outcomes import outcomes_record
from webhooks.services.payloads import body_bytes
from webhooks.services.ratelimit import slot_reserve
from webhooks.services.transport import DeliveryLoop, Outcome, OutgoingRequest

MAX_IN_FLIGHT = 200
# Claimed per endpoint at most: CONNECTIONS_PER_DESTINATION of them are sent at a time, the
# rest wait for one of the endpoint's connections (transport.DeliveryLoop).
MAX_PER_ENDPOINT = 64
RUN_SECONDS = 20.0
POLL_SECONDS = 0.05
RECORD_BATCH_SECONDS = 0.01
# A worker with nothing else to do waits this long at most for a rate-limited message's slot.
DEFERRAL_WAIT_SECONDS = 2.0
DEFAULT_LEASE_SECONDS = 120
USER_AGENT = "Lectern-Webhooks/1.0"
# Retries due sooner than this get a worker woken for them; later ones wait for the sweep.
WAKE_FOR_RETRIES_WITHIN = timedelta(seconds=60)
# One delivery task queued per tenant at a time (cleared when that task starts), and none
# while a delivery loop runs in the tenant: it sees new messages within POLL_SECONDS. The
# loop's mark outlives a killed worker by at most _LOOP_TTL_SECONDS.
_KICK_KEY = "lectern:webhooks:kick:{schema}"
_KICK_TTL_SECONDS = 30
_LOOP_KEY = "lectern:webhooks:loop:{schema}"
_LOOP_TTL_SECONDS = 60
_OWN_HEADERS = frozenset(
    {
        "host",
        "content-type",
        "content-length",
        "user-agent",
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
        "connection",
        "transfer-encoding",
    }
)


def lease_seconds() -> int:
    return int(getattr(settings, "WEBHOOK_DELIVERY_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))


def delivery_kick(*, countdown: float | None = None, even_while_looping: bool = False) -> None:
    """Queue a delivery task in this tenant's schema, unless one is queued and not started
    yet or (unless `even_while_looping`: the sweep) a delivery loop runs here. Without Redis
    the task is queued anyway (the broker may still take it); a task that cannot be queued
    leaves the messages to the periodic sweep."""
    from webhooks.tasks import messages_deliver

    if countdown is None:
        schema = connection.schema_name
        try:
            client = redis_client()
            if not even_while_looping and client.exists(_LOOP_KEY.format(schema=schema)):
                return
            if not client.set(_KICK_KEY.format(schema=schema), 1, nx=True, ex=_KICK_TTL_SECONDS):
                return
        except redis.RedisError:
            pass
        messages_deliver.delay()
    else:
        messages_deliver.apply_async(countdown=max(countdown, 0.0))


def kick_clear() -> None:
    """A delivery task has started: later commits may queue the next one."""
    with contextlib.suppress(redis.RedisError):
        redis_client().delete(_KICK_KEY.format(schema=connection.schema_name))


def _loop_mark(running: bool) -> None:
    key = _LOOP_KEY.format(schema=connection.schema_name)
    with contextlib.suppress(redis.RedisError):
        if running:
            redis_client().set(key, 1, ex=_LOOP_TTL_SECONDS)
        else:
            redis_client().delete(key)


def _due_exists() -> bool:
    return WebhookMessage.objects.filter(
        status__in=[MessageStatus.PENDING, MessageStatus.FAILING],
        next_attempt_at__lte=timezone.now(),
        endpoint__enabled=True,
    ).exists()


@dataclass
class DeliveryReport:
    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    deferred: int = 0


def messages_claim(
    *,
    limit: int,
    busy_endpoints: set[int] | None = None,
    message_pks: list[int] | None = None,
    now: datetime | None = None,
) -> list[WebhookMessage]:
    """Take up to `limit` due messages (or those of `message_pks` that are waiting, whatever
    their time and endpoint state: an admin asked for them) and lease them to this worker."""
    now = now or timezone.now()
    with transaction.atomic():
        due = WebhookMessage.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            status__in=[MessageStatus.PENDING, MessageStatus.FAILING]
        )
        if message_pks is not None:
            due = due.filter(pk__in=message_pks)
        else:
            due = due.filter(next_attempt_at__lte=now, endpoint__enabled=True)
            if busy_endpoints:
                due = due.exclude(endpoint_id__in=busy_endpoints)
        messages = list(due.select_related("endpoint").order_by("next_attempt_at")[:limit])
        if messages:
            WebhookMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
                next_attempt_at=now + timedelta(seconds=lease_seconds())
            )
    return messages


def endpoint_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The secrets that sign for `endpoint` now: its own, and during a rotation's overlap
    the previous one too."""
    secrets = [secret_open(endpoint.secret_sealed)]
    if (
        endpoint.previous_secret_sealed
        and endpoint.previous_secret_expires_at
        and endpoint.previous_secret_expires_at > now
    ):
        secrets.append(secret_open(endpoint.previous_secret_sealed))
    return secrets


def outgoing_request(
    message: WebhookMessage, destination: Destination, now: datetime, not_before: float = 0.0
) -> OutgoingRequest:
    """The attempt to make for `message`: the endpoint's custom headers, then ours, which a
    custom header can never replace; signed when sent."""
    endpoint = message.endpoint
    custom = {
        str(name): str(value)
        for name, value in (endpoint.custom_headers or {}).items()
        if str(name).lower() not in _OWN_HEADERS
    }
    return OutgoingRequest(
        message_pk=message.pk,
        endpoint_pk=endpoint.pk,
        message_id=message.message_id,
        destination=destination,
        body=body_bytes(message.payload),
        headers={**custom, "content-type": "application/json", "user-agent": USER_AGENT},
        secrets=tuple(endpoint_secrets(endpoint, now)),
        masked=frozenset(name.lower() for name in custom),
        not_before=not_before,
    )


@dataclass
class _Dispatcher:
    triggers: dict[int, str] = field(default_factory=dict)
    report: DeliveryReport = field(default_factory=DeliveryReport)
    in_flight: dict[concurrent.futures.Future, int] = field(default_factory=dict)
    per_endpoint: Counter = field(default_factory=Counter)
    destinations: dict[int, Destination | str] = field(default_factory=dict)
    soonest_retry: datetime | None = None
    soonest_deferral: datetime | None = None

    def launch(self, loop: DeliveryLoop, messages: list[WebhookMessage]) -> None:
        self.report.claimed += len(messages)
        now = timezone.now()
        refused: list[Outcome] = []
        deferred: dict[int, datetime] = {}
        self.destinations.clear()  # every claim round checks the destinations again
        for message in messages:
            endpoint = message.endpoint
            destination = self._destination(endpoint)
            if isinstance(destination, str):
                refused.append(
                    Outcome(
                        message_pk=message.pk,
                        endpoint_pk=endpoint.pk,
                        attempted_at=now,
                        error=destination[:500],
                    )
                )
                continue
            slot = slot_reserve(endpoint_pk=endpoint.pk, per_second=endpoint.rate_limit_per_second)
            if not slot.reserved:
                deferred[message.pk] = datetime.fromtimestamp(slot.at, tz=now.tzinfo)
                continue
            future = loop.submit(outgoing_request(message, destination, now, slot.at))
            self.in_flight[future] = endpoint.pk
            self.per_endpoint[endpoint.pk] += 1
        by_time: dict[datetime, list[int]] = {}
        for pk, when in deferred.items():
            by_time.setdefault(when, []).append(pk)
        for when, pks in by_time.items():
            # Not an attempt: back in the queue, for the endpoint's next free slot.
            WebhookMessage.objects.filter(pk__in=pks).update(next_attempt_at=when)
            self._note_retry(when)
            if self.soonest_deferral is None or when < self.soonest_deferral:
                self.soonest_deferral = when
        self.report.deferred += len(deferred)
        if refused:
            self.record(refused)

    def _destination(self, endpoint: WebhookEndpoint) -> Destination | str:
        if endpoint.pk not in self.destinations:
            try:
                self.destinations[endpoint.pk] = destination_resolve(endpoint.url)
            except DestinationRefused as refused:
                self.destinations[endpoint.pk] = f"Refused before sending: {refused.reason}"
        return self.destinations[endpoint.pk]

    def collect(self, timeout: float) -> None:
        if not self.in_flight:
            return
        done, _ = concurrent.futures.wait(
            list(self.in_flight), timeout=timeout, return_when=concurrent.futures.FIRST_COMPLETED
        )
        if done and len(done) < len(self.in_flight):
            # Record answers in batches (one transaction for many): give others a moment.
            time.sleep(RECORD_BATCH_SECONDS)
            done = {future for future in self.in_flight if future.done()}
        outcomes = []
        for future in done:
            endpoint_pk = self.in_flight.pop(future)
            self.per_endpoint[endpoint_pk] -= 1
            outcomes.append(future.result())
        self.record(outcomes)

    def record(self, outcomes: list[Outcome]) -> None:
        recorded = outcomes_record(outcomes, triggers=self.triggers)
        self.report.delivered += recorded.delivered
        self.report.retrying += recorded.retrying
        self.report.failed += recorded.failed
        if recorded.soonest_retry:
            self._note_retry(recorded.soonest_retry)

    def _note_retry(self, when: datetime) -> None:
        if self.soonest_retry is None or when < self.soonest_retry:
            self.soonest_retry = when

    def deferred_until(self, deadline: float) -> bool:
        """Sleep until the soonest rate-limited message is due, when that is within a couple
        of seconds and before `deadline`; whether it slept."""
        if self.soonest_deferral is None:
            return False
        wait = (self.soonest_deferral - timezone.now()).total_seconds()
        self.soonest_deferral = None
        if wait > DEFERRAL_WAIT_SECONDS or time.monotonic() + wait >= deadline:
            return False
        time.sleep(max(wait, 0.0))
        return True

    def busy(self) -> set[int]:
        """Endpoints to leave out of claims: enough of theirs in flight (sending, or waiting
        for one of the endpoint's connections)."""
        return {pk for pk, count in self.per_endpoint.items() if count >= MAX_PER_ENDPOINT}


def messages_deliver(
    *,
    message_pks: list[int] | None = None,
    trigger: str = AttemptTrigger.SCHEDULED,
    run_seconds: float = RUN_SECONDS,
) -> DeliveryReport:
    """Deliver what is due in this tenant, claiming more as requests finish, for up to
    `run_seconds`; then finish what is in flight. `message_pks` (an admin's resend, replay or
    test, attempted with `trigger`) go first and all of them, whatever the time limit, a few
    at a time. Wakes a worker again for work left over and for retries due within a minute."""
    dispatcher = _Dispatcher()
    deadline = time.monotonic() + run_seconds
    asked = list(message_pks or [])
    more_waiting = False
    _loop_mark(True)
    try:
        with DeliveryLoop() as loop:
            more_waiting = _deliver_loop(dispatcher, loop, asked, trigger, deadline)
    finally:
        _loop_mark(False)
    # A commit while the loop ran queued no task (the loop was to see it); one that came
    # after the loop's last look must not wait for the sweep.
    if more_waiting or _due_exists():
        delivery_kick()
    if dispatcher.soonest_retry is not None:
        wait = dispatcher.soonest_retry - timezone.now()
        if wait <= WAKE_FOR_RETRIES_WITHIN:
            delivery_kick(countdown=wait.total_seconds())
    return dispatcher.report


def _deliver_loop(
    dispatcher: _Dispatcher, loop: DeliveryLoop, asked: list[int], trigger: str, deadline: float
) -> bool:
    """Claim, send and record until nothing is due (or the deadline); whether work may be
    left for another task."""
    more_waiting = False
    marked_at = time.monotonic()
    while True:
        claiming = bool(asked) or time.monotonic() < deadline
        free = MAX_IN_FLIGHT - len(dispatcher.in_flight)
        claimed = 0
        if claiming and free > 0:
            if asked:
                busiest = max(dispatcher.per_endpoint.values(), default=0)
                room = min(free, MAX_PER_ENDPOINT - busiest)
                if room > 0:
                    batch, asked = asked[:room], asked[room:]
                    messages = messages_claim(limit=len(batch), message_pks=batch)
                    dispatcher.triggers.update({m.pk: trigger for m in messages})
                    dispatcher.launch(loop, messages)
                    claimed = len(batch)
            else:
                messages = messages_claim(limit=free, busy_endpoints=dispatcher.busy())
                dispatcher.launch(loop, messages)
                claimed = len(messages)
                # Stopping at the deadline with messages still coming: wake the next.
                more_waiting = claimed > 0
        if not dispatcher.in_flight and not asked:
            if claimed and claiming:
                continue  # all refused or deferred: look again
            if claiming and dispatcher.deferred_until(deadline):
                continue  # slept until a rate-limited message's slot
            break
        # Slots free: look for newly due messages shortly. Full or done: wait for answers.
        waiting_briefly = claiming and free > claimed
        dispatcher.collect(timeout=POLL_SECONDS if waiting_briefly else 1.0)
        if time.monotonic() - marked_at > _LOOP_TTL_SECONDS / 3:
            _loop_mark(True)
            marked_at = time.monotonic()
    return more_waiting
