"""How enrollments are written for the people they concern, in e-mails and in the inbox."""

from __future__ import annotations

from datetime import datetime, tzinfo


def due_date_text(due_at: datetime, zone: tzinfo) -> str:
    """The due date as the person reads it, in their time zone: e.g. '31 March 2031, 17:00
    CEST'."""
    local = due_at.astimezone(zone)
    return f"{local.day} {local:%B %Y, %H:%M} {local.tzname()}"
