"""What the branding app asks of the public schema, without importing it (tenant apps never
import shared apps): routing a verified custom domain to this tenant. The composition root
(`lectern.apps`) registers the public schema's functions here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DomainRouting:
    """Each runs in the schema of the tenant concerned (a request or a task)."""

    # Why `name` cannot become this tenant's domain (malformed, under the base domain,
    # already another's), or None.
    problem: Callable[[str], str | None]
    # Route `name` to this tenant; raises an ApplicationError when another tenant has it.
    route: Callable[[str], None]
    # Stop routing `name` to this tenant (nothing when it was not routed).
    unroute: Callable[[str], None]
    # The tenant's own host, which a custom domain's CNAME points at.
    tenant_host: Callable[[], str]
    # The name as routing stores it (lower case, no trailing dot).
    normalise: Callable[[str], str]


_routing: DomainRouting | None = None


def domain_routing_register(routing: DomainRouting) -> None:
    global _routing
    _routing = routing


def domain_routing() -> DomainRouting:
    if _routing is None:
        raise RuntimeError("no app registered the routing of custom domains")
    return _routing
