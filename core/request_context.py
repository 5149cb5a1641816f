"""Request id and tenant carried into every log line, inside and outside requests."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.http import HttpRequest, HttpResponse

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_tenant: contextvars.ContextVar[str] = contextvars.ContextVar("tenant", default="-")
_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def current_request_id() -> str:
    return _request_id.get()


def current_client_ip() -> str | None:
    """The address of the client whose request is being served (None outside requests)."""
    return _client_ip.get()


def bind_tenant(schema_name: str) -> None:
    """Tag the rest of this request's (or task's) log lines with a tenant."""
    _tenant.set(schema_name)


@contextmanager
def bind_context(*, tenant: str, request_id: str) -> Iterator[None]:
    tenant_token = _tenant.set(tenant)
    request_token = _request_id.set(request_id)
    try:
        yield
    finally:
        _tenant.reset(tenant_token)
        _request_id.reset(request_token)


class RequestContextLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        record.tenant = _tenant.get()
        return True


def clear_context(**_: object) -> None:
    """Forget the finished request's id and tenant (connected to `request_finished`)."""
    _request_id.set("-")
    _tenant.set("-")
    _client_ip.set(None)


class RequestContextMiddleware:
    """Gives each request an id (the caller's `X-Request-ID` when it is sane) and echoes it.

    The values stay bound until `request_finished`, so the lines Django's handler logs after
    the middleware chain returns ("Not Found: ...") carry them too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if _SAFE_REQUEST_ID.match(offered) else uuid.uuid4().hex
        request.request_id = request_id
        _request_id.set(request_id)
        _tenant.set("-")
        # REMOTE_ADDR is the proxy's address behind a load balancer; SecurityMiddleware-style
        # trust of X-Forwarded-For belongs to the deployment (see production settings).
        _client_ip.set(request.META.get("REMOTE_ADDR") or None)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
