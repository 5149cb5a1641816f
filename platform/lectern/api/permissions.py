"""DRF permission classes over the product's permission matrix."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from tenant_apps.people.permissions import Capability, user_can


def requires(capability: Capability) -> type[BasePermission]:
    """A permission class granting access to people whose role has `capability`."""

    class HasCapability(BasePermission):
        message = "Your role does not allow this."

        def has_permission(self, request, view) -> bool:
            return user_can(request.user, capability)

    HasCapability.__name__ = f"Can{capability.value.title().replace('_', '')}"
    return HasCapability
