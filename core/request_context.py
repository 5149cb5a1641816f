"""Request id and tenant carried into every log line, inside and outside requests, and the
one rule for which address a request comes from."""

from __future__ import annotations

import contextvars
import functools
import ipaddress
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_tenant: contextvars.ContextVar[str] = contextvars.ContextVar("tenant", default="-")
_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def current_request_id() -> str:
    return _request_id.get()


def current_client_ip() -> str | None:
    """The address of the client whose request is being served (None outside requests),
    as `client_address` found it."""
    return _client_ip.get()


# ------------------------------------------------------------------------------------------
# Which address a request comes from
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def _address(text: str) -> IPAddress | None:
    """An address as REMOTE_ADDR or one entry of X-Forwarded-For writes it (some proxies
    add a port: `203.0.113.7:51234`, `[2001:db8::1]:443`); None when it is not one."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_address(request: HttpRequest) -> str | None:
    """The address of the client behind `request`: what every per-address limit counts and
    the audit log records.

    `X-Forwarded-For` is anyone's to write, so it counts only as far as trusted proxies
    wrote it. With no trusted proxy configured (the default) the answer is REMOTE_ADDR.
    Otherwise, starting from REMOTE_ADDR and walking `X-Forwarded-For` from the right (each
    proxy appends the address it saw), every hop that is a trusted proxy is skipped: one of
    the first TRUSTED_PROXY_COUNT hops, or an address in TRUSTED_PROXY_NETWORKS. The first
    other hop is the client. Entries left of it, which the client may have made up, are
    never read."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    count = settings.TRUSTED_PROXY_COUNT
    networks = _networks(tuple(settings.TRUSTED_PROXY_NETWORKS))

    def is_proxy(hop: int, address: IPAddress) -> bool:
        return hop < count or any(address in network for network in networks)

    if not is_proxy(0, remote):
        return str(remote)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry for entry in forwarded.split(",") if entry.strip()]
    client = remote
    for hop, entry in enumerate(reversed(entries), start=1):
        address = _address(entry)
        if address is None:  # a proxy passed on garbage: the last proxy is all we know
            break
        client = address
        if not is_proxy(hop, address):
            break
    return str(client)


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
        _client_ip.set(client_address(request))
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
