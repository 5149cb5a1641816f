"""Queueing relay runs: after every commit that wrote events, and from the sweep.

A kick queues `outbox_relay` for a tenant unless a run is already queued and has not
started yet (a Redis key, set when queued and deleted when the run starts): a burst of
commits queues one run, not one each, and no kick is lost, because a run reads the outbox
only after deleting the key. The key expires on its own, so a run lost with its message
holds up later kicks for `QUEUED_TTL_SECONDS` at most. When Redis or the broker is down the
kick gives up quietly: the events wait in the outbox for the sweep."""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.db import connection, transaction
from django_tenants.utils import schema_context

from core.redis_client import redis_client

logger = logging.getLogger(__name__)

QUEUED_KEY = "lectern:outbox:relay-queued:{schema}"
QUEUED_TTL_SECONDS = 30


def _queued_key(schema_name: str) -> str:
    return QUEUED_KEY.format(schema=schema_name)


def relay_kick(schema_name: str) -> bool:
    """Queue a relay run in `schema_name` unless one is waiting already. Returns whether
    one was queued."""
    from tenant_apps.events.tasks import outbox_relay

    key = _queued_key(schema_name)
    try:
        if not redis_client().set(key, "1", nx=True, ex=QUEUED_TTL_SECONDS):
            return False
    except redis.RedisError as exc:
        # Without the marker a run may be queued twice; that costs less than none.
        logger.warning("outbox kick in %s without debounce: %s", schema_name, exc)
    routing = {"queue": settings.OUTBOX_RELAY_QUEUE} if settings.OUTBOX_RELAY_QUEUE else {}
    # A connection of its own that gives up at the first refusal: the pool's would retry
    # for seconds, inside the commit of whoever wrote the events.
    options = {**(outbox_relay.app.conf.broker_transport_options or {}), "max_retries": 0}
    try:
        with (
            schema_context(schema_name),
            outbox_relay.app.connection_for_write(transport_options=options) as broker,
        ):
            outbox_relay.apply_async(connection=broker, retry=False, **routing)
    except Exception as exc:  # the broker is down: the rows wait for the sweep
        logger.warning("outbox relay not queued in %s (the sweep will relay): %s", schema_name, exc)
        relay_kick_taken(schema_name)
        return False
    return True


def relay_kick_taken(schema_name: str) -> None:
    """A run is starting (or was not queued): the next kick queues another."""
    try:
        redis_client().delete(_queued_key(schema_name))
    except redis.RedisError as exc:
        logger.warning("outbox kick marker of %s not cleared: %s", schema_name, exc)


def relay_kick_after_commit() -> None:
    """Kick the relay of the current schema once the current transaction commits (once per
    transaction, however many events it writes)."""
    schema_name = connection.schema_name
    for _savepoints, callback, _robust in connection.run_on_commit:
        if getattr(callback, "outbox_relay_kick_of", None) == schema_name:
            return

    def kick() -> None:
        relay_kick(schema_name)

    kick.outbox_relay_kick_of = schema_name  # type: ignore[attr-defined]
    transaction.on_commit(kick, robust=True)
