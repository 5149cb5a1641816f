"""Template filters of the learners' pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(seconds: int | None) -> str:
    """A length of time as people say it: "45 s", "12 min", "1 h 5 min"."""
    seconds = int(seconds or 0)
    if seconds < 60:
        return _("%(n)d s") % {"n": seconds}
    minutes = round(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return _("%(n)d min") % {"n": minutes}
    if not minutes:
        return _("%(n)d h") % {"n": hours}
    return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
