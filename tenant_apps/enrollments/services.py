"""Writes on enrollments. Each runs in the schema the connection points at.

Lifecycle: pending → active → completed, and pending/active → cancelled.

* Self-enrollment in a free course is active at once; in a paid course it stays pending
  until billing calls `enrollment_activate` (an admin may call it too, granting the course).
* An assignment (by an admin, or an instructor for their course; one person or a whole
  group) is a grant: it is active at once whatever the price, and it turns a pending
  self-enrollment of the same person into an active assigned one.
* Enrolling again after a cancellation creates a new enrollment; the cancelled one stays as
  history, with its progress. A person holds at most one pending, active or completed
  enrollment per course, which a partial unique index enforces; the loser of a race gets
  `already_enrolled` (409), as does anyone enrolling twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from celery import Task
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, FieldError, ValidationFailed
from core.languages import in_language_of
from core.transactions import after_commit, violated_constraint
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record
from tenant_apps.courses.models import Course, CourseStatus
from tenant_apps.enrollments.errors import EnrollmentErrorCode
from tenant_apps.enrollments.hooks import enrollment_completed_handlers_run
from tenant_apps.enrollments.models import (
    LIVE_STATUSES,
    Enrollment,
    EnrollmentSource,
    EnrollmentStatus,
)
from tenant_apps.enrollments.tasks import enrollment_assignment_send, enrollment_confirmation_send
from tenant_apps.enrollments.wording import due_date_text
from tenant_apps.events.models import EventType
from tenant_apps.events.services import record_event
from tenant_apps.notifications.models import NotificationKind
from tenant_apps.notifications.services import NotificationDraft, notifications_send
from tenant_apps.people.models import LearnerGroup, User, zone_named

UNIQUE_LIVE_ENROLLMENT = "enrollment_one_live_per_user_course"


def enrollment_payload(enrollment: Enrollment) -> dict[str, Any]:
    """What events say about an enrollment."""
    return {
        "id": enrollment.pk,
        "user_id": enrollment.user_id,
        "course_id": enrollment.course_id,
        "status": enrollment.status,
        "source": enrollment.source,
        "group_id": enrollment.group_id,
        "assigned_by_id": enrollment.assigned_by_id,
        "due_at": enrollment.due_at,
        "created_at": enrollment.created_at,
        "activated_at": enrollment.activated_at,
        "completed_at": enrollment.completed_at,
        "cancelled_at": enrollment.cancelled_at,
    }


def _announce(event_type: EventType, enrollment: Enrollment, actor: User | None) -> None:
    record_event(
        event_type=event_type,
        subject_type="enrollment",
        subject_id=enrollment.pk,
        payload=enrollment_payload(enrollment),
        actor_id=getattr(actor, "pk", None),
    )


def _audit(action: AuditAction, enrollment: Enrollment, actor: User | None, **after: Any) -> None:
    """Record an action of someone managing an enrollment (not a learner's own)."""
    person, course = enrollment.user, enrollment.course
    audit_record(
        action=action,
        actor=actor,
        target=enrollment,
        label=f"{person.email} in {course.title}",
        after={
            "user_id": person.pk,
            "course_id": course.pk,
            "status": enrollment.status,
            **after,
        },
    )


def _already_enrolled(field_name: str | None = None) -> Conflict:
    details = [FieldError(field_name, _("This person is already enrolled."))] if field_name else []
    return Conflict(
        EnrollmentErrorCode.ALREADY_ENROLLED, _("Already enrolled in this course."), details
    )


def _invalid_transition(enrollment: Enrollment, action: str) -> Conflict:
    return Conflict(
        EnrollmentErrorCode.INVALID_TRANSITION,
        _("A %(status)s enrollment cannot be %(action)s.")
        % {"status": enrollment.status, "action": action},
    )


def _ensure_published(course: Course) -> None:
    if course.status != CourseStatus.PUBLISHED:
        raise Conflict(
            EnrollmentErrorCode.COURSE_NOT_PUBLISHED,
            _("Only published courses can be enrolled in."),
            [FieldError("course_id", _("This course is not published."))],
        )


def _ensure_due_in_future(due_at: datetime | None) -> None:
    if due_at is not None and due_at <= timezone.now():
        raise ValidationFailed(
            EnrollmentErrorCode.DUE_DATE_PAST,
            _("The due date has passed."),
            [FieldError("due_at", _("Choose a due date in the future."))],
        )


def _is_live_duplicate(exc: IntegrityError) -> bool:
    return violated_constraint(exc) == UNIQUE_LIVE_ENROLLMENT


def _insert(enrollment: Enrollment, field_name: str | None = None) -> Enrollment:
    """Save a new enrollment; losing the race for the unique index is `already_enrolled`."""
    try:
        with transaction.atomic():
            enrollment.save(force_insert=True)
    except IntegrityError as exc:
        if _is_live_duplicate(exc):
            raise _already_enrolled(field_name) from exc
        raise
    return enrollment


def _notification_draft(
    assigned: bool,
    user_id: int,
    locale: str,
    time_zone: str,
    course_id: int,
    title: str,
    due_at: datetime | None,
) -> NotificationDraft:
    """The inbox entry about one enrollment, in its person's language and time zone."""
    with in_language_of(locale):
        heading = _("Assigned: %(title)s") if assigned else _("Enrolled: %(title)s")
        due = due_date_text(due_at, zone_named(time_zone)) if due_at else ""
        return NotificationDraft(
            recipient_id=user_id,
            kind=NotificationKind.ASSIGNED if assigned else NotificationKind.ENROLLED,
            title=heading % {"title": title},
            body=_("Due %(date)s.") % {"date": due} if due_at else "",
            link=f"/courses/{course_id}/",
        )


def _tell(task: Task, enrollment_ids: Iterable[int]) -> None:
    """Tell each person about their enrollment: an in-app notification now (in this
    transaction) and an e-mail, by id, once the transaction commits."""
    ids = list(enrollment_ids)
    assigned = task is enrollment_assignment_send
    drafts = [
        _notification_draft(assigned, *row)
        for row in Enrollment.objects.filter(pk__in=ids)
        .order_by("pk")
        .values_list(
            "user_id", "user__locale", "user__time_zone", "course_id", "course__title", "due_at"
        )
    ]
    notifications_send(drafts=drafts)
    for enrollment_id in ids:
        after_commit(lambda enrollment_id=enrollment_id: task.delay(enrollment_id))


def enrollment_self_enroll(*, user: User, course: Course) -> Enrollment:
    """Enroll `user` in a published course on their own.

    A free course is active at once (`enrollment.created` and `course.enrolled`, and a
    confirmation e-mail after commit); a paid one stays pending (`enrollment.created`) until
    billing activates it. Raises `already_enrolled` (409) when the person already holds a
    pending, active or completed enrollment in the course."""
    _ensure_published(course)
    with transaction.atomic():
        if Enrollment.objects.filter(user=user, course=course, status__in=LIVE_STATUSES).exists():
            raise _already_enrolled()
        now = timezone.now()
        free = course.is_free
        enrollment = _insert(
            Enrollment(
                user=user,
                course=course,
                status=EnrollmentStatus.ACTIVE if free else EnrollmentStatus.PENDING,
                source=EnrollmentSource.SELF,
                created_at=now,
                activated_at=now if free else None,
                updated_at=now,
            )
        )
        _announce(EventType.ENROLLMENT_CREATED, enrollment, user)
        if free:
            _announce(EventType.COURSE_ENROLLED, enrollment, user)
            _tell(enrollment_confirmation_send, [enrollment.pk])
    return enrollment


def _grant_pending(
    pending: Enrollment,
    *,
    actor: User,
    source: EnrollmentSource,
    group: LearnerGroup | None,
    due_at: datetime | None,
    now: datetime,
) -> Enrollment:
    """Turn a locked pending self-enrollment into an active assigned one."""
    pending.status = EnrollmentStatus.ACTIVE
    pending.source = source
    pending.assigned_by = actor
    pending.group = group
    pending.due_at = due_at
    pending.activated_at = now
    pending.updated_at = now
    pending.save(
        update_fields=[
            "status",
            "source",
            "assigned_by",
            "group",
            "due_at",
            "activated_at",
            "updated_at",
        ]
    )
    _announce(EventType.ENROLLMENT_ACTIVATED, pending, actor)
    _announce(EventType.COURSE_ENROLLED, pending, actor)
    return pending


def enrollment_assign(
    *, user: User, course: Course, actor: User, due_at: datetime | None = None
) -> Enrollment:
    """Assign a published course to one person, optionally with a due date.

    The assignment grants the course: it is active at once, even when the course has a
    price, and a pending self-enrollment of that person becomes this assignment. The person
    is told by e-mail after commit. Raises `already_enrolled` (409) when they hold an active
    or completed enrollment already."""
    _ensure_published(course)
    _ensure_due_in_future(due_at)
    if not user.is_active:
        raise ValidationFailed(
            EnrollmentErrorCode.PERSON_INACTIVE,
            _("This person is deactivated."),
            [FieldError("user_id", _("Reactivate the person first."))],
        )
    with transaction.atomic():
        now = timezone.now()
        existing = (
            Enrollment.objects.select_for_update()
            .filter(user=user, course=course, status__in=LIVE_STATUSES)
            .first()
        )
        if existing is not None and existing.status != EnrollmentStatus.PENDING:
            raise _already_enrolled("user_id")
        if existing is not None:
            enrollment = _grant_pending(
                existing,
                actor=actor,
                source=EnrollmentSource.ASSIGNED,
                group=None,
                due_at=due_at,
                now=now,
            )
        else:
            enrollment = _insert(
                Enrollment(
                    user=user,
                    course=course,
                    status=EnrollmentStatus.ACTIVE,
                    source=EnrollmentSource.ASSIGNED,
                    assigned_by=actor,
                    due_at=due_at,
                    created_at=now,
                    activated_at=now,
                    updated_at=now,
                ),
                field_name="user_id",
            )
            _announce(EventType.ENROLLMENT_CREATED, enrollment, actor)
            _announce(EventType.COURSE_ENROLLED, enrollment, actor)
        _audit(AuditAction.ENROLLMENT_ASSIGNED, enrollment, actor, due_at=due_at)
        _tell(enrollment_assignment_send, [enrollment.pk])
    return enrollment


@dataclass(frozen=True)
class GroupAssignment:
    """What assigning a course to a group did, member by member."""

    enrolled_ids: list[int] = field(default_factory=list)  # new enrollments
    activated_ids: list[int] = field(default_factory=list)  # pending ones granted
    already_enrolled: int = 0  # active or completed: left as they were
    inactive_skipped: int = 0  # deactivated members: not enrolled


def enrollment_assign_group(
    *, group: LearnerGroup, course: Course, actor: User, due_at: datetime | None = None
) -> GroupAssignment:
    """Assign a published course to every active member of a group, in one transaction.

    Members already enrolled (active or completed) are skipped and counted, deactivated
    members too; pending self-enrollments are granted like a single assignment. Each member
    enrolled is announced (`enrollment.created`, `course.enrolled`) and e-mailed after
    commit. A member who enrols on their own at the same moment is counted as already
    enrolled, not an error."""
    _ensure_published(course)
    _ensure_due_in_future(due_at)
    with transaction.atomic():
        now = timezone.now()
        members = list(group.members.values_list("pk", "is_active"))
        member_ids = sorted(pk for pk, is_active in members if is_active)
        inactive = len(members) - len(member_ids)
        live = list(
            Enrollment.objects.select_for_update()
            .filter(course=course, user_id__in=member_ids, status__in=LIVE_STATUSES)
            .order_by("pk")
        )
        already = sum(1 for e in live if e.status != EnrollmentStatus.PENDING)
        activated = [
            _grant_pending(
                e, actor=actor, source=EnrollmentSource.GROUP, group=group, due_at=due_at, now=now
            ).pk
            for e in live
            if e.status == EnrollmentStatus.PENDING
        ]
        taken = {e.user_id for e in live}
        new = [
            Enrollment(
                user_id=user_id,
                course=course,
                status=EnrollmentStatus.ACTIVE,
                source=EnrollmentSource.GROUP,
                assigned_by=actor,
                group=group,
                due_at=due_at,
                created_at=now,
                activated_at=now,
                updated_at=now,
            )
            for user_id in member_ids
            if user_id not in taken
        ]
        created = _insert_many(new)
        already += len(new) - len(created)
        for enrollment in created:
            _announce(EventType.ENROLLMENT_CREATED, enrollment, actor)
            _announce(EventType.COURSE_ENROLLED, enrollment, actor)
        enrolled = [e.pk for e in created]
        audit_record(
            action=AuditAction.GROUP_COURSE_ASSIGNED,
            actor=actor,
            target=group,
            after={
                "course_id": course.pk,
                "course": course.title,
                "due_at": due_at,
                "enrolled": len(enrolled) + len(activated),
                "already_enrolled": already,
                "inactive_skipped": inactive,
            },
        )
        _tell(enrollment_assignment_send, enrolled + activated)
    return GroupAssignment(
        enrolled_ids=enrolled,
        activated_ids=activated,
        already_enrolled=already,
        inactive_skipped=inactive,
    )


def _insert_many(enrollments: list[Enrollment]) -> list[Enrollment]:
    """Insert in one statement; if someone enrolled concurrently, insert one by one and leave
    out those who won the race."""
    if not enrollments:
        return []
    try:
        with transaction.atomic():
            return Enrollment.objects.bulk_create(enrollments)
    except IntegrityError as exc:
        if not _is_live_duplicate(exc):
            raise
    created = []
    for enrollment in enrollments:
        enrollment.pk = None
        try:
            created.append(_insert(enrollment))
        except Conflict:
            continue
    return created


@transaction.atomic
def enrollment_activate(*, enrollment: Enrollment, actor: User | None) -> Enrollment:
    """Give access to a pending enrollment: billing calls this once the course is paid;
    an admin may call it to grant the course.

    Pending → active, announced as `enrollment.activated` and `course.enrolled`, the
    learner gets a confirmation after
    commit. An active enrollment is returned unchanged, so a retried payment notification is
    harmless; a completed or cancelled one is `invalid_transition` (409)."""
    locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if locked.status == EnrollmentStatus.ACTIVE:
        return locked
    if locked.status != EnrollmentStatus.PENDING:
        raise _invalid_transition(locked, _("activated"))
    now = timezone.now()
    locked.status = EnrollmentStatus.ACTIVE
    locked.activated_at = now
    locked.updated_at = now
    locked.save(update_fields=["status", "activated_at", "updated_at"])
    _announce(EventType.ENROLLMENT_ACTIVATED, locked, actor)
    _announce(EventType.COURSE_ENROLLED, locked, actor)
    _audit(AuditAction.ENROLLMENT_ACTIVATED, locked, actor)
    _tell(enrollment_confirmation_send, [locked.pk])
    return locked


@transaction.atomic
def enrollment_cancel(*, enrollment: Enrollment, actor: User | None) -> Enrollment:
    """Cancel (drop) a pending or active enrollment; its progress stays as history.
    Announced as `enrollment.cancelled`.

    Cancelling a cancelled enrollment returns it unchanged; a completed one is
    `invalid_transition` (409)."""
    locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if locked.status == EnrollmentStatus.CANCELLED:
        return locked
    if locked.status == EnrollmentStatus.COMPLETED:
        raise _invalid_transition(locked, _("cancelled"))
    now = timezone.now()
    locked.status = EnrollmentStatus.CANCELLED
    locked.cancelled_at = now
    locked.cancelled_by = actor
    locked.updated_at = now
    locked.save(update_fields=["status", "cancelled_at", "cancelled_by", "updated_at"])
    _announce(EventType.ENROLLMENT_CANCELLED, locked, actor)
    if actor is None or actor.pk != locked.user_id:  # a learner dropping a course is no admin
        _audit(AuditAction.ENROLLMENT_CANCELLED, locked, actor)
    return locked


@transaction.atomic
def enrollment_due_date_set(
    *, enrollment: Enrollment, due_at: datetime | None, actor: User | None
) -> Enrollment:
    """Change or clear the due date of a pending or active enrollment."""
    _ensure_due_in_future(due_at)
    locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if locked.status not in (EnrollmentStatus.PENDING, EnrollmentStatus.ACTIVE):
        raise _invalid_transition(locked, _("given a due date"))
    locked.due_at = due_at
    locked.updated_at = timezone.now()
    locked.save(update_fields=["due_at", "updated_at"])
    return locked


@transaction.atomic
def enrollment_complete(*, enrollment: Enrollment, actor: User | None) -> Enrollment:
    """Mark an active enrollment completed. The progress app calls this when the last
    required lesson is done.

    `completed_at` is written by a conditional UPDATE (only while active and not yet
    completed), so it is recorded once however many calls race; only the call that made
    the change records `course.completed` and runs the completion handlers
    (`tenant_apps.enrollments.hooks`). Other calls return the enrollment as it is."""
    now = timezone.now()
    changed = Enrollment.objects.filter(
        pk=enrollment.pk, status=EnrollmentStatus.ACTIVE, completed_at__isnull=True
    ).update(status=EnrollmentStatus.COMPLETED, completed_at=now, updated_at=now)
    current = Enrollment.objects.select_related("user", "course").get(pk=enrollment.pk)
    if changed:
        _announce(EventType.COURSE_COMPLETED, current, actor)
        enrollment_completed_handlers_run(enrollment=current)
    return current


@dataclass(frozen=True)
class AssignmentReport:
    """What assigning a course to people and groups did: person by person, group by group."""

    assigned: list[str] = field(default_factory=list)  # e-mails enrolled (or granted)
    already_enrolled: list[str] = field(default_factory=list)
    inactive: list[str] = field(default_factory=list)  # deactivated: not enrolled
    groups: list[tuple[str, GroupAssignment]] = field(default_factory=list)


def enrollments_assign(
    *,
    course: Course,
    emails: list[str],
    group_ids: list[int],
    actor: User,
    due_at: datetime | None = None,
) -> AssignmentReport:
    """Assign a published course to people (by e-mail) and to groups, with one due date, in
    one transaction: an address of nobody here, an unknown group, an unpublished course or a
    past due date refuses the lot. People already enrolled and deactivated people are
    reported, not enrolled (see `enrollment_assign`, `enrollment_assign_group`)."""
    wanted = list(dict.fromkeys(email.strip().lower() for email in emails if email.strip()))
    people = {p.email.lower(): p for p in User.objects.filter(email__lower__in=wanted)}
    missing = [email for email in wanted if email not in people]
    groups = list(LearnerGroup.objects.filter(pk__in=group_ids).order_by("name", "pk"))
    problems = [
        FieldError("emails", _("No one here uses %(email)s.") % {"email": email})
        for email in missing
    ]
    if len(groups) != len(set(group_ids)):
        problems.append(FieldError("group_ids", _("Choose groups from the list.")))
    if problems:
        raise ValidationFailed(
            EnrollmentErrorCode.USER_NOT_FOUND, _("Some people or groups do not exist."), problems
        )
    _ensure_published(course)
    _ensure_due_in_future(due_at)
    report = AssignmentReport()
    with transaction.atomic():
        for email in wanted:
            person = people[email]
            if not person.is_active:
                report.inactive.append(email)
                continue
            try:
                enrollment_assign(user=person, course=course, actor=actor, due_at=due_at)
            except Conflict as exc:
                if exc.code != EnrollmentErrorCode.ALREADY_ENROLLED:
                    raise
                report.already_enrolled.append(email)
            else:
                report.assigned.append(email)
        for group in groups:
            outcome = enrollment_assign_group(
                group=group, course=course, actor=actor, due_at=due_at
            )
            report.groups.append((group.name, outcome))
    return report
