"""The imports pages' forms: they check shape; the services decide and name what is wrong,
and `service_errors_show` puts each refusal next to its field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError
from core.forms import PortalForm
from tenant_apps.imports.models import IMPORT_FIELDS, KeyColumn, SourceAuth, SourceKind

FIELD_LABELS = {
    "email": _("E-mail"),
    "full_name": _("Full name"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "external_id": _("External id (the HR system's id)"),
    "employee_number": _("Employee number"),
    "department": _("Department"),
    "groups": _("Groups"),
    "role": _("Role"),
    "active": _("Active (yes/no)"),
}


def service_errors_show(form: forms.BaseForm, error: ApplicationError) -> None:
    placed = False
    for detail in error.details:
        form.add_error(detail.field if detail.field in form.fields else None, detail.message)
        placed = True
    if not placed:
        form.add_error(None, error.message)


class UploadForm(PortalForm):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 or Latin-1, separated by commas, semicolons or tabs; up to 20 MB."),
    )


class MappingForm(PortalForm):
    """One choice of the file's columns per field, the key, and the safety settings."""

    key = forms.ChoiceField(label=_("Match people by"), choices=KeyColumn.choices)
    groups_separator = forms.CharField(
        label=_("Separator between groups"), max_length=4, strip=False, initial=";"
    )
    full_sync = forms.BooleanField(
        label=_("Full sync: deactivate people missing from the file"), required=False
    )
    deactivate_threshold_percent = forms.IntegerField(
        label=_("Ask for confirmation when deactivating more than (%)"),
        min_value=0,
        max_value=100,
    )
    change_threshold_percent = forms.IntegerField(
        label=_("Ask for confirmation when changing more than (%)"), min_value=0, max_value=100
    )

    def __init__(self, *args, file_columns: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("(not in the file)"))] + [(c, c) for c in file_columns]
        mapped = {}
        for name in IMPORT_FIELDS:
            mapped[f"column_{name}"] = forms.ChoiceField(
                label=FIELD_LABELS[name], choices=choices, required=False
            )
        self.fields = {**mapped, **self.fields}

    def mapping_values(self) -> dict:
        data = self.cleaned_data
        return {
            "columns": {n: data[f"column_{n}"] for n in IMPORT_FIELDS if data[f"column_{n}"]},
            "key": data["key"],
            "groups_separator": data["groups_separator"],
            "full_sync": data["full_sync"],
            "deactivate_threshold_percent": data["deactivate_threshold_percent"],
            "change_threshold_percent": data["change_threshold_percent"],
        }


def mapping_initial(values: dict, file_columns: list[str]) -> dict:
    """The saved mapping as the form's first values; a field not yet mapped is offered the
    file's column of the same name, if there is one."""
    by_lower = {c.lower().replace(" ", "_"): c for c in file_columns}
    initial = {k: v for k, v in values.items() if k != "columns"}
    for name in IMPORT_FIELDS:
        saved = values["columns"].get(name)
        initial[f"column_{name}"] = saved if saved in file_columns else by_lower.get(name, "")
    return initial


class ApplyForm(PortalForm):
    confirm = forms.BooleanField(
        label=_("I have checked these changes and want to apply them."), required=False
    )


class SecretTextarea(forms.Textarea):
    """A text area that never shows its value back (a private key, once typed)."""

    def format_value(self, value) -> None:
        return None


class SourceForm(PortalForm):
    """Both kinds of source: the service checks the fields the chosen kind needs."""

    kind = forms.ChoiceField(
        label=_("Fetch from"), choices=SourceKind.choices, widget=forms.RadioSelect, required=False
    )
    url = forms.URLField(
        label=_("Address of the export"),
        max_length=500,
        assume_scheme="https",
        required=False,
        help_text=_("An https:// address Lectern fetches the CSV from."),
    )
    auth = forms.ChoiceField(label=_("Sign-in"), choices=SourceAuth.choices)
    username = forms.CharField(label=_("User name"), max_length=200, required=False)
    secret = forms.CharField(
        label=_("Password or token"),
        required=False,
        strip=False,
        widget=forms.PasswordInput,
        help_text=_("Stored encrypted. Leave blank to keep the saved one."),
    )
    sftp_host = forms.CharField(label=_("SFTP server"), max_length=253, required=False)
    sftp_port = forms.IntegerField(
        label=_("Port"), min_value=1, max_value=65535, required=False, initial=22
    )
    sftp_path = forms.CharField(
        label=_("Path of the file"),
        max_length=500,
        required=False,
        help_text=_("For example /exports/people.csv"),
    )
    sftp_host_key_fingerprint = forms.CharField(
        label=_("Host key fingerprint"),
        max_length=60,
        required=False,
        help_text=_(
            "Required. The server's SHA-256 host key fingerprint (ssh-keygen -lf), such as "
            "SHA256:…; Lectern refuses a server whose key does not match."
        ),
    )
    private_key = forms.CharField(
        label=_("Private key (instead of a password)"),
        required=False,
        strip=False,
        widget=SecretTextarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Unencrypted OpenSSH or PEM key. Stored encrypted and never shown again."),
    )
    every_hours = forms.IntegerField(label=_("Fetch every (hours)"), min_value=1, max_value=168)
    apply_automatically = forms.BooleanField(
        label=_("Apply by itself when the dry run passes no threshold and has no errors"),
        required=False,
    )
    enabled = forms.BooleanField(label=_("Fetch on schedule"), required=False)
