"""Writes on assessments, in the schema the connection points at.

Views check who may call the authoring and grading services (assessments.permissions);
the attempt services check themselves that the caller is the attempt's learner with an
active enrollment. The quiz's rules (scoring, time limit, results, which attempt counts)
are described in models.py.

Locks, always taken in this order so that no two writes wait on each other in a cycle:
the enrollment row (every write about an attempt; progress.services locks it too), then
the attempt row. Starting an attempt also holds a KEY SHARE lock on the quiz row while it
reads the questions; authoring locks the quiz row FOR UPDATE, so an attempt never starts
with a question half-changed.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any, TypedDict

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Prefetch, QuerySet, Sum
from django.utils import timezone

from core.errors import ApplicationError, Conflict, FieldError, NotFound, ValidationFailed
from core.transactions import after_commit
from core.validation import is_whole_number, text_field
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
    ResultsVisibility,
)
from tenant_apps.assessments.selectors import results_visible_to_learner
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record
from tenant_apps.courses.models import Lesson, LessonKind
from tenant_apps.enrollments.models import Enrollment, EnrollmentStatus
from tenant_apps.events.models import EventType
from tenant_apps.events.services import record_event
from tenant_apps.notifications.models import NotificationKind
from tenant_apps.notifications.services import notification_send
from tenant_apps.people.models import User
from tenant_apps.progress.services import lesson_mark_passed

PROMPT_MAX = 10_000
OPTION_TEXT_MAX = 1000
OPTIONS_MIN = 2
OPTIONS_MAX = 20
ACCEPTED_ANSWERS_MAX = 20
ACCEPTED_ANSWER_MAX = 500
POINTS_MAX = 1000
TIME_LIMIT_MAX_MINUTES = 1440
MAX_ATTEMPTS_MAX = 100
QUESTIONS_MAX = 200
FEEDBACK_MAX = 10_000
REASON_MAX = 1000

_shuffler = random.SystemRandom()


# ------------------------------------------------------------------------------------------
# What events say
def attempt_payload(attempt: Attempt) -> dict[str, Any]:
    """What events say about an attempt."""
    return {
        "id": attempt.pk,
        "quiz_id": attempt.quiz_id,
        "lesson_id": attempt.quiz.lesson_id,
        "course_id": attempt.quiz.course_id,
        "enrollment_id": attempt.enrollment_id,
        "learner_id": attempt.learner_id,
        "number": attempt.number,
        "status": attempt.status,
        "started_at": attempt.started_at,
        "submitted_at": attempt.submitted_at,
        "auto_submitted": attempt.auto_submitted,
        "graded_at": attempt.graded_at,
        "max_points": attempt.max_points,
        "score_points": attempt.score_points,
        "score_percent": attempt.score_percent,
        "passed": attempt.passed,
    }


def _announce(event_type: EventType, attempt: Attempt, actor: User | None, **extra: Any) -> None:
    record_event(
        event_type=event_type,
        subject_type="attempt",
        subject_id=attempt.pk,
        payload={**attempt_payload(attempt), **extra},
        actor_id=getattr(actor, "pk", None),
    )


# ------------------------------------------------------------------------------------------
# Quiz settings
def _not_a_quiz_lesson(lesson: Lesson) -> ValidationFailed:
    return ValidationFailed(
        AssessmentErrorCode.NOT_A_QUIZ_LESSON,
        "Only a quiz lesson has a quiz.",
        [FieldError("lesson_id", f"This is a {lesson.kind} lesson.")],
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
            FieldError("time_limit_minutes", f"Use 1 to {TIME_LIMIT_MAX_MINUTES} minutes, or null.")
        )
    if max_attempts is not None and not (
        is_whole_number(max_attempts) and 1 <= max_attempts <= MAX_ATTEMPTS_MAX
    ):
        errors.append(FieldError("max_attempts", f"Use 1 to {MAX_ATTEMPTS_MAX}, or null."))
    for name, value in (
        ("shuffle_questions", shuffle_questions),
        ("shuffle_options", shuffle_options),
    ):
        if not isinstance(value, bool):
            errors.append(FieldError(name, "Use true or false."))
    if results_visibility not in ResultsVisibility.values:
        errors.append(
            FieldError("results_visibility", f"Use one of {', '.join(ResultsVisibility.values)}.")
        )
    elif results_visibility == ResultsVisibility.AFTER_DUE_DATE and due_at is None:
        errors.append(FieldError("due_at", "Results shown after the due date need a due date."))
    if counted_attempt not in CountedAttempt.values:
        errors.append(
            FieldError("counted_attempt", f"Use one of {', '.join(CountedAttempt.values)}.")
        )
    if errors:
        raise ValidationFailed(AssessmentErrorCode.INVALID_QUIZ, "The quiz is invalid.", errors)
    with transaction.atomic():
        # Two first saves of the same quiz take turns; the second updates the first.
        if not Lesson.objects.select_for_update().filter(pk=lesson.pk).exists():
            raise NotFound(AssessmentErrorCode.QUIZ_NOT_FOUND, "The lesson no longer exists.")
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


# ------------------------------------------------------------------------------------------
# Questions
class OptionValues(TypedDict):
    text: str
    is_correct: bool


class PairValues(TypedDict):
    item: str
    match: str


@dataclass(frozen=True)
class QuestionDraft:
    """A question's content as checked, comparable with what is stored."""

    kind: str
    prompt: str
    points: int
    options: tuple[tuple[str, bool], ...]
    accepted_answers: tuple[str, ...]
    statement_is_true: bool | None
    pairs: tuple[tuple[str, str], ...]

    def grading_changes(self, other: QuestionDraft) -> list[str]:
        """The fields that decide grading and differ between the two drafts."""
        names = ["kind", "points", "options", "accepted_answers", "statement_is_true", "pairs"]
        return [name for name in names if getattr(self, name) != getattr(other, name)]


