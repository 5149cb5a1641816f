"""Uploads and dry runs: what a file would change in the tenant's people (create, update,
deactivate, reactivate, unchanged, rows in error), and whether that passes the mapping's
safety threshold. Nothing here changes a person."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ApplicationError, FieldError, NotFound, ValidationFailed
from tenant_apps.imports.errors import ImportErrorCode
from tenant_apps.imports.models import ChangeKind, ImportRun, KeyColumn, RunStatus
from tenant_apps.imports.parsing import MAX_FILE_BYTES, ParsedFile, people_csv_parse
from tenant_apps.imports.services.mapping import mapping_as_dict, mapping_check, mapping_get
from tenant_apps.people.models import GroupKind, LearnerGroup, Role, User

UNCHANGED = "unchanged"
TRUE_WORDS = {"1", "true", "yes", "y", "t", "active", "enabled"}
FALSE_WORDS = {"0", "false", "no", "n", "f", "inactive", "disabled"}
# Fields a blank cell leaves as they are (a blank never erases a name, role or e-mail).
KEPT_WHEN_BLANK = {"email", "full_name", "role", "external_id"}
# The person's attributes an import compares and sets.
SYNCED = ("email", "full_name", "external_id", "employee_number", "department", "groups", "role")


@dataclass
class PlannedRow:
    line: int
    kind: str  # a ChangeKind value or UNCHANGED
    key: str
    person_id: int | None = None
    changes: dict[str, list] = field(default_factory=dict)  # {field: [before, after]}
    values: dict = field(default_factory=dict)  # what the file asks for (mapped fields)
    skipped_managed: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "line": self.line,
            "kind": self.kind,
            "key": self.key,
            "person_id": self.person_id,
            "changes": self.changes,
            "skipped_managed": self.skipped_managed,
        }


@dataclass
class Plan:
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    threshold_reasons: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = {kind: 0 for kind in [*ChangeKind.values, UNCHANGED]}
        for row in self.rows:
            counts[row.kind] += 1
        counts["errors"] = len(self.errors)
        return counts


def run_get(run_id: int) -> ImportRun:
    """The run of this tenant with that id (another tenant's id is simply not here)."""
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None:
        raise NotFound(ImportErrorCode.RUN_NOT_FOUND, _("No such import."))
    return run


def run_upload(*, upload: UploadedFile, actor: User | None) -> ImportRun:
    """Store an uploaded CSV under the tenant's media, once it reads as a CSV."""
    if upload.size is not None and upload.size > MAX_FILE_BYTES:
        message = _("The file is larger than %(size)d MB.") % {"size": MAX_FILE_BYTES // 2**20}
        raise ValidationFailed(ImportErrorCode.FILE_INVALID, message, [FieldError("file", message)])
    data = upload.read(MAX_FILE_BYTES + 1)
    parsed = people_csv_parse(data)
    run = ImportRun(
        original_name=(upload.name or "people.csv")[-255:],
        created_by=actor,
        columns=parsed.columns,
        mapping=mapping_as_dict(mapping_get()),
    )
    run.file.save("people.csv", ContentFile(data), save=False)
    run.save()
    return run


def run_file_parse(run: ImportRun) -> ParsedFile:
    with run.file.open("rb") as handle:
        return people_csv_parse(handle.read())


def _truth(text: str) -> bool | None:
    word = text.strip().lower()
    if not word:
        return True
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def _role(text: str) -> str | None:
    word = text.strip().lower().replace(" ", "_").replace("-", "_")
    for role in Role:
        if word in {role.value, str(role.label).lower().replace(" ", "_")}:
            return role.value
    return None


def row_values(cells: dict[str, str], mapping: dict) -> tuple[dict, str | None]:
    """(what a row asks for, the reason it is refused or None)."""
    columns = mapping["columns"]
    wanted: dict = {}
    for name, column in columns.items():
        if name in {"first_name", "last_name", "active"}:
            continue
        value = cells.get(column, "").strip()
        if name == "email":
            value = value.lower()
            if value:
                try:
                    validate_email(value)
                except ValidationError:
                    return {}, _("'%(value)s' is not an e-mail address.") % {"value": value}
        elif name == "role" and value:
            role = _role(value)
            if role is None:
                return {}, _("'%(value)s' is not a role.") % {"value": value}
            value = role
        elif name == "groups":
            separator = mapping["groups_separator"]
            value = sorted({part.strip() for part in value.split(separator) if part.strip()})
        if name in KEPT_WHEN_BLANK and not value:
            continue
        wanted[name] = value
    if "first_name" in columns or "last_name" in columns:
        parts = [cells.get(columns.get(n, ""), "").strip() for n in ("first_name", "last_name")]
        name = " ".join(p for p in parts if p)
        if name:
            wanted["full_name"] = name
    if "active" in columns:
        active = _truth(cells.get(columns["active"], ""))
        if active is None:
            return {}, _("'%(value)s' is not yes or no.") % {
                "value": cells.get(columns["active"], "")
            }
        wanted["active"] = active
    else:
        wanted["active"] = True
    for name, limit in (("full_name", 200), ("employee_number", 64), ("external_id", 255)):
        if len(wanted.get(name, "")) > limit:
            return {}, _("The %(field)s is longer than %(limit)d characters.") % {
                "field": name,
                "limit": limit,
            }
    if any(len(group) > 120 for group in [*wanted.get("groups", []), wanted.get("department", "")]):
        return {}, _("A group or department name is longer than 120 characters.")
    return wanted, None


def people_snapshot(mapping: dict) -> dict[int, dict]:
    """Every person's synced attributes, by id (groups and departments by name)."""
    people = {
        row["pk"]: {**row, "groups": [], "department": ""}
        for row in User.objects.values(
            "pk",
            "email",
            "full_name",
            "external_id",
            "employee_number",
            "role",
            "is_active",
            "managed_fields",
            "removed_at",
        )
    }
    if {"groups", "department"} & set(mapping["columns"]):
        through = LearnerGroup.members.through.objects.values_list(
            "user_id", "learnergroup__name", "learnergroup__kind"
        ).order_by("learnergroup__name")
        for user_id, name, kind in through:
            person = people.get(user_id)
            if person is None:
                continue
            if kind == GroupKind.DEPARTMENT:
                person["department"] = person["department"] or name
            else:
                person["groups"].append(name)
    return people


def plan_compute(parsed: ParsedFile, mapping: dict, *, actor_id: int | None) -> Plan:
    """What applying `parsed` with `mapping` would do now."""
    plan = Plan(errors=[{"line": line, "reason": reason} for line, reason in parsed.errors])
    key_field = mapping["key"]
    people = people_snapshot(mapping)
    by_key = {
        (p[key_field].lower() if key_field == KeyColumn.EMAIL else p[key_field]): p
        for p in people.values()
        if p[key_field]
    }
    by_email = {p["email"].lower(): p for p in people.values()}
    seen: dict[str, int] = {}
    emails_claimed: dict[str, int] = {}
    for line, cells in parsed.rows:
        wanted, refusal = row_values(cells, mapping)
        key = wanted.get(key_field, "")
        if refusal is None and not key:
            refusal = _("The key column (%(key)s) is empty.") % {"key": key_field}
        if refusal is None and key in seen:
            refusal = _("The same %(key)s is on line %(line)d.") % {
                "key": key_field,
                "line": seen[key],
            }
        email = wanted.get("email", "")
        if refusal is None and email and email in emails_claimed:
            refusal = _("The same e-mail is on line %(line)d.") % {"line": emails_claimed[email]}
        if refusal is not None:
            plan.errors.append({"line": line, "reason": refusal})
            continue
        seen[key] = line
        if email:
            emails_claimed[email] = line
        person = by_key.get(key)
        if email and (holder := by_email.get(email)) and holder is not person:
            plan.errors.append(
                {
                    "line": line,
                    "reason": _("Another person already uses %(email)s.") % {"email": email},
                }
            )
            continue
        if person is None:
            if not wanted["active"]:
                plan.rows.append(PlannedRow(line, UNCHANGED, key))
                continue
            if not email:
                plan.errors.append({"line": line, "reason": _("A new person needs an e-mail.")})
                continue
            changes = {n: [None, v] for n, v in wanted.items() if n in SYNCED and v}
            plan.rows.append(PlannedRow(line, ChangeKind.CREATE, key, None, changes, wanted))
            continue
        if person["removed_at"] is not None:
            plan.errors.append(
                {"line": line, "reason": _("This person was deleted; they cannot come back.")}
            )
            continue
        changes, skipped = {}, []
        for name in SYNCED:
            if name not in wanted or wanted[name] == person[name]:
                continue
            if name in person["managed_fields"]:
                skipped.append(name)
                continue
            changes[name] = [person[name], wanted[name]]
        if person["is_active"] and not wanted["active"]:
            kind = ChangeKind.DEACTIVATE
        elif not person["is_active"] and wanted["active"]:
            kind = ChangeKind.REACTIVATE
        else:
            kind = ChangeKind.UPDATE if changes else UNCHANGED
        if kind == ChangeKind.DEACTIVATE and person["pk"] == actor_id:
            plan.errors.append({"line": line, "reason": _("You cannot deactivate yourself.")})
            continue
        plan.rows.append(PlannedRow(line, kind, key, person["pk"], changes, wanted, skipped))
    if mapping["full_sync"]:
        for person_key, person in by_key.items():
            if person_key in seen or not person["is_active"] or person["pk"] == actor_id:
                continue
            plan.rows.append(PlannedRow(0, ChangeKind.DEACTIVATE, person_key, person["pk"]))
    plan.threshold_reasons = threshold_reasons(plan, mapping, people)
    return plan


def threshold_reasons(plan: Plan, mapping: dict, people: dict[int, dict]) -> list[str]:
    """Why the plan needs an admin's confirmation (empty when it does not): shares of the
    tenant's people (a tenant with nobody yet needs none)."""
    population = len(people)
    if not population:
        return []
    active = sum(1 for person in people.values() if person["is_active"]) or 1
    counts = plan.counts
    reasons = []
    share = counts[ChangeKind.DEACTIVATE] * 100 / active
    if share > mapping["deactivate_threshold_percent"]:
        reasons.append(
            _("It deactivates %(share).1f %% of active people (the limit is %(limit)d %%).")
            % {"share": share, "limit": mapping["deactivate_threshold_percent"]}
        )
    changed = sum(
        counts[k] for k in (ChangeKind.UPDATE, ChangeKind.DEACTIVATE, ChangeKind.REACTIVATE)
    )
    share = changed * 100 / population
    if share > mapping["change_threshold_percent"]:
        reasons.append(
            _("It changes %(share).1f %% of people (the limit is %(limit)d %%).")
            % {"share": share, "limit": mapping["change_threshold_percent"]}
        )
    return reasons


@transaction.atomic
def run_plan(*, run: ImportRun, actor: User | None, mapping: dict | None = None) -> ImportRun:
    """The dry run: compute and store what the run would do, with the tenant's current
    mapping (or `mapping`). Changes no person."""
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.status not in {RunStatus.UPLOADED, RunStatus.PLANNED}:
        raise ApplicationError(
            ImportErrorCode.RUN_STATE, _("This import has been applied already."), status=409
        )
    mapping = mapping or mapping_as_dict(mapping_get())
    mapping_check(mapping, run.columns)
    plan = plan_compute(run_file_parse(run), mapping, actor_id=getattr(actor, "pk", None))
    run.mapping = mapping
    run.diff = [row.as_json() for row in plan.rows if row.kind != UNCHANGED]
    run.errors = plan.errors
    run.counts = plan.counts
    run.threshold_reasons = plan.threshold_reasons
    run.needs_confirmation = bool(plan.threshold_reasons)
    run.confirmed_by = None
    run.status = RunStatus.PLANNED
    run.save()
    return run
