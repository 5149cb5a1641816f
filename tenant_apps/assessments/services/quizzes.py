"""A quiz lesson's settings."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import FieldError, NotFound, ValidationFailed
from core.validation import is_whole_number
from tenant_apps.assessments.errors import AssessmentErrorCode
from tenant_apps.assessments.limits import MAX_ATTEMPTS_MAX, TIME_LIMIT_MAX_MINUTES
from tenant_apps.assessments.models import (
    CountedAttempt,
    Quiz,
    ResultsVisibility,
)
from tenant_apps.courses.models import Lesson, LessonKind


def _not_a_quiz_lesson(lesson: Lesson) -> ValidationFailed:
    return ValidationFailed(
        AssessmentErrorCode.NOT_A_QUIZ_LESSON,
        _("Only a quiz lesson has a quiz."),
        [FieldError("lesson_id", _("This is a %(kind)s lesson.") % {"kind": lesson.kind})],
    )


def quiz_save(
    *,
    lesson: Lesson,
    time_limit_minutes: int | None = None,
    max_attempts: int | None = None,
    shuffle_questions: bool = False,
    shuffle_options: bool = False,
    results_visibility: str = ResultsVisibility.IMMEDIATELY,
    due_at: datetime | None = None,
    counted_attempt: str = CountedAttempt.BEST,
) -> tuple[Quiz, bool]:
    """Create the quiz of a quiz lesson, or replace its settings; returns the quiz and
    whether it was created. New settings apply to attempts started from now on (a running
    attempt keeps its deadline). Raises 400 naming the field for a lesson that is not a
    quiz, and for values out of range (a `after_due_date` visibility needs `due_at`)."""
    if lesson.kind != LessonKind.QUIZ:
        raise _not_a_quiz_lesson(lesson)
    errors: list[FieldError] = []
    if time_limit_minutes is not None and not (
        is_whole_number(time_limit_minutes) and 1 <= time_limit_minutes <= TIME_LIMIT_MAX_MINUTES
    ):
        errors.append(
            FieldError(
                "time_limit_minutes",
                _("Use 1 to %(most)s minutes, or null.") % {"most": TIME_LIMIT_MAX_MINUTES},
            )
        )
    if max_attempts is not None and not (
        is_whole_number(max_attempts) and 1 <= max_attempts <= MAX_ATTEMPTS_MAX
    ):
        errors.append(
            FieldError(
                "max_attempts",
                _("Use 1 to %(most)s, or null.") % {"most": MAX_ATTEMPTS_MAX},
            )
        )
    for name, value in (
        ("shuffle_questions", shuffle_questions),
        ("shuffle_options", shuffle_options),
    ):
        if not isinstance(value, bool):
            errors.append(FieldError(name, _("Use true or false.")))
    if results_visibility not in ResultsVisibility.values:
        errors.append(
            FieldError(
                "results_visibility",
                _("Use one of %(choices)s.") % {"choices": ", ".join(ResultsVisibility.values)},
            )
        )
    elif results_visibility == ResultsVisibility.AFTER_DUE_DATE and due_at is None:
        errors.append(FieldError("due_at", _("Results shown after the due date need a due date.")))
    if counted_attempt not in CountedAttempt.values:
        errors.append(
            FieldError(
                "counted_attempt",
                _("Use one of %(choices)s.") % {"choices": ", ".join(CountedAttempt.values)},
            )
        )
    if errors:
        raise ValidationFailed(AssessmentErrorCode.INVALID_QUIZ, _("The quiz is invalid."), errors)
    with transaction.atomic():
        # Two first saves of the same quiz take turns; the second updates the first.
        if not Lesson.objects.select_for_update().filter(pk=lesson.pk).exists():
            raise NotFound(AssessmentErrorCode.QUIZ_NOT_FOUND, _("The lesson no longer exists."))
        quiz = Quiz.objects.filter(lesson_id=lesson.pk).first()
        created = quiz is None
        if quiz is None:
            quiz = Quiz(lesson_id=lesson.pk, course_id=lesson.course_id)
        quiz.time_limit_minutes = time_limit_minutes
        quiz.max_attempts = max_attempts
        quiz.shuffle_questions = shuffle_questions
        quiz.shuffle_options = shuffle_options
        quiz.results_visibility = results_visibility
        quiz.due_at = due_at
        quiz.counted_attempt = counted_attempt
        quiz.save()
    return quiz, created
