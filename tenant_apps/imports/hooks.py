"""How people imports plug into the portal (core.navigation): the admin menu's "Imports"
entry, registered once from ImportsConfig.ready()."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from core.navigation import Area, NavEntry, nav_entry_register
from tenant_apps.people.permissions import Capability, user_can


def can_manage_imports(user) -> bool:
    return user_can(user, Capability.MANAGE_USERS)


def register() -> None:
    nav_entry_register(
        NavEntry(
            Area.ADMIN,
            gettext_lazy("Imports"),
            "manage-imports",
            can_manage_imports,
            order=81,
            also_current=("manage-import-",),
        )
    )
