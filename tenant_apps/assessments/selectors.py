"""Reads on assessments. Ids from another tenant are not in this schema: 404.

Who sees what: a learner sees their own attempts (scores and correct answers as the
quiz's results visibility allows, see models.py); graders of the course see every attempt
in full; authors see questions with their answer keys. Questions reach learners only
inside an attempt, without keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import NotFound
from tenant_apps.assessments.errors import AssessmentErrorCode
from tenant_apps.assessments.grading import correct_answer
from tenant_apps.assessments.models import (
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
from tenant_apps.assessments.permissions import graded_courses_filter, user_can_grade
from tenant_apps.courses.models import Lesson
from tenant_apps.people.models import User


def results_visible_to_learner(*, attempt: Attempt, now: datetime | None = None) -> bool:
    """Whether the learner may see the attempt's scores, points per answer, feedback and
    correct answers now."""
    if attempt.status == AttemptStatus.IN_PROGRESS:
        return False
    quiz = attempt.quiz
    if quiz.results_visibility == ResultsVisibility.IMMEDIATELY:
        return True
    if quiz.results_visibility == ResultsVisibility.AFTER_DUE_DATE:
        return quiz.due_at is not None and (now or timezone.now()) >= quiz.due_at
    return False


# ------------------------------------------------------------------------------------------
# Quizzes and questions
def _current_questions() -> Q:
    return Q(questions__removed_at__isnull=True)


def quiz_of_lesson(*, lesson: Lesson) -> Quiz:
    """The lesson's quiz with `question_count` and `total_points` of its current
    questions; 404 when the lesson has none."""
    quiz = (
        Quiz.objects.filter(lesson_id=lesson.pk)
        .select_related("course")
        .annotate(
            question_count=Count("questions", filter=_current_questions()),
            total_points=Coalesce(Sum("questions__points", filter=_current_questions()), 0),
        )
        .first()
    )
    if quiz is None:
        raise NotFound(AssessmentErrorCode.QUIZ_NOT_FOUND, _("This lesson has no quiz."))
    return quiz


def _with_options(questions: QuerySet[Question]) -> QuerySet[Question]:
    return questions.prefetch_related(
        Prefetch("options", queryset=QuestionOption.objects.order_by("position"))
    )


def questions_of(*, quiz: Quiz) -> QuerySet[Question]:
    """The quiz's current questions in order, with their options (two queries)."""
    return _with_options(
        Question.objects.filter(quiz=quiz, removed_at__isnull=True).order_by("position")
    )


def question_get(*, quiz: Quiz, question_id: int) -> Question:
    question = questions_of(quiz=quiz).filter(pk=question_id).first()
    if question is None:
        raise NotFound(AssessmentErrorCode.QUESTION_NOT_FOUND, _("No such question in this quiz."))
    return question


# ------------------------------------------------------------------------------------------
# Attempts
def attempts_of_learner(*, quiz: Quiz, learner: User) -> QuerySet[Attempt]:
    """A learner's attempts at a quiz (in all their enrollments), newest first."""
    return (
        Attempt.objects.filter(quiz=quiz, learner=learner)
        .select_related("quiz__course", "quiz__lesson")
        .order_by("-number", "-id")
    )


def attempt_get(*, quiz: Quiz, attempt_id: int, viewer: User) -> Attempt:
    """An attempt at the quiz that `viewer` may see: their own, or any when they grade the
    course. Any other id is 404."""
    attempt = (
        Attempt.objects.select_related("quiz__course", "quiz__lesson", "enrollment")
        .filter(quiz=quiz, pk=attempt_id)
        .first()
    )
    if attempt is None or (
        attempt.learner_id != viewer.pk and not user_can_grade(viewer, course=quiz.course)
    ):
        raise NotFound(AssessmentErrorCode.ATTEMPT_NOT_FOUND, _("No such attempt."))
    return attempt


@dataclass(frozen=True)
class AttemptQuestion:
    """A question as an attempt shows it, with the learner's answer and, where results
    are visible, its points, feedback and the correct answer."""

    question: Question
    options: list[QuestionOption]
    items: list[QuestionOption]
    matches: list[str]
    answer: Answer | None
    show_results: bool
    correct: dict[str, Any] | None

    @property
    def points_awarded(self) -> Any:
        return self.answer.points_awarded if self.answer and self.show_results else None

    @property
    def feedback(self) -> str | None:
        return self.answer.feedback if self.answer and self.show_results else None


@dataclass(frozen=True)
class AttemptView:
    attempt: Attempt
    questions: list[AttemptQuestion]
    # Seen by a grader of the course: every result, whatever the quiz's visibility.
    staff: bool


