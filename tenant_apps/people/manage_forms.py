"""The tenant admin's forms for people and the tenant's settings. They check shape; the
people services (shared with the API) decide and write. The pages render their fields
with the `core/_field.html`, `_error_summary.html` and `_pagination.html` templates."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm
from tenant_apps.people import services
from tenant_apps.people.models import (
    MANAGEABLE_FIELDS,
    REMOVAL_RETENTION_DAYS_MAX,
    GroupKind,
    LearnerGroup,
    RemovalMode,
    Role,
)

STATUS_CHOICES = [
    ("", _("Any status")),
    ("active", _("Active")),
    ("inactive", _("Deactivated")),
    ("deleted", _("Deleted")),
]
MAX_PASTED_ADDRESSES = 500


def role_choices() -> list[tuple[str, str]]:
    labels = {
        Role.ADMIN: _("Tenant admin"),
        Role.INSTRUCTOR: _("Instructor"),
        Role.CONTENT_CREATOR: _("Content creator"),
        Role.LEARNER: _("Learner"),
    }
    return [(role.value, labels[role]) for role in Role]


def managed_field_choices() -> list[tuple[str, str]]:
    labels = {
        "full_name": _("Name"),
        "role": _("Role"),
        "employee_number": _("Employee number"),
        "groups": _("Groups"),
        "department": _("Department"),
    }
    return [(name, labels.get(name, name)) for name in MANAGEABLE_FIELDS]


class PeopleFilterForm(PortalForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    role = forms.ChoiceField(label=_("Role"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    group = forms.TypedChoiceField(
        label=_("Group or department"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, groups: list[LearnerGroup], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("Any role")), *role_choices()]
        self.fields["group"].choices = [("", _("Any group")), *((g.pk, g.name) for g in groups)]
        self.fields["q"].widget.attrs["type"] = "search"


@dataclass(frozen=True)
class PastedLine:
    """One line (or comma-separated item) of a paste, as the form read it."""

    number: int
    text: str
    error: str = ""


def pasted_addresses(text: str) -> list[PastedLine]:
    """Each address of a paste (one per line, or separated by commas or semicolons), numbered
    by the line it is on, with why it is not an e-mail address when it is not."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for item in re.split(r"[,;]", line):
            address = item.strip().strip("<>").strip()
            if not address:
                continue
            try:
                validate_email(address)
            except ValidationError:
                found.append(PastedLine(number, address, str(_("not a valid e-mail address"))))
            else:
                found.append(PastedLine(number, address.lower()))
    return found


class InviteForm(PortalForm):
    emails = forms.CharField(
        label=_("E-mail addresses"),
        help_text=_(
            "One per line, or separated by commas. Each person gets an invitation to "
            "choose their password."
        ),
        widget=forms.Textarea(attrs={"rows": 8, "autocomplete": "off", "spellcheck": "false"}),
        max_length=50_000,
    )
    role = forms.ChoiceField(label=_("Role"), initial=Role.LEARNER)
    group_ids = forms.TypedMultipleChoiceField(
        label=_("Groups and departments"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, groups: list[LearnerGroup], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices()
        self.fields["group_ids"].choices = [(g.pk, g.name) for g in groups]
        self.lines: list[PastedLine] = []

    def clean_emails(self) -> list[str]:
        self.lines = pasted_addresses(self.cleaned_data["emails"])
        if not self.lines:
            raise ValidationError(_("Enter at least one e-mail address."))
        if len(self.lines) > MAX_PASTED_ADDRESSES:
            raise ValidationError(
                _("Paste at most %(n)d addresses at a time."), params={"n": MAX_PASTED_ADDRESSES}
            )
        invalid = [line for line in self.lines if line.error]
        if invalid:
            raise ValidationError(
                [
                    ValidationError(
                        _("Line %(number)d: “%(text)s” is not a valid e-mail address."),
                        params={"number": line.number, "text": line.text},
                    )
                    for line in invalid
                ]
            )
        return [line.text for line in self.lines]


class PersonForm(PortalForm):
    role = forms.ChoiceField(label=_("Role"))
    group_ids = forms.TypedMultipleChoiceField(
        label=_("Groups"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    department = forms.TypedChoiceField(
        label=_("Department"), required=False, coerce=int, empty_value=None
    )
    managed_fields = forms.MultipleChoiceField(
        label=_("Managed in Lectern"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Sign-ins through an identity provider no longer change the fields ticked here."
        ),
    )

    def __init__(self, *args, groups: list[LearnerGroup], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices()
        self.fields["managed_fields"].choices = managed_field_choices()
        self.fields["group_ids"].choices = [
            (g.pk, g.name) for g in groups if g.kind == GroupKind.GROUP
        ]
        self.fields["department"].choices = [("", _("No department"))] + [
            (g.pk, g.name) for g in groups if g.kind == GroupKind.DEPARTMENT
        ]

    def all_group_ids(self) -> list[int]:
        ids = list(self.cleaned_data["group_ids"])
        if self.cleaned_data["department"] is not None:
            ids.append(self.cleaned_data["department"])
        return ids


class GroupForm(PortalForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (GroupKind.GROUP.value, _("Group")),
            (GroupKind.DEPARTMENT.value, _("Department")),
        ],
        widget=forms.RadioSelect,
        initial=GroupKind.GROUP,
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class SettingsForm(PortalForm):
    self_registration_enabled = forms.BooleanField(
        label=_("Let people register themselves as learners"),
        help_text=_("When off, people join only by invitation."),
        required=False,
    )
    default_locale = forms.ChoiceField(
        label=_("Language for new people"),
        help_text=_("People can change their own language later."),
    )
    default_time_zone = forms.ChoiceField(
        label=_("Time zone for new people"),
        help_text=_("Dates and times are shown in each person's time zone."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_locale"].choices = services.locales_offered()
        self.fields["default_time_zone"].choices = time_zone_choices()


class RemovalPolicyForm(PortalForm):
    removal_mode = forms.ChoiceField(
        label=_("When a person is deleted"),
        help_text=_(
            "They lose access at once either way. Anonymising replaces their name, e-mail "
            "and HR details; their courses, progress and certificates stay."
        ),
        choices=RemovalMode.choices,
        widget=forms.RadioSelect,
    )
    removal_retention_days = forms.IntegerField(
        label=_("Days to keep their details"),
        help_text=_("Used when anonymising after a number of days."),
        min_value=1,
        max_value=REMOVAL_RETENTION_DAYS_MAX,
    )
