"""One Redis client per process for the things that are not cache entries (routing version)."""

from __future__ import annotations

from functools import cache

import redis
from django.conf import settings


@cache
def redis_client() -> redis.Redis:
    url = settings.REDIS_URL or "redis://127.0.0.1:6379/0"
    return redis.Redis.from_url(url, socket_connect_timeout=1.0, socket_timeout=1.0)
