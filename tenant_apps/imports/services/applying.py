"""Applying a planned import through the people services, in batches, skipping rows that
fail without stopping the rest and recording each person's change; confirming a run past
the threshold; and rolling an applied run back. Long runs happen in Celery
(tenant_apps.imports.tasks), with their progress stored on the run."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, FieldError
from core.transactions import after_commit
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record
from tenant_apps.events.models import EventType
from tenant_apps.events.services import record_event
from tenant_apps.imports.errors import ImportErrorCode
from tenant_apps.imports.models import ChangeKind, ImportChange, ImportRun, RunStatus
from tenant_apps.imports.services.planning import (
    UNCHANGED,
    PlannedRow,
    plan_compute,
    run_file_parse,
)
from tenant_apps.people.models import GroupKind, LearnerGroup, User
from tenant_apps.people.services.bulk import NewPerson, users_create_many
from tenant_apps.people.services.groups import group_members_set, group_save
from tenant_apps.people.services.people import (
    user_create,
    user_deactivate,
    user_payload,
    user_reactivate,
    user_update,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 250
SOURCE = "import"
# Where ImportChange.before keeps the person's attribute_sources of before the import.
SOURCES_KEY = "attribute_sources"
DIRECT_FIELDS = ("email", "external_id", "employee_number")


class _Memberships:
    """Group and department memberships a batch adds and removes, written once per group
    at the batch's end; groups named in the file and not yet in the tenant are made then.
    A row's moves are staged until the row succeeds (`keep`) or fails (`drop`)."""

    def __init__(self, actor: User | None) -> None:
        self.actor = actor
        self.groups = {g.name.lower(): g for g in LearnerGroup.objects.all()}
        # {name lower: [name, kind, add, remove]}
        self.pending: dict[str, list] = {}
        self.staged: list[tuple[str, str, int, bool]] = []

    def move(self, person_id: int, before: list[str], after: list[str], kind: str) -> None:
        for name in set(before) - set(after):
            self.staged.append((name, kind, person_id, False))
        for name in set(after) - set(before):
            self.staged.append((name, kind, person_id, True))

    def keep(self) -> None:
        for name, kind, person_id, adding in self.staged:
            entry = self.pending.setdefault(name.lower(), [name, kind, set(), set()])
            entry[2 if adding else 3].add(person_id)
        self.staged.clear()

    def drop(self) -> None:
        self.staged.clear()

    def write(self) -> None:
        for lowered, (name, kind, add, remove) in self.pending.items():
            group = self.groups.get(lowered)
            if group is None:
                if not add:
                    continue
                group = group_save(name=name, kind=kind, actor=self.actor)
                self.groups[lowered] = group
            group_members_set(
                group=group, add=sorted(add), remove=sorted(remove - add), actor=self.actor
            )
        self.pending.clear()


def _fields_write(
    user: User,
    changes: dict[str, list],
    actor: User | None,
    memberships: _Memberships,
    *,
    sourced: set[str] | None = None,
    announce: bool = True,
) -> None:
    """Set the changed attributes ({field: [before, after]}) through the people services,
    marking each (or those `sourced`) as set by an import."""
    profile = {k: changes[k][1] for k in ("full_name", "role") if k in changes}
    if profile:
        user = user_update(user=user, actor=actor, **profile)
    direct = {k: changes[k][1] or "" for k in DIRECT_FIELDS if k in changes}
    sources = {**(user.attribute_sources or {}), **{k: SOURCE for k in sourced or changes}}
    try:
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(**direct, attribute_sources=sources)
    except IntegrityError as exc:
        raise ApplicationError(
            ImportErrorCode.RUN_STATE,
            _("Another person already has this e-mail or external id."),
            status=409,
        ) from exc
    if direct and not profile and announce:
        user.refresh_from_db()
        record_event(
            event_type=EventType.USER_UPDATED,
            subject_type="user",
            subject_id=user.pk,
            payload=user_payload(user),
            actor_id=getattr(actor, "pk", None),
        )
    if "groups" in changes:
        before, after = changes["groups"]
        memberships.move(user.pk, before or [], after or [], GroupKind.GROUP)
    if "department" in changes:
        before, after = changes["department"]
        memberships.move(
            user.pk, [before] if before else [], [after] if after else [], GroupKind.DEPARTMENT
        )


def _row_apply(
    row: PlannedRow, people: dict[int, User], actor: User | None, memberships: _Memberships
) -> ImportChange:
    if row.kind == ChangeKind.CREATE:
        user = user_create(
            email=row.values["email"],
            full_name=row.values.get("full_name", ""),
            role=row.values.get("role") or "learner",
            actor=actor,
        )
        rest = {k: v for k, v in row.changes.items() if k not in {"email", "full_name", "role"}}
        rest = {k: v for k, v in rest.items() if v[1]}
        _fields_write(user, rest, actor, memberships, sourced=set(row.changes), announce=False)
        return ImportChange(person=user, kind=row.kind, line=row.line, after=row.values)
    user = people[row.person_id]
    sources_before = dict(user.attribute_sources or {})
    _fields_write(user, row.changes, actor, memberships)
    if row.kind == ChangeKind.DEACTIVATE:
        user_deactivate(user=user, actor=actor)
    elif row.kind == ChangeKind.REACTIVATE:
        user_reactivate(user=user, actor=actor)
    return ImportChange(
        person_id=user.pk,
        kind=row.kind,
        line=row.line,
        before={
            **{k: v[0] for k, v in row.changes.items()},
            SOURCES_KEY: sources_before,
        },
        after={k: v[1] for k, v in row.changes.items()},
    )


