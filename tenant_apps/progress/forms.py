"""Forms of the course player."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.progress.serializers import MAX_POSITION, MAX_TIME_SPENT_DELTA


class VideoPositionForm(forms.Form):
    """What the player's script reports while a video plays: where it is, and the seconds
    watched since its last report (the same limits as the progress API)."""

    position = forms.IntegerField(
        label=_("Position (seconds)"), min_value=0, max_value=MAX_POSITION
    )
    watched = forms.IntegerField(
        label=_("Seconds watched"), min_value=0, max_value=MAX_TIME_SPENT_DELTA, required=False
    )
