"""Each endpoint's `rate_limit_per_second`, kept across every worker process: a send reserves
the endpoint's next free slot (one every 1/rate seconds) in Redis, atomically. A slot more
than `HORIZON_SECONDS` away is not reserved; the message waits in the database until then.
Without Redis each process keeps the pace on its own (the limit then holds per process)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import redis
from django.db import connection

from core.redis_client import redis_client

HORIZON_SECONDS = 1.0

_RESERVE = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local horizon = tonumber(ARGV[3])
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
if slot < now then slot = now end
if slot > now + horizon then return {tostring(slot), 0} end
local keep_ms = math.ceil((slot - now + interval) * 1000) + 1000
redis.call('SET', KEYS[1], tostring(slot + interval), 'PX', keep_ms)
return {tostring(slot), 1}
"""

_local_slots: dict[str, float] = {}
_local_lock = threading.Lock()


@dataclass(frozen=True)
class Slot:
    at: float  # seconds since the epoch
    reserved: bool


def _key(endpoint_pk: int) -> str:
    return f"lectern:webhooks:rate:{connection.schema_name}:{endpoint_pk}"


def slot_reserve(*, endpoint_pk: int, per_second: int) -> Slot:
    """When the next delivery to the endpoint may start; `reserved` False means not within
    the horizon (try again at `at`)."""
    now = time.time()
    if per_second <= 0:
        return Slot(at=now, reserved=True)
    interval = 1.0 / per_second
    key = _key(endpoint_pk)
    try:
        at, reserved = redis_client().eval(_RESERVE, 1, key, now, interval, HORIZON_SECONDS)
        return Slot(at=float(at), reserved=bool(int(reserved)))
    except redis.RedisError:
        with _local_lock:
            slot = max(_local_slots.get(key, 0.0), now)
            if slot > now + HORIZON_SECONDS:
                return Slot(at=slot, reserved=False)
            _local_slots[key] = slot + interval
            return Slot(at=slot, reserved=True)
