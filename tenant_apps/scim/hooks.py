"""People sync's place in the admin navigation, and forgetting SCIM's profile of an
anonymised person."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from core.navigation import Area, NavEntry, nav_entry_register
from tenant_apps.people.hooks import person_anonymised_handler_register
from tenant_apps.people.permissions import Capability, user_can


def can_manage_people_sync(user) -> bool:
    return user_can(user, Capability.MANAGE_USERS)


def register() -> None:
    from tenant_apps.scim.writes import scim_profile_forget

    person_anonymised_handler_register(scim_profile_forget)
    nav_entry_register(
        NavEntry(
            Area.ADMIN,
            gettext_lazy("People sync"),
            "manage-people-sync-scim",
            can_manage_people_sync,
            order=72,
            also_current=("manage-people-sync",),
        )
    )
