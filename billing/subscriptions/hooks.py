"""How platform billing plugs into the floors below, registered once from
SubscriptionsConfig.ready(): the limit source of the entitlement check."""

from __future__ import annotations

from core.entitlements import limit_source_register


def register() -> None:
    from billing.subscriptions.limits import LIMIT_SOURCE

    limit_source_register(LIMIT_SOURCE)
