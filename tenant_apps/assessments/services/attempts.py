"""Attempts: start, answer, submit (by the learner or when time runs out), score."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any, TypedDict

from django.db import IntegrityError, connection, transaction
from django.db.models import Prefetch, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, Conflict, FieldError, NotFound, ValidationFailed
from core.validation import is_whole_number
from tenant_apps.assessments.errors import AssessmentErrorCode
from tenant_apps.assessments.grading import (
    CENT,
    response_clean,
    response_points,
)
from tenant_apps.assessments.models import (
    CHOICE_KINDS,
    DEADLINE_GRACE_SECONDS,
    Answer,
    Attempt,
    AttemptStatus,
    CountedAttempt,
    Question,
    QuestionKind,
    QuestionOption,
    Quiz,
)
from tenant_apps.assessments.services.events import attempt_announce
from tenant_apps.assessments.services.questions import current_questions
from tenant_apps.enrollments.models import Enrollment, EnrollmentStatus
from tenant_apps.events.models import EventType
from tenant_apps.people.models import User
from tenant_apps.progress.services import lesson_mark_passed

_shuffler = random.SystemRandom()


def _not_enrolled() -> ApplicationError:
    return ApplicationError(
        code=AssessmentErrorCode.NOT_ENROLLED,
        message=_("Only learners with an active enrollment in the course take its quizzes."),
        status=403,
    )


def _not_your_attempt() -> ApplicationError:
    return ApplicationError(
        code=AssessmentErrorCode.NOT_YOUR_ATTEMPT,
        message=_("Only the learner who started an attempt answers it."),
        status=403,
    )


def _not_in_progress(attempt: Attempt) -> Conflict:
    return Conflict(
        AssessmentErrorCode.ATTEMPT_NOT_IN_PROGRESS,
        _("This attempt is %(status)s; it takes no more answers.")
        % {"status": attempt.get_status_display().lower()},
    )


def _is_overdue(attempt: Attempt, now: datetime) -> bool:
    return attempt.deadline_at is not None and now > attempt.deadline_at + timedelta(
        seconds=DEADLINE_GRACE_SECONDS
    )


def attempt_lock(attempt_id: int) -> tuple[Enrollment, Attempt]:
    """Lock an attempt's enrollment, then the attempt (with its quiz, lesson and course)."""
    enrollment_id = (
        Attempt.objects.filter(pk=attempt_id).values_list("enrollment_id", flat=True).first()
    )
    enrollment = Enrollment.objects.select_for_update().filter(pk=enrollment_id).first()
    if enrollment is None:
        raise NotFound(AssessmentErrorCode.ATTEMPT_NOT_FOUND, _("The attempt no longer exists."))
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("quiz__lesson", "quiz__course")
        .get(pk=attempt_id)
    )
    return enrollment, attempt


def _share_lock_quiz(quiz_id: int) -> None:
    """Keep the quiz's questions still while an attempt is laid out; other learners'
    starts do not wait for each other."""
    table = connection.ops.quote_name(Quiz._meta.db_table)
    with connection.cursor() as cursor:
        # The table name is our model's, quoted; the id is a parameter.
        cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR KEY SHARE", [quiz_id])  # noqa: S608


def _questions_with_options(ids: Iterable[int]) -> dict[int, Question]:
    found = Question.objects.filter(pk__in=list(ids)).prefetch_related(
        Prefetch("options", queryset=QuestionOption.objects.order_by("position"))
    )
    return {question.pk: question for question in found}


@dataclass(frozen=True)
class AttemptLayout:
    """The order an attempt shows its questions, their options and matches in."""

    question_order: list[int]
    option_order: dict[str, list[int]]
    match_order: dict[str, list[str]]


def _layout(quiz: Quiz, questions: Sequence[Question]) -> AttemptLayout:
    question_order = [question.pk for question in questions]
    if quiz.shuffle_questions:
        _shuffler.shuffle(question_order)
    option_order: dict[str, list[int]] = {}
    match_order: dict[str, list[str]] = {}
    for question in questions:
        options = list(question.options.all())
        if question.kind in CHOICE_KINDS or question.kind == QuestionKind.MATCHING:
            ids = [option.pk for option in options]
            if quiz.shuffle_options:
                _shuffler.shuffle(ids)
            option_order[str(question.pk)] = ids
        if question.kind == QuestionKind.MATCHING:
            # Never in the items' order, which would give the pairs away.
            texts = sorted({option.match_text for option in options}, key=str.casefold)
            if quiz.shuffle_options:
                _shuffler.shuffle(texts)
            match_order[str(question.pk)] = texts
    return AttemptLayout(question_order, option_order, match_order)


