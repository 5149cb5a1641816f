"""Who may do what: the one place roles turn into permissions.

The matrix below is the product's permission table; `tests/tenant_apps/people/
test_permissions.py` checks every cell of it.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy
from rest_framework.permissions import BasePermission

from tenant_apps.people.models import Role, User


class Capability(StrEnum):
    MANAGE_USERS = "manage_users"
    CREATE_COURSES = "create_courses"
    EDIT_OWN_COURSES = "edit_own_courses"
    EDIT_ALL_COURSES = "edit_all_courses"
    VIEW_ALL_ANALYTICS = "view_all_analytics"
    VIEW_OWN_ANALYTICS = "view_own_analytics"
    TAKE_COURSES = "take_courses"
    CREATE_ASSESSMENTS = "create_assessments"
    GRADE_ASSESSMENTS = "grade_assessments"
    VIEW_AUDIT_LOG = "view_audit_log"
    MANAGE_SSO = "manage_sso"
    MANAGE_WEBHOOKS = "manage_webhooks"
    MANAGE_BILLING = "manage_billing"  # the tenant's plan and payment for it
    MANAGE_PAYMENTS = "manage_payments"


_AUTHORS = {Role.ADMIN, Role.INSTRUCTOR, Role.CONTENT_CREATOR}
_EVERYONE = set(Role)

PERMISSION_MATRIX: dict[Capability, frozenset[Role]] = {
    Capability.MANAGE_USERS: frozenset({Role.ADMIN}),
    Capability.CREATE_COURSES: frozenset(_AUTHORS),
    Capability.EDIT_OWN_COURSES: frozenset(_AUTHORS),
    Capability.EDIT_ALL_COURSES: frozenset({Role.ADMIN, Role.INSTRUCTOR}),
    Capability.VIEW_ALL_ANALYTICS: frozenset({Role.ADMIN}),
    Capability.VIEW_OWN_ANALYTICS: frozenset(_AUTHORS),
    Capability.TAKE_COURSES: frozenset(_EVERYONE),
    Capability.CREATE_ASSESSMENTS: frozenset(_AUTHORS),
    Capability.GRADE_ASSESSMENTS: frozenset({Role.ADMIN, Role.INSTRUCTOR}),
    Capability.VIEW_AUDIT_LOG: frozenset({Role.ADMIN}),
    Capability.MANAGE_SSO: frozenset({Role.ADMIN}),
    Capability.MANAGE_WEBHOOKS: frozenset({Role.ADMIN}),
    Capability.MANAGE_BILLING: frozenset({Role.ADMIN}),
    Capability.MANAGE_PAYMENTS: frozenset({Role.ADMIN}),
}


def role_can(role: str, capability: Capability) -> bool:
    return role in PERMISSION_MATRIX[capability]


def user_can(user: User | None, capability: Capability) -> bool:
    """True when an active, signed-in person's role grants `capability`."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return role_can(user.role, capability)


def user_can_edit_course(user: User | None, *, owner_id: int | None) -> bool:
    """Everyone who may edit all courses, or an author editing their own."""
    if user_can(user, Capability.EDIT_ALL_COURSES):
        return True
    return user_can(user, Capability.EDIT_OWN_COURSES) and owner_id == user.pk


def user_can_view_course_analytics(user: User | None, *, owner_id: int | None) -> bool:
    if user_can(user, Capability.VIEW_ALL_ANALYTICS):
        return True
    return user_can(user, Capability.VIEW_OWN_ANALYTICS) and owner_id == user.pk


def requires(capability: Capability) -> type[BasePermission]:
    """A DRF permission class granting access to people whose role has `capability`: the
    API's door onto the same matrix the portal's pages check."""

    class HasCapability(BasePermission):
        message = gettext_lazy("Your role does not allow this.")

        def has_permission(self, request, view) -> bool:
            return user_can(request.user, capability)

    HasCapability.__name__ = f"Can{capability.value.title().replace('_', '')}"
    return HasCapability
