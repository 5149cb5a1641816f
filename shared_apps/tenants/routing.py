"""Tenant routing: the Host header picks the tenant; nothing else can.

Resolving a host costs no SQL in steady state. Each process keeps a map of host → tenant and
checks one version stamp in Redis per request; any change to a tenant or a domain replaces
the stamp (after commit), so every process drops its map and reloads on the next request
(see core.versions).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import set_urlconf
from django_tenants.utils import get_public_schema_name

from core.request_context import bind_tenant
from core.tenancy import host_of
from core.versions import version_bump, version_read
from shared_apps.tenants.models import Domain, Tenant, TenantStatus

ROUTING_VERSION_KEY = "lectern:tenant-routing:version"


@dataclass(frozen=True)
class Route:
    """What a host resolves to: a tenant, or `None` for an unknown host."""

    tenant: Tenant | None


class TenantRouteCache:
    """Per-process host → tenant map, valid while the shared routing version is unchanged."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._routes: dict[str, Route] = {}
        self._version: bytes | None = None

    def clear(self) -> None:
        with self._lock:
            self._routes = {}
            self._version = None

    def resolve(self, host: str) -> Route:
        version = version_read(ROUTING_VERSION_KEY)
        if version is None:  # Redis down: resolve from the database, never from stale routes
            return _load_route(host)
        with self._lock:
            if version != self._version:
                self._routes = {}
                self._version = version
            route = self._routes.get(host)
        if route is None:
            route = _load_route(host)
            with self._lock:
                if self._version == version:
                    self._routes[host] = route
        return route


def _load_route(host: str) -> Route:
    domain = (
        Domain.objects.select_related("tenant")
        .filter(domain__lower=host, tenant__purge_after__isnull=True)
        .first()
    )
    return Route(tenant=domain.tenant if domain else None)


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


class TenantRoutingMiddleware:
    """Sets the schema and URLconf for the request's host; 404 for unknown hosts."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        host = host_of(request)
        if host in public_hosts():
            if connection.schema_name != get_public_schema_name():
                connection.set_schema_to_public()
            request.tenant = connection.tenant
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            set_urlconf(request.urlconf)
            bind_tenant(get_public_schema_name())
            return self.get_response(request)

        tenant = route_cache.resolve(host).tenant
        if tenant is None:
            return render(request, "tenants/unknown_host.html", {"host": host}, status=404)
        if tenant.status in (TenantStatus.SUSPENDED, TenantStatus.ARCHIVED):
            return render(request, "tenants/unavailable.html", {"tenant": tenant}, status=403)
        if tenant.status != TenantStatus.ACTIVE:
            return render(request, "tenants/unknown_host.html", {"host": host}, status=404)

        use_schema(tenant)
        request.tenant = tenant
        bind_tenant(tenant.schema_name)
        return self.get_response(request)
