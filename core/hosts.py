"""Which host a request may name: the one tenant routing admitted, and no other.

Tenant routing (shared_apps.tenants.routing) is the host gate: a host is served only when it
is a public host or a tenant's domain, custom domains included. Django has a host check of
its own, `request.get_host()`, behind every absolute URL, redirect and CSRF origin check; it
must agree with the gate without a list of every tenant domain in the settings, and must
never hand out a host the gate has not admitted. So Django's `ALLOWED_HOSTS` is a
`RoutedHosts`: while the gate serves a request it holds exactly the host the gate admitted;
before the gate has run, for a host it refused, and outside requests it holds nothing, and
`get_host()` raises `DisallowedHost` instead of returning an unchecked `Host` or
`X-Forwarded-Host`.

No Django imports here: the settings module builds a `RoutedHosts` while it is read.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

_admitted_host: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "admitted_host", default=None
)


class RoutedHosts(list):
    """Django's `ALLOWED_HOSTS`: the host tenant routing admitted for the request being served.

    A list because Django insists on a list or tuple; Django's check only iterates it.
    """

    def __iter__(self) -> Iterator[str]:
        host = _admitted_host.get()
        return iter(() if host is None else (host,))

    def __contains__(self, host: object) -> bool:
        return host is not None and host == _admitted_host.get()

    def __bool__(self) -> bool:
        # "Configured", for Django's deployment check and for DEBUG, which would otherwise
        # replace an empty list with localhost variants.
        return True

    def __repr__(self) -> str:
        return "RoutedHosts(<the host tenant routing admitted for this request>)"


def admitted_host() -> str | None:
    """The host the gate admitted for the request being served, if any."""
    return _admitted_host.get()


@contextmanager
def host_admitted(host: str) -> Iterator[None]:
    """Let Django's host check accept `host` (lower-case, no port) while the block runs."""
    token = _admitted_host.set(host)
    try:
        yield
    finally:
        _admitted_host.reset(token)
