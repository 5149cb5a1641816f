"""How enrollments are written for the people they concern, in e-mails and in the inbox."""

from __future__ import annotations

from datetime import datetime, tzinfo

from django.utils import dateformat


def due_date_text(due_at: datetime, zone: tzinfo) -> str:
    """The due date as the person reads it, in their time zone: e.g. '31 March 2031, 17:00
    CEST'. The month is named in the active language."""
    return dateformat.format(due_at.astimezone(zone), "j F Y, H:i T")
