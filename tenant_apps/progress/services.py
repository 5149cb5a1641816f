"""Writes on progress. Each runs in the schema the connection points at.

Only an active enrollment records progress. Every write locks the enrollment row first, so
one learner's requests apply one after another, a cancellation cannot interleave with them,
and when two lessons are finished at the same moment the second sees the first and completes
the course (once: `enrollments.services.enrollment_complete`).

Who calls what:

* the API, for the learner: `lesson_progress_record` (time spent, video position, and
  "done" for lessons that are not quizzes);
* the assessments app, when a quiz is passed: `lesson_mark_passed`;
* any other trusted code that decides a lesson is done: `lesson_complete`.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, FieldError, NotFound, ValidationFailed
from tenant_apps.courses.models import Lesson, LessonKind
from tenant_apps.enrollments.models import Enrollment, EnrollmentStatus
from tenant_apps.enrollments.services import enrollment_complete
from tenant_apps.events.models import EventType
from tenant_apps.events.services import record_event
from tenant_apps.people.models import User
from tenant_apps.progress.errors import ProgressErrorCode
from tenant_apps.progress.models import LessonProgress


def not_your_enrollment() -> ApplicationError:
    return ApplicationError(
        code=ProgressErrorCode.NOT_YOUR_ENROLLMENT,
        message=_("Only the enrolled learner records their progress."),
        status=403,
    )


def not_enrolled() -> ApplicationError:
    return ApplicationError(
        code=ProgressErrorCode.ENROLLMENT_NOT_ACTIVE,
        message=_("Enrol in this course to record your progress."),
        status=403,
    )


def _ensure_lesson_of(enrollment: Enrollment, lesson: Lesson) -> None:
    if lesson.course_id != enrollment.course_id:
        raise NotFound(ProgressErrorCode.LESSON_NOT_FOUND, _("No such lesson in this course."))


def _lock_active(enrollment: Enrollment) -> Enrollment:
    locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if locked.status != EnrollmentStatus.ACTIVE:
        raise ApplicationError(
            code=ProgressErrorCode.ENROLLMENT_NOT_ACTIVE,
            message=_("Progress is recorded only in an active enrollment; this one is %(status)s.")
            % {"status": locked.status},
            status=403,
        )
    return locked


def _touch(
    enrollment: Enrollment,
    lesson: Lesson,
    *,
    time_spent_delta: int = 0,
    last_position_seconds: int | None = None,
) -> LessonProgress:
    """Add time (with F(), never read-modify-write) and move the position and resume point."""
    now = timezone.now()
    progress, _created = LessonProgress.objects.get_or_create(
        enrollment=enrollment,
        lesson=lesson,
        defaults={"first_touched_at": now, "last_touched_at": now},
    )
    changes: dict[str, object] = {
        "time_spent_seconds": F("time_spent_seconds") + time_spent_delta,
        "last_touched_at": now,
    }
    if last_position_seconds is not None:
        if lesson.duration_seconds:  # players report a little past the end; keep it inside
            last_position_seconds = min(last_position_seconds, lesson.duration_seconds)
        changes["last_position_seconds"] = last_position_seconds
    LessonProgress.objects.filter(pk=progress.pk).update(**changes)
    return progress


def _complete(
    enrollment: Enrollment, lesson: Lesson, progress: LessonProgress, actor: User | None
) -> None:
    """Mark the lesson done once (announced as `lesson.completed`), then complete the
    enrollment if no required lesson is left."""
    now = timezone.now()
    if LessonProgress.objects.filter(pk=progress.pk, completed_at__isnull=True).update(
        completed_at=now
    ):
        record_event(
            event_type=EventType.LESSON_COMPLETED,
            subject_type="lesson_progress",
            subject_id=progress.pk,
            payload={
                "id": progress.pk,
                "enrollment_id": enrollment.pk,
                "lesson_id": lesson.pk,
                "course_id": enrollment.course_id,
                "user_id": enrollment.user_id,
                "completed_at": now,
            },
            actor_id=getattr(actor, "pk", None),
        )
    required = Lesson.objects.filter(course_id=enrollment.course_id, is_required=True)
    total = required.count()
    done = LessonProgress.objects.filter(
        enrollment=enrollment, lesson__in=required, completed_at__isnull=False
    ).count()
    if total and done >= total:
        enrollment_complete(enrollment=enrollment, actor=actor)


def lesson_progress_record(
    *,
    enrollment: Enrollment,
    lesson: Lesson,
    learner: User,
    time_spent_delta: int = 0,
    last_position_seconds: int | None = None,
    completed: bool = False,
) -> LessonProgress:
    """Record what the enrolled learner did in a lesson: add `time_spent_delta` seconds,
    keep the video position, make the lesson the resume point and, with `completed`, mark
    it done (completing the course when it was the last required lesson).

    Refused with 403 for anyone but the enrollment's learner and for an enrollment that is
    not active; 404 for a lesson of another course; 400 for marking a quiz lesson done
    (a quiz is done when passed: `lesson_mark_passed`). Marking done twice keeps the first
    `completed_at`; `completed=False` never undoes it."""
    if enrollment.user_id != learner.pk:
        raise not_your_enrollment()
    _ensure_lesson_of(enrollment, lesson)
    if completed and lesson.kind == LessonKind.QUIZ:
        raise ValidationFailed(
            ProgressErrorCode.QUIZ_NEEDS_PASS,
            _("A quiz lesson is done when its quiz is passed."),
            [FieldError("completed", _("Pass the quiz to complete this lesson."))],
        )
    negative = [
        FieldError(name, _("Use zero or more seconds."))
        for name, value in (
            ("time_spent_delta", time_spent_delta),
            ("last_position_seconds", last_position_seconds),
        )
        if value is not None and value < 0
    ]
    if negative:
        raise ValidationFailed(
            ProgressErrorCode.INVALID_PROGRESS, _("Times cannot be negative."), negative
        )
    with transaction.atomic():
        locked = _lock_active(enrollment)
        progress = _touch(
            locked,
            lesson,
            time_spent_delta=time_spent_delta,
            last_position_seconds=last_position_seconds,
        )
        if completed:
            _complete(locked, lesson, progress, learner)
    progress.refresh_from_db()
    return progress


def lesson_complete(
    *, enrollment: Enrollment, lesson: Lesson, actor: User | None = None
) -> LessonProgress:
    """Mark a lesson of any kind done in an active enrollment, for trusted callers (not the
    learner's API). `completed_at` is set once; when no required lesson is left, the
    enrollment is completed (`course.completed`, completion handlers). Raises 404 for a
    lesson of another course and 403 when the enrollment is not active."""
    _ensure_lesson_of(enrollment, lesson)
    with transaction.atomic():
        locked = _lock_active(enrollment)
        progress = _touch(locked, lesson)
        _complete(locked, lesson, progress, actor)
    progress.refresh_from_db()
    return progress


def lesson_mark_passed(
    *, enrollment: Enrollment, lesson: Lesson, actor: User | None = None
) -> LessonProgress:
    """The assessments app's call when a learner passes the quiz of a quiz lesson: the
    lesson counts as done from now on (see `lesson_complete`). Raises 400 `not_a_quiz` for
    any other kind of lesson."""
    if lesson.kind != LessonKind.QUIZ:
        raise ValidationFailed(
            ProgressErrorCode.NOT_A_QUIZ,
            _("Only a quiz lesson is passed."),
            [FieldError("lesson_id", _("This lesson is not a quiz."))],
        )
    return lesson_complete(enrollment=enrollment, lesson=lesson, actor=actor)