def attempt_view(*, attempt: Attempt, viewer: User, now: datetime | None = None) -> AttemptView:
    """The attempt with its questions and options in the attempt's order, in three queries.
    Correct answers appear only where results are visible to `viewer`."""
    now = now or timezone.now()
    staff = attempt.learner_id != viewer.pk or user_can_grade(viewer, course=attempt.quiz.course)
    show_results = staff or results_visible_to_learner(attempt=attempt, now=now)
    questions = {
        question.pk: question
        for question in _with_options(Question.objects.filter(pk__in=attempt.question_order))
    }
    answers = {answer.question_id: answer for answer in Answer.objects.filter(attempt=attempt)}
    shown: list[AttemptQuestion] = []
    for question_id in attempt.question_order:
        question = questions.get(question_id)
        if question is None:  # cannot happen: questions in use are never deleted
            continue
        options = {option.pk: option for option in question.options.all()}
        ordered = [
            options[pk] for pk in attempt.option_order.get(str(question_id), []) if pk in options
        ]
        matching = question.kind == QuestionKind.MATCHING
        shown.append(
            AttemptQuestion(
                question=question,
                options=[] if matching else ordered,
                items=ordered if matching else [],
                matches=list(attempt.match_order.get(str(question_id), [])),
                answer=answers.get(question_id),
                show_results=show_results,
                correct=(
                    correct_answer(question=question, options=list(options.values()))
                    if show_results
                    else None
                ),
            )
        )
    return AttemptView(attempt=attempt, questions=shown, staff=staff)


# ------------------------------------------------------------------------------------------
# Grading
def essay_queue(*, grader: User) -> QuerySet[Answer]:
    """Essay answers waiting for a grade in the courses `grader` grades, oldest submission
    first, with everything the queue shows (one query per page)."""
    scope = graded_courses_filter(grader, prefix="attempt__quiz__course__")
    if scope is None:
        return Answer.objects.none()
    return (
        Answer.objects.filter(
            scope,
            question__kind=QuestionKind.ESSAY,
            points_awarded__isnull=True,
            attempt__status=AttemptStatus.AWAITING_GRADING,
        )
        .select_related(
            "question", "attempt__learner", "attempt__quiz__lesson", "attempt__quiz__course"
        )
        .order_by("attempt__submitted_at", "id")
    )


def answer_get(*, answer_id: int, attempt_id: int | None = None) -> Answer:
    """An answer (of the given attempt, if one is named) with its question and attempt;
    404 if there is none."""
    answers = Answer.objects.select_related(
        "question", "attempt__quiz__course", "attempt__quiz__lesson"
    ).filter(pk=answer_id)
    if attempt_id is not None:
        answers = answers.filter(attempt_id=attempt_id)
    answer = answers.first()
    if answer is None:
        raise NotFound(AssessmentErrorCode.ANSWER_NOT_FOUND, _("No such answer."))
    return answer


# ------------------------------------------------------------------------------------------
# The learner's quiz pages
@dataclass(frozen=True)
class AttemptSummary:
    attempt: Attempt
    # Whether the learner may see its score now (see `results_visible_to_learner`).
    show_results: bool


@dataclass(frozen=True)
class QuizOverview:
    """A quiz as its learner sees it before (or between) attempts."""

    quiz: Quiz
    attempts: list[AttemptSummary]  # newest first
    running: Attempt | None
    attempts_left: int | None  # None: no limit
    passed: bool
    closed: bool  # the due date has passed

    @property
    def may_start(self) -> bool:
        return self.running is None and not self.closed and self.attempts_left != 0


def quiz_overview(*, quiz: Quiz, learner: User, now: datetime | None = None) -> QuizOverview:
    """The learner's attempts at the quiz (each with whether its results are visible), the
    running one, how many are left and whether the quiz is passed; one query."""
    now = now or timezone.now()
    attempts = list(attempts_of_learner(quiz=quiz, learner=learner))
    running = next((a for a in attempts if a.status == AttemptStatus.IN_PROGRESS), None)
    handed_in = [a for a in attempts if a.status != AttemptStatus.IN_PROGRESS]
    if quiz.counted_attempt == CountedAttempt.LAST:
        passed = bool(handed_in) and bool(handed_in[0].passed)
    else:
        passed = any(a.passed for a in handed_in)
    return QuizOverview(
        quiz=quiz,
        attempts=[
            AttemptSummary(a, results_visible_to_learner(attempt=a, now=now)) for a in attempts
        ],
        running=running,
        attempts_left=None
        if quiz.max_attempts is None
        else max(0, quiz.max_attempts - len(attempts)),
        passed=passed,
        closed=quiz.due_at is not None and now >= quiz.due_at,
    )


def seconds_left(*, attempt: Attempt, now: datetime | None = None) -> int | None:
    """How long the running attempt has before its deadline, by the server's clock; None
    without a deadline."""
    if attempt.deadline_at is None:
        return None
    return max(0, int((attempt.deadline_at - (now or timezone.now())).total_seconds()))
