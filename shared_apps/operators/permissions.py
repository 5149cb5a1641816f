"""Who is a platform operator: one rule for the operator API and the operator console."""

from __future__ import annotations


def is_operator(user) -> bool:
    """A signed-in, active staff user of the public schema (`lectern operators create`)."""
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)
