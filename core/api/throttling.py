"""Rate limits per person, per personal token and per anonymous address (429 with
Retry-After).

A fixed-window counter in Redis: a SET NX (the window's first request) and an INCR, in a
single round trip per request. DRF's stock throttles keep every request's timestamp in a
pickled list, which for a limit of thousands a minute costs more than the request itself.
Keys carry the tenant's schema, so tenants never share a budget.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import connection
from rest_framework.throttling import BaseThrottle

from core.redis_client import redis_client
from core.request_context import client_address

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'1200/min' → (1200, 60)."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip().lower()]


class FixedWindowThrottle(BaseThrottle):
    scope = ""

    def __init__(self) -> None:
        self.limit, self.window = parse_rate(
            settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][self.scope]
        )
        self._wait = 0

    def identity(self, request, view) -> str | None:
        """Who is counted, or None when this throttle does not apply."""
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        ident = self.identity(request, view)
        if ident is None:
            return True
        now = time.time()
        window_start = int(now // self.window) * self.window
        key = f"lectern:throttle:{connection.schema_name}:{self.scope}:{ident}:{window_start}"
        try:
            pipeline = redis_client().pipeline(transaction=False)
            # SET NX EX then INCR: works on Redis 6 (the embedded one), unlike EXPIRE NX.
            pipeline.set(key, 0, ex=self.window, nx=True)
            pipeline.incr(key)
            count = pipeline.execute()[1]
        except Exception:  # Redis down: serve rather than refuse everyone
            logger.warning("rate limit: Redis unreachable, request not counted")
            return True
        if count <= self.limit:
            return True
        self._wait = max(1, int(window_start + self.window - now))
        return False

    def wait(self) -> int:
        return self._wait

    def get_ident(self, request) -> str:
        """The caller's address by the one rule (core.request_context.client_address), never
        DRF's, which believes any X-Forwarded-For."""
        return client_address(request) or "unknown"


class AnonymousRateThrottle(FixedWindowThrottle):
    """Callers without credentials (sign-in, registration, password reset), per address."""

    scope = "anon"

    def identity(self, request, view) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return self.get_ident(request)
