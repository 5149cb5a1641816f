"""The tenant's column mapping for people imports."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import FieldError, ValidationFailed
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record
from tenant_apps.imports.errors import ImportErrorCode
from tenant_apps.imports.models import IMPORT_FIELDS, ImportMapping, KeyColumn
from tenant_apps.people.models import User


def mapping_get() -> ImportMapping:
    """The tenant's mapping (made with defaults the first time)."""
    mapping = ImportMapping.objects.order_by("pk").first()
    return mapping or ImportMapping.objects.create()


def mapping_as_dict(mapping: ImportMapping) -> dict:
    return {
        "columns": dict(mapping.columns),
        "key": mapping.key,
        "groups_separator": mapping.groups_separator,
        "full_sync": mapping.full_sync,
        "deactivate_threshold_percent": mapping.deactivate_threshold_percent,
        "change_threshold_percent": mapping.change_threshold_percent,
    }


def mapping_check(values: dict, file_columns: list[str] | None = None) -> None:
    """Refuse a mapping that cannot work, naming the field."""
    errors: list[FieldError] = []
    columns = {k: v for k, v in (values.get("columns") or {}).items() if v}
    for name in columns:
        if name not in IMPORT_FIELDS:
            errors.append(FieldError(f"column_{name}", _("Unknown field.")))
    if file_columns is not None:
        for name, column in columns.items():
            if column not in file_columns:
                errors.append(FieldError(f"column_{name}", _("The file has no such column.")))
    key = values.get("key")
    if key not in KeyColumn.values:
        errors.append(FieldError("key", _("Choose e-mail or external id.")))
    elif key not in columns:
        errors.append(FieldError(f"column_{key}", _("Map a column onto the key field.")))
    if "full_name" in columns and ({"first_name", "last_name"} & set(columns)):
        errors.append(
            FieldError("column_full_name", _("Map a full name or a first and last name, not both."))
        )
    separator = values.get("groups_separator") or ""
    if not 1 <= len(separator) <= 4 or (separator.isspace() and separator != "\t"):
        errors.append(FieldError("groups_separator", _("Give one to four characters.")))
    for name in ("deactivate_threshold_percent", "change_threshold_percent"):
        value = values.get(name)
        if not isinstance(value, int) or not 0 <= value <= 100:
            errors.append(FieldError(name, _("Give a share between 0 and 100.")))
    if errors:
        raise ValidationFailed(ImportErrorCode.MAPPING_INVALID, _("Check the mapping."), errors)


@transaction.atomic
def mapping_save(*, values: dict, actor: User | None, file_columns: list[str] | None = None):
    """Save the tenant's mapping (`values` as mapping_as_dict gives them)."""
    mapping_check(values, file_columns)
    mapping = ImportMapping.objects.select_for_update().filter(pk=mapping_get().pk).get()
    before = mapping_as_dict(mapping)
    mapping.columns = {k: v for k, v in values["columns"].items() if v}
    mapping.key = values["key"]
    mapping.groups_separator = values["groups_separator"]
    mapping.full_sync = bool(values["full_sync"])
    mapping.deactivate_threshold_percent = values["deactivate_threshold_percent"]
    mapping.change_threshold_percent = values["change_threshold_percent"]
    mapping.save()
    after = mapping_as_dict(mapping)
    if before != after:
        audit_record(
            action=AuditAction.IMPORT_MAPPING_CHANGED,
            actor=actor,
            target=mapping,
            before=before,
            after=after,
            label=_("Import mapping"),
        )
    return mapping
