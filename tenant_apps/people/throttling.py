"""Rate limits per signed-in person and per personal token (the per-address limit for
callers without credentials is core's)."""

from __future__ import annotations

from core.api.throttling import FixedWindowThrottle
from tenant_apps.people.models import PersonalAccessToken


class PerUserRateThrottle(FixedWindowThrottle):
    """Signed-in people (session or sign-in tokens), keyed by person."""

    scope = "user"

    def identity(self, request, view) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None
        if isinstance(request.auth, PersonalAccessToken):
            return None  # counted per token below
        return str(request.user.pk)


class PerTokenRateThrottle(FixedWindowThrottle):
    """Integrations, keyed by their personal token."""

    scope = "token"

    def identity(self, request, view) -> str | None:
        if not isinstance(request.auth, PersonalAccessToken):
            return None
        return str(request.auth.pk)
