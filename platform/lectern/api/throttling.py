"""Rate limits per person and per personal token (429 with Retry-After)."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from tenant_apps.people.models import PersonalAccessToken


class PerUserRateThrottle(SimpleRateThrottle):
    """Signed-in people (session or sign-in tokens), keyed by person."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        if isinstance(request.auth, PersonalAccessToken):
            return None  # counted per token below
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class PerTokenRateThrottle(SimpleRateThrottle):
    """Integrations, keyed by their personal token."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, PersonalAccessToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class AnonymousRateThrottle(SimpleRateThrottle):
    """Callers without credentials (sign-in, registration, password reset), per address."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
