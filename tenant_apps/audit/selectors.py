"""Reads on the audit log."""

from __future__ import annotations

from django.db.models import QuerySet

from tenant_apps.audit.models import AuditEntry

# The order of the log: by time, then by id for entries written in the same instant. Served
# by `audit_created_idx` (and `audit_actor_idx` when filtered by actor), in either direction.
NEWEST_FIRST = ("-created_at", "-id")
OLDEST_FIRST = ("created_at", "id")


def audit_entry_list(
    *,
    action: str | None = None,
    actor_id: int | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    oldest_first: bool = False,
) -> QuerySet[AuditEntry]:
    """The tenant's audit log, newest first unless `oldest_first`, narrowed by what is given."""
    entries = AuditEntry.objects.all()
    if action is not None:
        entries = entries.filter(action=action)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if target_type is not None:
        entries = entries.filter(target_type=target_type)
    if target_id is not None:
        entries = entries.filter(target_id=target_id)
    return entries.order_by(*(OLDEST_FIRST if oldest_first else NEWEST_FIRST))