def _active_enrollment(*, learner: User, course_id: int) -> Enrollment:
    enrollment = Enrollment.objects.filter(
        user_id=learner.pk, course_id=course_id, status=EnrollmentStatus.ACTIVE
    ).first()
    if enrollment is None or not learner.is_active:
        raise _not_enrolled()
    return enrollment


def attempt_start(*, quiz: Quiz, learner: User) -> tuple[Attempt, bool]:
    """Start an attempt at a quiz for a learner with an active enrollment in its course;
    returns the attempt and whether it is new.

    A running attempt is returned as it is (resumed). Otherwise a new one is laid out:
    questions and options in the quiz's order or shuffled, fixed for the attempt; its
    deadline is the time limit from now or the due date, whichever comes first. Raises
    403 `not_enrolled`, 409 `quiz_closed` after the due date, 409 `no_attempts_left`,
    409 `quiz_has_no_questions`. The enrollment row is locked, so two simultaneous starts
    create at most one attempt."""
    enrollment = _active_enrollment(learner=learner, course_id=quiz.course_id)
    attempts_overdue_submit(quiz=quiz, learner=learner)
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if locked.status != EnrollmentStatus.ACTIVE:
            raise _not_enrolled()
        _share_lock_quiz(quiz.pk)
        quiz = Quiz.objects.select_related("lesson", "course").get(pk=quiz.pk)
        attempts = Attempt.objects.filter(quiz=quiz, enrollment=locked)
        running = attempts.filter(status=AttemptStatus.IN_PROGRESS).select_related(
            "quiz__lesson", "quiz__course"
        )
        if (attempt := running.first()) is not None:
            return attempt, False
        now = timezone.now()
        if quiz.due_at is not None and now >= quiz.due_at:
            raise Conflict(AssessmentErrorCode.QUIZ_CLOSED, _("The quiz's due date has passed."))
        used = attempts.count()
        if quiz.max_attempts is not None and used >= quiz.max_attempts:
            raise Conflict(
                AssessmentErrorCode.NO_ATTEMPTS_LEFT,
                _("All %(max_attempts)s attempts at this quiz are used.")
                % {"max_attempts": quiz.max_attempts},
            )
        questions = list(
            current_questions(quiz).prefetch_related(
                Prefetch("options", queryset=QuestionOption.objects.order_by("position"))
            )
        )
        if not questions:
            raise Conflict(
                AssessmentErrorCode.QUIZ_HAS_NO_QUESTIONS, _("This quiz has no questions yet.")
            )
        layout = _layout(quiz, questions)
        ends = [quiz.due_at] if quiz.due_at is not None else []
        if quiz.time_limit_minutes is not None:
            ends.append(now + timedelta(minutes=quiz.time_limit_minutes))
        try:
            with transaction.atomic():
                attempt = Attempt.objects.create(
                    quiz=quiz,
                    enrollment=locked,
                    learner_id=locked.user_id,
                    number=used + 1,
                    question_order=layout.question_order,
                    option_order=layout.option_order,
                    match_order=layout.match_order,
                    started_at=now,
                    deadline_at=min(ends) if ends else None,
                    max_points=sum(question.points for question in questions),
                )
        except IntegrityError as exc:  # the lock above prevents it; the constraint backs it
            raise Conflict(
                AssessmentErrorCode.ATTEMPT_STARTED_MEANWHILE,
                _("Another attempt started at the same moment; start again to resume it."),
            ) from exc
    return attempt, True


class AnswerValues(TypedDict):
    question_id: int
    response: Any


def _ensure_may_answer(enrollment: Enrollment, attempt: Attempt) -> None:
    if enrollment.status != EnrollmentStatus.ACTIVE:
        raise _not_enrolled()
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise _not_in_progress(attempt)


