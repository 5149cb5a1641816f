"""How the tenant travels: from a request's host, and with queued work."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

# The message header that carries the schema a task was queued in (see lectern.celery).
TASK_SCHEMA_HEADER = "lectern_schema"


def host_of(request: HttpRequest) -> str:
    """The request's host name without port, lower-cased; no ALLOWED_HOSTS check here."""
    raw = request.META.get("HTTP_X_FORWARDED_HOST") if settings.USE_X_FORWARDED_HOST else None
    raw = raw or request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", "")
    host = raw.strip().lower()
    if host.startswith("["):  # IPv6 literal
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if ":" in host else host
