"""Tenant routing: the Host header picks the tenant; nothing else can.

Routing is also the host gate: a host is served only when it is a public host or the domain
of a tenant (custom domains included); any other host gets a 404 before any view, and a
malformed one a 400. Only a host admitted here is accepted by Django's own host check
(`request.get_host()`, see core.hosts), so no absolute URL, redirect or CSRF check can be
built from a host the gate has not seen.

Resolving a host costs no SQL in steady state. Each process keeps a map of host → tenant and
checks one version stamp in Redis per request; any change to a tenant or a domain replaces
the stamp (after commit), so every process drops its map and reloads on the next request
(see core.versions). Known hosts stay in the map (there are only as many as rows in the
Domain table); unknown ones are remembered only in a small LRU, so a stream of random
subdomains cannot grow a process's memory.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.request import validate_host
from django.shortcuts import render
from django.urls import set_urlconf
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name

from core.hosts import host_admitted
from core.lru import LeastRecentlyUsed
from core.request_context import bind_tenant
from core.tenancy import host_of
from core.versions import version_bump, version_read
from shared_apps.tenants.models import Domain, Tenant, TenantStatus

ROUTING_VERSION_KEY = "lectern:tenant-routing:version"
# How many unknown hosts each process remembers (least recently asked for goes first).
UNKNOWN_HOSTS_REMEMBERED = 1024


@dataclass(frozen=True)
class Route:
    """What a host resolves to: a tenant, or `None` for an unknown host."""

    tenant: Tenant | None


UNKNOWN = Route(tenant=None)


@dataclass(frozen=True)
class RouteCacheSize:
    known: int
    unknown: int


class TenantRouteCache:
    """Per-process host → tenant map, valid while the shared routing version is unchanged.

    Known hosts are kept until the version changes; unknown hosts in an LRU of at most
    `unknown_limit` entries, dropped with the known ones when the version changes (so a
    domain added after a miss is served on the next request).
    """

    def __init__(self, *, unknown_limit: int = UNKNOWN_HOSTS_REMEMBERED) -> None:
        self._lock = threading.Lock()
        self._routes: dict[str, Route] = {}
        self._unknown: LeastRecentlyUsed[str, Route] = LeastRecentlyUsed(unknown_limit)
        self._version: bytes | None = None

    def clear(self) -> None:
        with self._lock:
            self._forget_all(version=None)

    def size(self) -> RouteCacheSize:
        with self._lock:
            return RouteCacheSize(known=len(self._routes), unknown=len(self._unknown))

    def resolve(self, host: str) -> Route:
        version = version_read(ROUTING_VERSION_KEY)
        if version is None:  # Redis down: resolve from the database, never from stale routes
            return _load_route(host)
        with self._lock:
            if version != self._version:
                self._forget_all(version=version)
            route = self._remembered(host)
        if route is None:
            route = _load_route(host)
            with self._lock:
                if self._version == version:
                    self._remember(host, route)
        return route

    def _forget_all(self, *, version: bytes | None) -> None:
        self._routes = {}
        self._unknown.clear()
        self._version = version

    def _remembered(self, host: str) -> Route | None:
        return self._routes.get(host) or self._unknown.get(host)

    def _remember(self, host: str, route: Route) -> None:
        if route.tenant is not None:
            self._routes[host] = route
        else:
            self._unknown.put(host, route)


def _load_route(host: str) -> Route:
    domain = (
        Domain.objects.select_related("tenant")
        .filter(domain__lower=host, tenant__purge_after__isnull=True)
        .first()
    )
    return Route(tenant=domain.tenant) if domain else UNKNOWN


route_cache = TenantRouteCache()


def routing_changed() -> None:
    """Tell every process that tenants or domains changed; runs after the commit."""

    def bump() -> None:
        version_bump(ROUTING_VERSION_KEY)
        route_cache.clear()

    transaction.on_commit(bump, robust=True)


def public_hosts() -> set[str]:
    return {settings.BASE_DOMAIN, *getattr(settings, "PUBLIC_HOSTS", ())}


def use_schema(tenant_or_public) -> None:
    """Point the connection at a schema, skipping the SET when it is already there."""
    already = (
        connection.schema_name == tenant_or_public.schema_name
        and connection.search_path_set_schemas is not None
    )
    if already:
        connection.tenant = tenant_or_public
    else:
        connection.set_tenant(tenant_or_public)


# A suspended or archived tenant's host is known: it answers with a page saying so.
_SERVED_STATUSES = frozenset({TenantStatus.ACTIVE, TenantStatus.SUSPENDED, TenantStatus.ARCHIVED})


class TenantRoutingMiddleware:
    """The host gate: sets the schema and URLconf for a known host; 404 for any other.

    Runs before every middleware and view that reads the host; only `HealthCheckMiddleware`
    and `RequestContextMiddleware`, which never do, come before it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        host = host_of(request)
        if not host:
            return HttpResponseBadRequest(_("Bad Request (400)"), content_type="text/plain")
        if not validate_host(host, settings.ALLOWED_HOST_PATTERNS):
            return _unknown_host(request, host)
        if host in public_hosts():
            if connection.schema_name != get_public_schema_name():
                connection.set_schema_to_public()
            request.tenant = connection.tenant
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            set_urlconf(request.urlconf)
            bind_tenant(get_public_schema_name())
            with host_admitted(host):
                return self.get_response(request)

        tenant = route_cache.resolve(host).tenant
        if tenant is None or tenant.status not in _SERVED_STATUSES:
            return _unknown_host(request, host)
        with host_admitted(host):
            if tenant.status != TenantStatus.ACTIVE:
                return _unavailable(request, tenant)
            use_schema(tenant)
            request.tenant = tenant
            bind_tenant(tenant.schema_name)
            return self.get_response(request)


def _unavailable(request: HttpRequest, tenant) -> HttpResponse:
    """A suspended or archived tenant's page, with why when an app can say (hooks)."""
    from shared_apps.tenants.hooks import suspension_explained

    reason = suspension_explained(tenant) if tenant.status == TenantStatus.SUSPENDED else None
    context = {"tenant": tenant, "reason": reason}
    return render(request, "tenants/unavailable.html", context, status=403)


def _unknown_host(request: HttpRequest, host: str) -> HttpResponse:
    # Rendered outside any admitted host: nothing here can build a URL from it.
    return render(request, "tenants/unknown_host.html", {"host": host}, status=404)
