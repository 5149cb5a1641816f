"""How the tenant travels: from a request's host, and with queued work."""

from __future__ import annotations

from django.http import HttpRequest
from django.http.request import split_domain_port

# The message header that carries the schema a task was queued in (see lectern.celery).
TASK_SCHEMA_HEADER = "lectern_schema"


def host_of(request: HttpRequest) -> str:
    """The host name the request names, as Django's own host check reads it: lower-case, no
    port, no trailing dot; `X-Forwarded-Host` only when `USE_X_FORWARDED_HOST` is on. An empty
    string for a malformed host. Unchecked: tenant routing decides whether it is served."""
    # The very header `request.get_host()` reads, so the host routing admits is the host
    # Django's check is asked about (see core.hosts).
    domain, _port = split_domain_port(request._get_raw_host())
    return domain