def _queue_after_commit(task, run_id: int, actor_id: int | None) -> None:
    # IMPORTS_TASK_QUEUE: a queue of its own (tests route to their worker's queue).
    queue = settings.IMPORTS_TASK_QUEUE
    after_commit(lambda: task.apply_async((run_id, actor_id), queue=queue))


def _progress(run_id: int, done: int) -> None:
    ImportRun.objects.filter(pk=run_id).update(progress_done=F("progress_done") + done)


def _creates_at_once(
    rows: list[PlannedRow], actor: User | None, memberships: _Memberships
) -> list[ImportChange] | None:
    """The batch's new people in a few statements; None when any of them is refused (the
    caller then creates them one by one, to report which)."""
    if not rows:
        return []
    try:
        with transaction.atomic():
            users = users_create_many(
                people=[
                    NewPerson(
                        email=row.values["email"],
                        full_name=row.values.get("full_name", ""),
                        role=row.values.get("role") or "learner",
                        external_id=row.values.get("external_id", ""),
                        employee_number=row.values.get("employee_number", ""),
                        attribute_sources={name: SOURCE for name in row.changes},
                    )
                    for row in rows
                ],
                actor=actor,
            )
    except ApplicationError:
        return None
    changes = []
    for row, user in zip(rows, users, strict=True):
        if row.values.get("groups"):
            memberships.move(user.pk, [], row.values["groups"], GroupKind.GROUP)
        if row.values.get("department"):
            memberships.move(user.pk, [], [row.values["department"]], GroupKind.DEPARTMENT)
        memberships.keep()
        changes.append(ImportChange(person=user, kind=row.kind, line=row.line, after=row.values))
    return changes


def _reason(exc: ApplicationError) -> str:
    details = "; ".join(detail.message for detail in exc.details)
    return f"{exc.message} {details}".strip()


def _confirmation_needed(run: ImportRun) -> ApplicationError:
    return ApplicationError(
        ImportErrorCode.CONFIRMATION_NEEDED,
        _("This import passes the safety threshold: confirm it to apply it."),
        [FieldError("confirm", _("Tick to confirm these changes."))],
        status=409,
    )


@transaction.atomic
def run_apply_queue(*, run: ImportRun, actor: User | None, confirm: bool = False) -> ImportRun:
    """Queue a planned run; one past the threshold needs `confirm` from an admin (a
    scheduled fetch, without an actor, never confirms)."""
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RunStatus.PLANNED:
        raise ApplicationError(
            ImportErrorCode.RUN_STATE, _("This import is not waiting to be applied."), status=409
        )
    if run.needs_confirmation:
        if not confirm or actor is None:
            raise _confirmation_needed(run)
        run.confirmed_by = actor
    run.status = RunStatus.QUEUED
    run.progress_done = 0
    run.save()
    from tenant_apps.imports.tasks import import_run_apply

    _queue_after_commit(import_run_apply, run.pk, getattr(actor, "pk", None))
    return run


def _batches_apply(
    run: ImportRun,
    rows: list[PlannedRow],
    actor: User | None,
    counts: dict[str, int],
    errors: list[dict],
) -> None:
    """Apply `rows` a batch per transaction; a row refused is an error row, not a stop."""
    memberships = _Memberships(actor)
    for start in range(0, len(rows), BATCH_SIZE):
        batch = rows[start : start + BATCH_SIZE]
        with transaction.atomic():
            people = User.objects.in_bulk([r.person_id for r in batch if r.person_id])
            creates = [row for row in batch if row.kind == ChangeKind.CREATE]
            changes = _creates_at_once(creates, actor, memberships)
            if changes is None:
                changes, one_by_one = [], batch
            else:
                counts[ChangeKind.CREATE] += len(changes)
                one_by_one = [row for row in batch if row.kind != ChangeKind.CREATE]
            for row in one_by_one:
                try:
                    with transaction.atomic():
                        changes.append(_row_apply(row, people, actor, memberships))
                    memberships.keep()
                    counts[row.kind] += 1
                except ApplicationError as exc:
                    memberships.drop()
                    errors.append({"line": row.line, "key": row.key, "reason": _reason(exc)})
            memberships.write()
            for change in changes:
                change.run_id = run.pk
            ImportChange.objects.bulk_create(changes)
            ImportRun.objects.filter(pk=run.pk).update(
                progress_done=F("progress_done") + len(batch)
            )


