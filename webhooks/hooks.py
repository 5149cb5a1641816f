"""How the webhooks admin plugs into the portal (core.navigation), registered once from
WebhooksConfig.ready() through `register()`: the admin menu's "Webhooks" entry."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from core.navigation import Area, NavEntry, nav_entry_register
from tenant_apps.people.permissions import Capability, user_can


def can_manage_webhooks(user) -> bool:
    return user_can(user, Capability.MANAGE_WEBHOOKS)


def register() -> None:
    nav_entry_register(
        NavEntry(
            Area.ADMIN,
            gettext_lazy("Webhooks"),
            "manage-webhooks",
            can_manage_webhooks,
            order=75,
            also_current=("manage-webhook-",),
        )
    )