def _list_of(
    errors: list[FieldError],
    field: str,
    value: Any,
    *,
    shape: str,
    noun: str,
    least: int,
    most: int,
) -> Sequence[Any] | None:
    """`value` when it is a list of `least`..`most` entries; else None and an error on
    `field` ("Use a list of <shape>." / "Give <least> to <most> <noun>.")."""
    if not isinstance(value, Sequence) or isinstance(value, str):
        errors.append(FieldError(field, f"Use a list of {shape}."))
        return None
    if not least <= len(value) <= most:
        errors.append(FieldError(field, f"Give {least} to {most} {noun}."))
        return None
    return value


def _clean_options(
    errors: list[FieldError], kind: str, options: Any
) -> tuple[tuple[str, bool], ...]:
    options = _list_of(
        errors,
        "options",
        options,
        shape="options",
        noun="options",
        least=OPTIONS_MIN,
        most=OPTIONS_MAX,
    )
    if options is None:
        return ()
    cleaned: list[tuple[str, bool]] = []
    for index, option in enumerate(options):
        field = f"options.{index}"
        if not isinstance(option, dict):
            errors.append(FieldError(field, "Use {text, is_correct}."))
            continue
        text = text_field(errors, f"{field}.text", option.get("text"), limit=OPTION_TEXT_MAX)
        is_correct = option.get("is_correct", False)
        if not isinstance(is_correct, bool):
            errors.append(FieldError(f"{field}.is_correct", "Use true or false."))
        cleaned.append((text, is_correct is True))
    texts = [text.casefold() for text, _correct in cleaned]
    if len(set(texts)) != len(texts):
        errors.append(FieldError("options", "Give each option a different text."))
    correct = sum(1 for _text_, is_correct in cleaned if is_correct)
    if kind == QuestionKind.SINGLE_CHOICE and correct != 1:
        errors.append(FieldError("options", "Mark exactly one option correct."))
    elif kind == QuestionKind.MULTIPLE_CHOICE and correct < 1:
        errors.append(FieldError("options", "Mark at least one option correct."))
    return tuple(cleaned)