def _clean_answers(
    attempt: Attempt, answers: Sequence[AnswerValues]
) -> list[tuple[Question, dict[str, Any] | None]]:
    questions = _questions_with_options(attempt.question_order)
    errors: list[FieldError] = []
    cleaned: list[tuple[Question, dict[str, Any] | None]] = []
    seen: set[int] = set()
    for index, entry in enumerate(answers):
        field = f"answers.{index}"
        question_id = entry.get("question_id")
        question = questions.get(question_id) if is_whole_number(question_id) else None
        if question is None:
            errors.append(
                FieldError(
                    f"{field}.question_id",
                    _("No question %(question_id)s in this attempt.")
                    % {"question_id": question_id},
                )
            )
            continue
        if question_id in seen:
            errors.append(FieldError(f"{field}.question_id", _("Answer each question once.")))
            continue
        seen.add(question_id)
        try:
            response = response_clean(
                question=question,
                options=list(question.options.all()),
                response=entry.get("response"),
                field=f"{field}.response",
            )
        except ValidationFailed as exc:
            errors.extend(exc.details)
            continue
        cleaned.append((question, response))
    if errors:
        raise ValidationFailed(
            AssessmentErrorCode.INVALID_ANSWER, _("Some answers are invalid."), errors
        )
    return cleaned


def attempt_answers_save(
    *, attempt: Attempt, learner: User, answers: Sequence[AnswerValues]
) -> Attempt:
    """Save some answers of a running attempt (any subset, as often as wanted; a later
    answer to a question replaces the earlier one, `response: null` clears it).

    Only the attempt's learner, while their enrollment is active (403 otherwise). 400
    `invalid_answer` names each wrong field (`answers.<i>.question_id`,
    `answers.<i>.response.<part>`), and nothing is saved. After the deadline and its grace
    the attempt is submitted with the answers saved before, and these are refused with 409
    `time_over`."""
    if attempt.learner_id != learner.pk:
        raise _not_your_attempt()
    if attempt.enrollment.status != EnrollmentStatus.ACTIVE:
        raise _not_enrolled()
    cleaned = _clean_answers(attempt, answers)
    time_over = False
    with transaction.atomic():
        enrollment, locked = attempt_lock(attempt.pk)
        _ensure_may_answer(enrollment, locked)
        now = timezone.now()
        if _is_overdue(locked, now):
            _submit(locked, actor=None, auto=True, now=now)
            time_over = True
        elif cleaned:
            Answer.objects.bulk_create(
                [
                    Answer(attempt=locked, question=question, response=response, saved_at=now)
                    for question, response in cleaned
                ],
                update_conflicts=True,
                unique_fields=["attempt", "question"],
                update_fields=["response", "saved_at"],
            )
    if time_over:  # raised after the commit: the submission stands
        raise Conflict(
            AssessmentErrorCode.TIME_OVER,
            _("The time for this attempt is over; it was submitted with the answers saved before."),
        )
    return locked


def attempt_submit(*, attempt: Attempt, learner: User) -> Attempt:
    """Hand in a running attempt: every answer but essays is graded at once. Without
    essays the attempt is graded (`assessment.submitted`, then `assessment.graded`, and
    the lesson is passed when the score is enough); with essays it awaits grading.
    Submitting after the deadline's grace still submits what was saved, marked
    `auto_submitted`. 403 for anyone but the attempt's learner with an active enrollment,
    409 when it is not running."""
    if attempt.learner_id != learner.pk:
        raise _not_your_attempt()
    with transaction.atomic():
        enrollment, locked = attempt_lock(attempt.pk)
        _ensure_may_answer(enrollment, locked)
        now = timezone.now()
        _submit(locked, actor=learner, auto=_is_overdue(locked, now), now=now)
    return locked


def attempt_submit_if_overdue(*, attempt: Attempt) -> Attempt:
    """Submit the attempt with what was saved if its deadline and grace have passed (for
    anyone reading it); returns it as it now is."""
    if attempt.status != AttemptStatus.IN_PROGRESS or not _is_overdue(attempt, timezone.now()):
        return attempt
    with transaction.atomic():
        _enrollment, locked = attempt_lock(attempt.pk)
        now = timezone.now()
        if locked.status == AttemptStatus.IN_PROGRESS and _is_overdue(locked, now):
            _submit(locked, actor=None, auto=True, now=now)
    return locked


