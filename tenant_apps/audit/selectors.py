"""Reads on the audit log."""

from __future__ import annotations

from datetime import datetime

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
    since: datetime | None = None,
    until: datetime | None = None,
    oldest_first: bool = False,
) -> QuerySet[AuditEntry]:
    """The tenant's audit log, newest first unless `oldest_first`, narrowed by what is given
    (`since` included, `until` excluded)."""
    entries = AuditEntry.objects.all()
    if since is not None:
        entries = entries.filter(created_at__gte=since)
    if until is not None:
        entries = entries.filter(created_at__lt=until)
    if action is not None:
        entries = entries.filter(action=action)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if target_type is not None:
        entries = entries.filter(target_type=target_type)
    if target_id is not None:
        entries = entries.filter(target_id=target_id)
    return entries.order_by(*(OLDEST_FIRST if oldest_first else NEWEST_FIRST))


def audit_actors() -> list[tuple[int, str]]:
    """Everyone who has an entry in the log, as (id, e-mail when they acted), by e-mail:
    the choices of the log's actor filter."""
    rows = (
        AuditEntry.objects.filter(actor_id__isnull=False)
        .order_by("actor_id", "-created_at")
        .distinct("actor_id")
        .values_list("actor_id", "actor_email")
    )
    return sorted(rows, key=lambda row: (row[1].lower(), row[0]))


def audit_target_types() -> list[str]:
    """The kinds of things the log has entries about, for its target-type filter."""
    return list(
        AuditEntry.objects.order_by("target_type")
        .distinct("target_type")
        .values_list("target_type", flat=True)
    )