def _clean_pairs(errors: list[FieldError], pairs: Any) -> tuple[tuple[str, str], ...]:
    pairs = _list_of(
        errors,
        "pairs",
        pairs,
        shape="{item, match} pairs",
        noun="pairs",
        least=OPTIONS_MIN,
        most=OPTIONS_MAX,
    )
    if pairs is None:
        return ()
    cleaned: list[tuple[str, str]] = []
    for index, pair in enumerate(pairs):
        field = f"pairs.{index}"
        if not isinstance(pair, dict):
            errors.append(FieldError(field, "Use {item, match}."))
            continue
        item = text_field(errors, f"{field}.item", pair.get("item"), limit=OPTION_TEXT_MAX)
        match = text_field(errors, f"{field}.match", pair.get("match"), limit=OPTION_TEXT_MAX)
        cleaned.append((item, match))
    items = [item.casefold() for item, _match in cleaned]
    if len(set(items)) != len(items):
        errors.append(FieldError("pairs", "Give each item a different text."))
    return tuple(cleaned)


def _clean_accepted_answers(errors: list[FieldError], accepted: Any) -> tuple[str, ...]:
    accepted = _list_of(
        errors,
        "accepted_answers",
        accepted,
        shape="answers",
        noun="accepted answers",
        least=1,
        most=ACCEPTED_ANSWERS_MAX,
    )
    if accepted is None:
        return ()
    return tuple(
        text_field(errors, f"accepted_answers.{index}", text, limit=ACCEPTED_ANSWER_MAX)
        for index, text in enumerate(accepted)
    )


def _clean_question(
    *,
    kind: str,
    prompt: str,
    points: int,
    options: Sequence[OptionValues],
    accepted_answers: Sequence[str],
    statement_is_true: bool | None,
    pairs: Sequence[PairValues],
) -> QuestionDraft:
    """Check a question for its kind; one 400 names every field that is wrong. Fields that
    do not belong to the kind must be left empty."""
    errors: list[FieldError] = []
    if kind not in QuestionKind.values:
        raise ValidationFailed(
            AssessmentErrorCode.INVALID_QUESTION,
            "The question is invalid.",
            [FieldError("kind", f"Use one of {', '.join(QuestionKind.values)}.")],
        )
    prompt = text_field(errors, "prompt", prompt, limit=PROMPT_MAX)
    if not (is_whole_number(points) and 1 <= points <= POINTS_MAX):
        errors.append(FieldError("points", f"Use a whole number from 1 to {POINTS_MAX}."))
    cleaned_options: tuple[tuple[str, bool], ...] = ()
    cleaned_accepted: tuple[str, ...] = ()
    cleaned_pairs: tuple[tuple[str, str], ...] = ()
    label = QuestionKind(kind).label.lower()
    if kind in CHOICE_KINDS:
        cleaned_options = _clean_options(errors, kind, options)
    elif options:
        errors.append(FieldError("options", f"{label.capitalize()} questions have no options."))
    if kind == QuestionKind.FILL_IN_THE_BLANK:
        cleaned_accepted = _clean_accepted_answers(errors, accepted_answers)
    elif accepted_answers:
        errors.append(
            FieldError("accepted_answers", "Only fill-in-the-blank questions have these.")
        )
    if kind == QuestionKind.TRUE_FALSE:
        if not isinstance(statement_is_true, bool):
            errors.append(FieldError("statement_is_true", "Say whether the statement is true."))
    elif statement_is_true is not None:
        errors.append(FieldError("statement_is_true", "Only true/false questions have this."))
        statement_is_true = None
    if kind == QuestionKind.MATCHING:
        cleaned_pairs = _clean_pairs(errors, pairs)
    elif pairs:
        errors.append(FieldError("pairs", "Only matching questions have pairs."))
    if errors:
        raise ValidationFailed(
            AssessmentErrorCode.INVALID_QUESTION, "The question is invalid.", errors
        )
    return QuestionDraft(
        kind=kind,
        prompt=prompt,
        points=points,
        options=cleaned_options,
        accepted_answers=cleaned_accepted,
        statement_is_true=statement_is_true,
        pairs=cleaned_pairs,
    )


def _draft_of(question: Question, options: Iterable[QuestionOption]) -> QuestionDraft:
    options = list(options)
    matching = question.kind == QuestionKind.MATCHING
    return QuestionDraft(
        kind=question.kind,
        prompt=question.prompt,
        points=question.points,
        options=() if matching else tuple((o.text, o.is_correct) for o in options),
        accepted_answers=tuple(question.accepted_answers),
        statement_is_true=question.statement_is_true,
        pairs=tuple((o.text, o.match_text) for o in options) if matching else (),
    )