def attempts_overdue_submit(*, quiz: Quiz | None = None, learner: User | None = None) -> int:
    """Submit every running attempt whose deadline and grace have passed (at a quiz and of
    a learner, when given), each in its own transaction; returns how many."""
    cutoff = timezone.now() - timedelta(seconds=DEADLINE_GRACE_SECONDS)
    overdue = Attempt.objects.filter(status=AttemptStatus.IN_PROGRESS, deadline_at__lt=cutoff)
    if quiz is not None:
        overdue = overdue.filter(quiz=quiz)
    if learner is not None:
        overdue = overdue.filter(learner=learner)
    submitted = 0
    for attempt_id in overdue.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            _enrollment, locked = attempt_lock(attempt_id)
            now = timezone.now()
            if locked.status == AttemptStatus.IN_PROGRESS and _is_overdue(locked, now):
                _submit(locked, actor=None, auto=True, now=now)
                submitted += 1
    return submitted


def _submit(attempt: Attempt, *, actor: User | None, auto: bool, now: datetime) -> None:
    """Hand in a locked, running attempt: an answer row for every question (unanswered
    ones empty), automatic grades, `assessment.submitted`; the final score when nothing is
    left to grade by hand."""
    questions = _questions_with_options(attempt.question_order)
    answered = set(Answer.objects.filter(attempt=attempt).values_list("question_id", flat=True))
    Answer.objects.bulk_create(
        [
            Answer(attempt=attempt, question_id=question_id, response=None, saved_at=now)
            for question_id in attempt.question_order
            if question_id not in answered
        ]
    )
    graded: list[Answer] = []
    waiting = False
    for answer in Answer.objects.filter(attempt=attempt):
        question = questions[answer.question_id]
        points = response_points(
            question=question, options=list(question.options.all()), response=answer.response
        )
        if points is None:
            waiting = True
            continue
        answer.points_awarded = points
        answer.graded_at = now
        graded.append(answer)
    Answer.objects.bulk_update(graded, ["points_awarded", "graded_at"])
    attempt.status = AttemptStatus.AWAITING_GRADING
    attempt.submitted_at = now
    attempt.auto_submitted = auto
    attempt.save(update_fields=["status", "submitted_at", "auto_submitted"])
    attempt_announce(EventType.ASSESSMENT_SUBMITTED, attempt, actor)
    if not waiting:
        attempt_finalise(attempt, actor=actor, now=now)


def attempt_score(attempt: Attempt) -> None:
    """Set the attempt's score from its answers' points; the percentage is rounded down,
    so it never shows a pass the points do not make."""
    total = Answer.objects.filter(attempt=attempt).aggregate(total=Sum("points_awarded"))["total"]
    total = (total or Decimal("0")).quantize(CENT)
    attempt.score_points = total
    attempt.score_percent = (total * 100 / attempt.max_points).quantize(CENT, rounding=ROUND_DOWN)
    attempt.passed = total * 100 >= attempt.quiz.course.passing_score * attempt.max_points


def attempt_finalise(attempt: Attempt, *, actor: User | None, now: datetime) -> None:
    """Give a locked attempt whose answers are all graded its final score."""
    attempt_score(attempt)
    attempt.status = AttemptStatus.GRADED
    attempt.graded_at = now
    attempt.save(update_fields=["status", "graded_at", "score_points", "score_percent", "passed"])
    attempt_announce(EventType.ASSESSMENT_GRADED, attempt, actor)
    quiz_result_apply(attempt, actor=actor)


def quiz_result_apply(attempt: Attempt, *, actor: User | None) -> None:
    """Pass the quiz lesson when this attempt's score passes and it is the attempt that
    counts (best: any; last: the latest submitted one), in the caller's transaction."""
    if not attempt.passed:
        return
    quiz = attempt.quiz
    if quiz.counted_attempt == CountedAttempt.LAST:
        latest = (
            Attempt.objects.filter(quiz_id=quiz.pk, enrollment_id=attempt.enrollment_id)
            .exclude(status=AttemptStatus.IN_PROGRESS)
            .order_by("-number")
            .values_list("pk", flat=True)
            .first()
        )
        if latest != attempt.pk:
            return
    enrollment = Enrollment.objects.get(pk=attempt.enrollment_id)
    # A cancelled or completed enrollment records no progress; the grade stands anyway.
    if enrollment.status == EnrollmentStatus.ACTIVE:
        lesson_mark_passed(enrollment=enrollment, lesson=quiz.lesson, actor=actor)
