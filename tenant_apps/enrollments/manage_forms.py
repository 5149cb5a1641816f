"""The tenant admin's forms for enrollments: the list's filters and assigning a course.
They check shape; the enrollments services decide and write."""

from __future__ import annotations

import re
from datetime import datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm
from tenant_apps.enrollments.models import EnrollmentStatus
from tenant_apps.people.models import LearnerGroup

MAX_ASSIGNED_ADDRESSES = 500


def status_choices() -> list[tuple[str, str]]:
    labels = {
        EnrollmentStatus.PENDING: _("Pending payment"),
        EnrollmentStatus.ACTIVE: _("Active"),
        EnrollmentStatus.COMPLETED: _("Completed"),
        EnrollmentStatus.CANCELLED: _("Cancelled"),
    }
    return [(status.value, labels[status]) for status in EnrollmentStatus]


class EnrollmentFilterForm(PortalForm):
    course = forms.TypedChoiceField(label=_("Course"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)
    person = forms.CharField(label=_("Person"), required=False, max_length=200)
    group = forms.TypedChoiceField(label=_("Group"), required=False, coerce=int, empty_value=None)

    def __init__(
        self, *args, courses: list[tuple[int, str]], groups: list[LearnerGroup], **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].choices = [("", _("Any course")), *courses]
        self.fields["status"].choices = [("", _("Any status")), *status_choices()]
        self.fields["group"].choices = [("", _("Any group")), *((g.pk, g.name) for g in groups)]
        self.fields["person"].widget.attrs.update(
            {"type": "search", "placeholder": _("E-mail or name")}
        )


class AssignForm(PortalForm):
    course = forms.TypedChoiceField(label=_("Course"), coerce=int)
    emails = forms.CharField(
        label=_("People"),
        help_text=_("Their e-mail addresses, one per line or separated by commas."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
        max_length=50_000,
    )
    group_ids = forms.TypedMultipleChoiceField(
        label=_("Groups and departments"),
        help_text=_("Every active member is enrolled."),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    due_date = forms.DateField(
        label=_("Due date"),
        help_text=_("Optional. Due at the end of that day, in your time zone."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, courses: list[tuple[int, str]], groups: list[LearnerGroup], **kw):
        super().__init__(*args, **kw)
        self.fields["course"].choices = [("", _("Choose a course")), *courses]
        self.fields["group_ids"].choices = [(g.pk, g.name) for g in groups]

    def clean_emails(self) -> list[str]:
        items = [item.strip() for item in re.split(r"[\s,;]+", self.cleaned_data["emails"])]
        items = [item for item in items if item]
        if len(items) > MAX_ASSIGNED_ADDRESSES:
            raise ValidationError(
                _("Enter at most %(n)d addresses at a time."),
                params={"n": MAX_ASSIGNED_ADDRESSES},
            )
        bad = []
        for item in items:
            try:
                forms.EmailField().clean(item)
            except ValidationError:
                bad.append(item)
        if bad:
            raise ValidationError(
                _("Not e-mail addresses: %(items)s."), params={"items": ", ".join(bad)}
            )
        return items

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("emails") and not cleaned.get("group_ids"):
            raise ValidationError(_("Choose people, groups, or both."))
        return cleaned

    def due_at(self) -> datetime | None:
        """The end of the due day, in the time zone the page is shown in (the admin's)."""
        day = self.cleaned_data.get("due_date")
        if day is None:
            return None
        return timezone.make_aware(
            datetime.combine(day, time(23, 59, 59)), timezone.get_current_timezone()
        )