def _options_create(question: Question, draft: QuestionDraft) -> None:
    if draft.kind == QuestionKind.MATCHING:
        rows = [
            QuestionOption(question=question, position=n, text=item, match_text=match)
            for n, (item, match) in enumerate(draft.pairs, 1)
        ]
    else:
        rows = [
            QuestionOption(question=question, position=n, text=text, is_correct=is_correct)
            for n, (text, is_correct) in enumerate(draft.options, 1)
        ]
    QuestionOption.objects.bulk_create(rows)


def _lock_quiz(quiz_id: int) -> Quiz:
    """Lock a quiz row: changes to a quiz's questions take turns, and wait for attempts
    being started (see the module's docstring)."""
    quiz = Quiz.objects.select_for_update().filter(pk=quiz_id).first()
    if quiz is None:
        raise NotFound(AssessmentErrorCode.QUIZ_NOT_FOUND, "The quiz no longer exists.")
    return quiz


def _current_questions(quiz: Quiz) -> QuerySet[Question]:
    return Question.objects.filter(quiz=quiz, removed_at__isnull=True).order_by("position")


def _renumber(ordered_ids: Sequence[int]) -> None:
    """Positions 1..n in the order given, in one UPDATE (the unique constraint is
    deferred to the commit)."""
    rows = [Question(pk=pk, position=n) for n, pk in enumerate(ordered_ids, 1)]
    if rows:
        Question.objects.bulk_update(rows, ["position"])


def question_in_use(*, question: Question) -> bool:
    """Whether any attempt shows this question."""
    return Attempt.objects.filter(
        quiz_id=question.quiz_id, question_order__contains=[question.pk]
    ).exists()


def question_create(
    *,
    quiz: Quiz,
    kind: str,
    prompt: str,
    points: int = 1,
    options: Sequence[OptionValues] = (),
    accepted_answers: Sequence[str] = (),
    statement_is_true: bool | None = None,
    pairs: Sequence[PairValues] = (),
) -> Question:
    """Add a question at the end of a quiz. What a kind needs: choice questions 2-20
    `options` (single choice: exactly one correct; multiple: at least one), true/false
    `statement_is_true`, fill in the blank 1-20 `accepted_answers`, matching 2-20 `pairs`
    of item and match, essays nothing more. Attempts already started do not get it."""
    draft = _clean_question(
        kind=kind,
        prompt=prompt,
        points=points,
        options=options,
        accepted_answers=accepted_answers,
        statement_is_true=statement_is_true,
        pairs=pairs,
    )
    with transaction.atomic():
        locked = _lock_quiz(quiz.pk)
        current = _current_questions(locked)
        if current.count() >= QUESTIONS_MAX:
            raise Conflict(
                AssessmentErrorCode.INVALID_QUIZ, f"A quiz has at most {QUESTIONS_MAX} questions."
            )
        last = current.aggregate(last=Max("position"))["last"] or 0
        question = Question.objects.create(
            quiz=locked,
            kind=draft.kind,
            prompt=draft.prompt,
            points=draft.points,
            position=last + 1,
            accepted_answers=list(draft.accepted_answers),
            statement_is_true=draft.statement_is_true,
        )
        _options_create(question, draft)
    return question


