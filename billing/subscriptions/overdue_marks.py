"""Which tenants are past due, kept in Redis for the admin banner: every admin page asks,
and must not pay a database query for it. Written after each status change commits and
rebuilt from the database by the hourly dunning task (Redis keeps nothing on disk). With
Redis unreachable there is simply no banner."""

from __future__ import annotations

import datetime
import logging

import redis

from core.redis_client import redis_client

logger = logging.getLogger("billing.subscriptions")

KEY = "lectern:billing:past-due"  # hash: tenant id → grace end (ISO date) or ""


def overdue_mark(tenant_id: int, grace_end: datetime.datetime | None) -> None:
    try:
        redis_client().hset(KEY, str(tenant_id), grace_end.isoformat() if grace_end else "")
    except redis.RedisError:
        logger.warning("past-due mark of tenant %s: Redis unreachable", tenant_id)


def overdue_clear(tenant_id: int) -> None:
    try:
        redis_client().hdel(KEY, str(tenant_id))
    except redis.RedisError:
        logger.warning("past-due mark of tenant %s: Redis unreachable", tenant_id)


def overdue_grace_end(tenant_id: int) -> tuple[bool, datetime.datetime | None]:
    """(past due?, when the grace period ends)."""
    try:
        value = redis_client().hget(KEY, str(tenant_id))
    except redis.RedisError:
        return False, None
    if value is None:
        return False, None
    text = value.decode() if isinstance(value, bytes) else str(value)
    try:
        return True, datetime.datetime.fromisoformat(text) if text else None
    except ValueError:
        return True, None


def overdue_marks_rebuild(marks: dict[int, datetime.datetime | None]) -> None:
    try:
        client = redis_client()
        with client.pipeline() as pipe:
            pipe.delete(KEY)
            if marks:
                pipe.hset(
                    KEY,
                    mapping={
                        str(tenant_id): end.isoformat() if end else ""
                        for tenant_id, end in marks.items()
                    },
                )
            pipe.execute()
    except redis.RedisError:
        logger.warning("past-due marks: Redis unreachable")
