"""Version stamps in Redis that tell every process when what it remembers is out of date.

A process that keeps something in memory (the host → tenant map, looked-up API tokens)
notes the stamp it read *before* loading, and trusts what it loaded only while the stamp is
unchanged. Changing the data puts a new random stamp in place.

Stamps are random rather than counters: Redis here keeps nothing on disk, and a counter
that restarts at zero could come back to a value some process loaded under before the
restart. A missing stamp is replaced by a fresh random one, which matches nothing loaded
before.
"""

from __future__ import annotations

import logging
import uuid

import redis

from core.redis_client import redis_client

logger = logging.getLogger(__name__)


def version_read(key: str) -> bytes | None:
    """The current stamp under `key`, or None when Redis is unreachable (then nothing may
    be trusted from memory)."""
    client = redis_client()
    try:
        stamp = client.get(key)
        if stamp is None:
            client.set(key, uuid.uuid4().hex, nx=True)
            stamp = client.get(key)
    except redis.RedisError:
        logger.warning("version stamp %s: Redis unreachable", key)
        return None
    return stamp


def version_bump(key: str) -> None:
    """Put a new stamp under `key`: everything loaded under the old one is out of date."""
    try:
        redis_client().set(key, uuid.uuid4().hex)
    except redis.RedisError:
        # Readers treat an unreachable Redis as "trust nothing", and a stamp lost with
        # Redis is replaced by a fresh one: nothing stale is trusted either way.
        logger.exception("version stamp %s: could not publish a change", key)