def question_update(
    *,
    question: Question,
    kind: str,
    prompt: str,
    points: int = 1,
    options: Sequence[OptionValues] = (),
    accepted_answers: Sequence[str] = (),
    statement_is_true: bool | None = None,
    pairs: Sequence[PairValues] = (),
) -> Question:
    """Replace a question's content (rules as in `question_create`).

    A question in use (shown in any attempt) keeps what decides its grade, so past
    attempts keep their meaning: only its prompt may change, anything else is 409
    `question_in_use` naming the fields (remove it and add a new one instead). Options
    are replaced only when they change, so their ids stay otherwise."""
    draft = _clean_question(
        kind=kind,
        prompt=prompt,
        points=points,
        options=options,
        accepted_answers=accepted_answers,
        statement_is_true=statement_is_true,
        pairs=pairs,
    )
    with transaction.atomic():
        _lock_quiz(question.quiz_id)
        locked = Question.objects.filter(pk=question.pk, removed_at__isnull=True).first()
        if locked is None:
            raise NotFound(AssessmentErrorCode.QUESTION_NOT_FOUND, "The question was removed.")
        stored = list(locked.options.order_by("position"))
        current = _draft_of(locked, stored)
        changed = current.grading_changes(draft)
        if changed and question_in_use(question=locked):
            raise Conflict(
                AssessmentErrorCode.QUESTION_IN_USE,
                "Learners have answered this question; only its prompt can change.",
                [FieldError(name, "Fixed once the question is in use.") for name in changed],
            )
        locked.kind = draft.kind
        locked.prompt = draft.prompt
        locked.points = draft.points
        locked.accepted_answers = list(draft.accepted_answers)
        locked.statement_is_true = draft.statement_is_true
        locked.save()
        if current.options != draft.options or current.pairs != draft.pairs:
            QuestionOption.objects.filter(question=locked).delete()
            _options_create(locked, draft)
    return locked


def question_remove(*, question: Question) -> None:
    """Take a question out of a quiz; the ones after it move up. A question in use is
    retired (kept, without a position, for the attempts that show it), others are
    deleted."""
    with transaction.atomic():
        locked_quiz = _lock_quiz(question.quiz_id)
        locked = Question.objects.filter(pk=question.pk, removed_at__isnull=True).first()
        if locked is None:
            return
        if question_in_use(question=locked):
            locked.removed_at = timezone.now()
            locked.position = None
            locked.save(update_fields=["removed_at", "position", "updated_at"])
        else:
            locked.delete()
        _renumber(list(_current_questions(locked_quiz).values_list("pk", flat=True)))


def questions_reorder(*, quiz: Quiz, question_ids: Sequence[int]) -> list[Question]:
    """Put a quiz's questions in the order given (new attempts without shuffling show them
    so). The list must name every current question once: 409 `order_mismatch` otherwise."""
    with transaction.atomic():
        locked = _lock_quiz(quiz.pk)
        current = list(_current_questions(locked).values_list("pk", flat=True))
        if len(question_ids) != len(current) or set(question_ids) != set(current):
            raise Conflict(
                AssessmentErrorCode.ORDER_MISMATCH,
                "Name every question of the quiz exactly once.",
                [FieldError("question_ids", f"The quiz's questions are {sorted(current)}.")],
            )
        _renumber(list(question_ids))
    return list(_current_questions(quiz))


# ------------------------------------------------------------------------------------------
# Attempts
def _not_enrolled() -> ApplicationError:
    return ApplicationError(
        code=AssessmentErrorCode.NOT_ENROLLED,
        message="Only learners with an active enrollment in the course take its quizzes.",
        status=403,
    )


def _not_your_attempt() -> ApplicationError:
    return ApplicationError(
        code=AssessmentErrorCode.NOT_YOUR_ATTEMPT,
        message="Only the learner who started an attempt answers it.",
        status=403,
    )


def _not_in_progress(attempt: Attempt) -> Conflict:
    return Conflict(
        AssessmentErrorCode.ATTEMPT_NOT_IN_PROGRESS,
        f"This attempt is {attempt.get_status_display().lower()}; it takes no more answers.",
    )


def _is_overdue(attempt: Attempt, now: datetime) -> bool:
    return attempt.deadline_at is not None and now > attempt.deadline_at + timedelta(
        seconds=DEADLINE_GRACE_SECONDS
    )