def run_apply(*, run_id: int, actor_id: int | None) -> ImportRun:
    """Apply a queued run now (the Celery task's body): the plan is computed again against
    the people as they are, and refused if it now passes an unconfirmed threshold."""
    claimed = ImportRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.APPLYING
    )
    run = ImportRun.objects.get(pk=run_id)
    if not claimed:
        return run
    actor = User.objects.filter(pk=actor_id).first()
    counts = {kind: 0 for kind in [*ChangeKind.values]}
    errors: list[dict] = []
    try:
        plan = plan_compute(run_file_parse(run), run.mapping, actor_id=actor_id)
        if plan.threshold_reasons and run.confirmed_by_id is None:
            run.status, run.failure = RunStatus.FAILED, " ".join(plan.threshold_reasons)
            run.save(update_fields=["status", "failure"])
            return run
        rows = [row for row in plan.rows if row.kind != UNCHANGED]
        errors.extend(plan.errors)
        ImportRun.objects.filter(pk=run.pk).update(progress_total=len(rows), progress_done=0)
        _batches_apply(run, rows, actor, counts, errors)
    except Exception as exc:
        logger.exception("import %s stopped", run.pk)
        run.refresh_from_db()
        run.counts, run.errors = {**counts, "errors": len(errors)}, errors
        run.status = RunStatus.FAILED
        run.failure = _(
            "The import stopped after %(done)d rows (%(why)s); what it did can be rolled back."
        ) % {"done": run.progress_done, "why": type(exc).__name__}
        run.save(update_fields=["counts", "errors", "status", "failure"])
        return run
    run.refresh_from_db()
    counts[UNCHANGED] = sum(1 for row in plan.rows if row.kind == UNCHANGED)
    counts["errors"] = len(errors)
    run.counts, run.errors = counts, errors
    run.status, run.applied_at = RunStatus.APPLIED, timezone.now()
    run.save(update_fields=["counts", "errors", "status", "applied_at"])
    audit_record(
        action=AuditAction.IMPORT_APPLIED, actor=actor, target=run, after={"counts": counts}
    )
    return run


@transaction.atomic
def run_rollback_queue(*, run: ImportRun, actor: User) -> ImportRun:
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.status not in {RunStatus.APPLIED, RunStatus.FAILED} or not run.changes.exists():
        raise ApplicationError(
            ImportErrorCode.RUN_STATE, _("Only an applied import can be rolled back."), status=409
        )
    run.status = RunStatus.ROLLING_BACK
    run.progress_done, run.progress_total = 0, run.changes.filter(rolled_back=False).count()
    run.save()
    from tenant_apps.imports.tasks import import_run_rollback

    _queue_after_commit(import_run_rollback, run.pk, actor.pk)
    return run


def _change_undo(change: ImportChange, actor: User | None, memberships: _Memberships) -> None:
    user = change.person
    if user is None:
        return
    if change.kind == ChangeKind.CREATE:
        user_deactivate(user=user, actor=actor)
        return
    managed = set(user.managed_fields)
    restore = {
        name: [change.after[name], before]
        for name, before in change.before.items()
        if name not in managed and name != SOURCES_KEY
    }
    _fields_write(user, restore, actor, memberships)
    if SOURCES_KEY in change.before:  # who set each attribute, as before the import
        User.objects.filter(pk=user.pk).update(attribute_sources=change.before[SOURCES_KEY])
    if change.kind == ChangeKind.DEACTIVATE:
        user_reactivate(user=user, actor=actor)
    elif change.kind == ChangeKind.REACTIVATE:
        user_deactivate(user=user, actor=actor)


def run_rollback(*, run_id: int, actor_id: int | None) -> ImportRun:
    """Undo what an applied run did, newest change first: people it created deactivated,
    fields it changed restored, people it deactivated reactivated (and the reverse)."""
    run = ImportRun.objects.get(pk=run_id)
    if run.status != RunStatus.ROLLING_BACK:
        return run
    actor = User.objects.filter(pk=actor_id).first()
    memberships = _Memberships(actor)
    pending = list(run.changes.filter(rolled_back=False).select_related("person").order_by("-pk"))
    errors = []
    for start in range(0, len(pending), BATCH_SIZE):
        batch = pending[start : start + BATCH_SIZE]
        with transaction.atomic():
            undone = []
            for change in batch:
                try:
                    with transaction.atomic():
                        _change_undo(change, actor, memberships)
                    memberships.keep()
                    undone.append(change.pk)
                except ApplicationError as exc:
                    memberships.drop()
                    errors.append({"line": change.line, "reason": _("Rollback: ") + _reason(exc)})
            memberships.write()
            ImportChange.objects.filter(pk__in=undone).update(rolled_back=True)
            ImportRun.objects.filter(pk=run.pk).update(
                progress_done=F("progress_done") + len(batch)
            )
    run.refresh_from_db()
    run.errors = [*run.errors, *errors]
    run.status, run.rolled_back_at = RunStatus.ROLLED_BACK, timezone.now()
    run.save(update_fields=["errors", "status", "rolled_back_at"])
    audit_record(
        action=AuditAction.IMPORT_ROLLED_BACK,
        actor=actor,
        target=run,
        after={"undone": len(pending) - len(errors), "failed": len(errors)},
    )
    return run
