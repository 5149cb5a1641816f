"""Who may change the branding and the custom domains: the one rule its API and its pages
both check (tenant admins, like people management)."""

from __future__ import annotations

from tenant_apps.people.permissions import Capability, requires, user_can


def can_manage_branding(user) -> bool:
    return user_can(user, Capability.MANAGE_USERS)


# The API's door onto the same rule.
ManageBranding = requires(Capability.MANAGE_USERS)