def _lock_attempt(attempt_id: int) -> tuple[Enrollment, Attempt]:
    """Lock an attempt's enrollment, then the attempt (with its quiz, lesson and course)."""
    enrollment_id = (
        Attempt.objects.filter(pk=attempt_id).values_list("enrollment_id", flat=True).first()
    )
    enrollment = Enrollment.objects.select_for_update().filter(pk=enrollment_id).first()
    if enrollment is None:
        raise NotFound(AssessmentErrorCode.ATTEMPT_NOT_FOUND, "The attempt no longer exists.")
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
            raise Conflict(AssessmentErrorCode.QUIZ_CLOSED, "The quiz's due date has passed.")
        used = attempts.count()
        if quiz.max_attempts is not None and used >= quiz.max_attempts:
            raise Conflict(
                AssessmentErrorCode.NO_ATTEMPTS_LEFT,
                f"All {quiz.max_attempts} attempts at this quiz are used.",
            )
        questions = list(
            _current_questions(quiz).prefetch_related(
                Prefetch("options", queryset=QuestionOption.objects.order_by("position"))
            )
        )
        if not questions:
            raise Conflict(
                AssessmentErrorCode.QUIZ_HAS_NO_QUESTIONS, "This quiz has no questions yet."
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
                "Another attempt started at the same moment; start again to resume it.",
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
                FieldError(f"{field}.question_id", f"No question {question_id} in this attempt.")
            )
            continue
        if question_id in seen:
            errors.append(FieldError(f"{field}.question_id", "Answer each question once."))
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
            AssessmentErrorCode.INVALID_ANSWER, "Some answers are invalid.", errors
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
        enrollment, locked = _lock_attempt(attempt.pk)
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
            "The time for this attempt is over; it was submitted with the answers saved before.",
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
        enrollment, locked = _lock_attempt(attempt.pk)
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
        _enrollment, locked = _lock_attempt(attempt.pk)
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
            _enrollment, locked = _lock_attempt(attempt_id)
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
    _announce(EventType.ASSESSMENT_SUBMITTED, attempt, actor)
    if not waiting:
        _finalise(attempt, actor=actor, now=now)


def _score(attempt: Attempt) -> None:
    """Set the attempt's score from its answers' points; the percentage is rounded down,
    so it never shows a pass the points do not make."""
    total = Answer.objects.filter(attempt=attempt).aggregate(total=Sum("points_awarded"))["total"]
    total = (total or Decimal("0")).quantize(CENT)
    attempt.score_points = total
    attempt.score_percent = (total * 100 / attempt.max_points).quantize(CENT, rounding=ROUND_DOWN)
    attempt.passed = total * 100 >= attempt.quiz.course.passing_score * attempt.max_points


def _finalise(attempt: Attempt, *, actor: User | None, now: datetime) -> None:
    """Give a locked attempt whose answers are all graded its final score."""
    _score(attempt)
    attempt.status = AttemptStatus.GRADED
    attempt.graded_at = now
    attempt.save(update_fields=["status", "graded_at", "score_points", "score_percent", "passed"])
    _announce(EventType.ASSESSMENT_GRADED, attempt, actor)
    _quiz_result_apply(attempt, actor=actor)


def _quiz_result_apply(attempt: Attempt, *, actor: User | None) -> None:
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


# ------------------------------------------------------------------------------------------
# Grading by hand
def _clean_points(points: Any, question: Question) -> Decimal:
    problem = None
    if isinstance(points, bool) or not isinstance(points, int | Decimal):
        problem = "Use a number of points."
    else:
        points = Decimal(points)
        if not points.is_finite() or not 0 <= points <= question.points:
            problem = f"Use 0 to {question.points} points."
        elif points != points.quantize(CENT):
            problem = "Use at most two decimal places."
    if problem:
        raise ValidationFailed(
            AssessmentErrorCode.INVALID_GRADE,
            "The grade is invalid.",
            [FieldError("points", problem)],
        )
    return points.quantize(CENT)


def _not_submitted() -> Conflict:
    return Conflict(
        AssessmentErrorCode.ATTEMPT_NOT_SUBMITTED, "The attempt has not been submitted yet."
    )


def essay_grade(
    *, answer: Answer, grader: User, points: Decimal | int, feedback: str = ""
) -> Answer:
    """Grade an essay answer of a submitted attempt: points from 0 to the question's, and
    feedback for the learner. The learner gets an in-app notification and an e-mail
    (after commit). The last essay graded gives the attempt its final score
    (`assessment.graded`; the lesson is passed when it counts and passes). 409
    `not_an_essay` for other answers, `already_graded` for a graded one (override it
    instead)."""
    question = answer.question
    if question.kind != QuestionKind.ESSAY:
        raise Conflict(
            AssessmentErrorCode.NOT_AN_ESSAY,
            "Only essays are graded by hand; override other answers' points instead.",
        )
    points = _clean_points(points, question)
    errors: list[FieldError] = []
    feedback = text_field(errors, "feedback", feedback, limit=FEEDBACK_MAX, required=False)
    if errors:
        raise ValidationFailed(AssessmentErrorCode.INVALID_GRADE, "The grade is invalid.", errors)
    with transaction.atomic():
        _enrollment, attempt = _lock_attempt(answer.attempt_id)
        locked = Answer.objects.select_for_update().get(pk=answer.pk)
        if attempt.status == AttemptStatus.IN_PROGRESS:
            raise _not_submitted()
        if locked.points_awarded is not None:
            raise Conflict(
                AssessmentErrorCode.ALREADY_GRADED,
                "This essay is graded; override its points to change them.",
            )
        now = timezone.now()
        locked.points_awarded = points
        locked.feedback = feedback
        locked.graded_by = grader
        locked.graded_at = now
        locked.save(update_fields=["points_awarded", "feedback", "graded_by", "graded_at"])
        _essay_graded_tell(attempt, locked, question, now)
        if not Answer.objects.filter(attempt=attempt, points_awarded__isnull=True).exists():
            _finalise(attempt, actor=grader, now=now)
    return locked


def _essay_graded_tell(attempt: Attempt, answer: Answer, question: Question, now: datetime) -> None:
    """In-app now, e-mail after commit. Points show only where the learner may see
    results."""
    from tenant_apps.assessments.tasks import essay_graded_send

    lesson = attempt.quiz.lesson
    if results_visible_to_learner(attempt=attempt, now=now):
        body = f"You earned {answer.points_awarded} of {question.points} points."
    else:
        body = "Your essay has been graded."
    notification_send(
        recipient_id=attempt.learner_id,
        kind=NotificationKind.GRADED,
        title=f"Your essay in {lesson.title} was graded",
        body=body,
        link=f"/courses/{attempt.quiz.course_id}/lessons/{lesson.pk}/",
    )
    answer_id = answer.pk
    after_commit(lambda: essay_graded_send.delay(answer_id))


def answer_points_override(
    *, answer: Answer, actor: User, points: Decimal | int, reason: str
) -> Answer:
    """Change the points of a graded answer (any kind), giving a reason; audited as
    `grade.overridden` with the points and the attempt's score before and after. A graded
    attempt gets its new score at once (`assessment.graded` again, with `override`), and
    passes the lesson if it now counts and passes; a lesson already done stays done. The
    same points again change nothing. 409 while the attempt runs or the answer (an essay)
    awaits its first grade."""
    errors: list[FieldError] = []
    reason = text_field(errors, "reason", reason, limit=REASON_MAX)
    if errors:
        raise ValidationFailed(AssessmentErrorCode.INVALID_GRADE, "Give a reason.", errors)
    points = _clean_points(points, answer.question)
    with transaction.atomic():
        _enrollment, attempt = _lock_attempt(answer.attempt_id)
        locked = Answer.objects.select_for_update().get(pk=answer.pk)
        if attempt.status == AttemptStatus.IN_PROGRESS:
            raise _not_submitted()
        if locked.points_awarded is None:
            raise Conflict(
                AssessmentErrorCode.NOT_GRADED_YET, "Grade this essay before overriding it."
            )
        if locked.points_awarded == points:
            return locked
        before = {
            "points_awarded": locked.points_awarded,
            "attempt_score_points": attempt.score_points,
            "attempt_passed": attempt.passed,
        }
        now = timezone.now()
        locked.points_awarded = points
        locked.graded_by = actor
        locked.graded_at = now
        locked.save(update_fields=["points_awarded", "graded_by", "graded_at"])
        if attempt.status == AttemptStatus.GRADED:
            _score(attempt)
            attempt.graded_at = now
            attempt.save(update_fields=["graded_at", "score_points", "score_percent", "passed"])
            _announce(EventType.ASSESSMENT_GRADED, attempt, actor, override=True)
            _quiz_result_apply(attempt, actor=actor)
        audit_record(
            action=AuditAction.GRADE_OVERRIDDEN,
            actor=actor,
            target=locked,
            before=before,
            after={
                "points_awarded": points,
                "attempt_score_points": attempt.score_points,
                "attempt_passed": attempt.passed,
                "reason": reason,
            },
        )
    return locked
