"""Fixtures for the assessments tests: people of each role in tenant A, published courses
with a quiz lesson built with the real services, quizzes and their questions, an enrolled
learner, and (for threads and worker processes) the same committed for real."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_apps.assessments import services
from tenant_apps.assessments.models import (
    Answer,
    Attempt,
    Question,
    QuestionKind,
    QuestionOption,
    Quiz,
)
from tenant_apps.audit.models import AuditEntry
from tenant_apps.courses.models import Course, Lesson, LessonKind, Tag
from tenant_apps.enrollments.models import Enrollment
from tenant_apps.enrollments.services import enrollment_self_enroll
from tenant_apps.events.models import OutboxEvent
from tenant_apps.people.models import RefreshToken, Role, User
from tenant_apps.people.services import user_create
from tenant_apps.progress.models import LessonProgress
from tests.builders import course_build, lessons_of
from tests.snapshots import snapshot


@dataclass(frozen=True)
class QuizSetup:
    course: Course
    lesson: Lesson
    quiz: Quiz


def quiz_course(
    *,
    owner: User,
    passing_score: int = 70,
    other_lessons: int = 0,
    title: str | None = None,
    **quiz_settings: Any,
) -> QuizSetup:
    """A published course (tests/builders.py), in the current schema, whose first lesson is a
    quiz lesson ("Lesson 1.1") with a quiz of the given settings, followed by
    `other_lessons` required text lessons."""
    course = course_build(
        owner=owner,
        title=title,
        passing_score=passing_score,
        lessons=[LessonKind.QUIZ, *[LessonKind.TEXT] * other_lessons],
    )
    lesson = lessons_of(course)[0]
    quiz, _created = services.quiz_save(lesson=lesson, **quiz_settings)
    return QuizSetup(course=course, lesson=lesson, quiz=quiz)


def add_single_choice(
    quiz: Quiz, *, prompt: str = "Capital of France?", points: int = 1
) -> Question:
    return services.question_create(
        quiz=quiz,
        kind=QuestionKind.SINGLE_CHOICE,
        prompt=prompt,
        points=points,
        options=[
            {"text": "Paris", "is_correct": True},
            {"text": "Lyon", "is_correct": False},
            {"text": "Nice", "is_correct": False},
        ],
    )


def add_multiple_choice(quiz: Quiz, *, points: int = 2) -> Question:
    return services.question_create(
        quiz=quiz,
        kind=QuestionKind.MULTIPLE_CHOICE,
        prompt="Which are prime?",
        points=points,
        options=[
            {"text": "2", "is_correct": True},
            {"text": "4", "is_correct": False},
            {"text": "5", "is_correct": True},
            {"text": "9", "is_correct": False},
        ],
    )


def add_true_false(quiz: Quiz, *, points: int = 1, statement_is_true: bool = True) -> Question:
    return services.question_create(
        quiz=quiz,
        kind=QuestionKind.TRUE_FALSE,
        prompt="Water boils at 100 °C at sea level.",
        points=points,
        statement_is_true=statement_is_true,
    )


def add_fill_in(quiz: Quiz, *, points: int = 1) -> Question:
    return services.question_create(
        quiz=quiz,
        kind=QuestionKind.FILL_IN_THE_BLANK,
        prompt="The chemical symbol of gold is ___.",
        points=points,
        accepted_answers=["Au", "Aurum"],
    )


def add_matching(quiz: Quiz, *, points: int = 3) -> Question:
    return services.question_create(
        quiz=quiz,
        kind=QuestionKind.MATCHING,
        prompt="Match each element with its symbol.",
        points=points,
        pairs=[
            {"item": "Gold", "match": "Au"},
            {"item": "Silver", "match": "Ag"},
            {"item": "Iron", "match": "Fe"},
        ],
    )


def add_essay(quiz: Quiz, *, points: int = 5, prompt: str = "Explain photosynthesis.") -> Question:
    return services.question_create(
        quiz=quiz, kind=QuestionKind.ESSAY, prompt=prompt, points=points
    )


def quiz_rows(tenant=None) -> dict:
    """Every quiz, question, option, attempt, answer, enrollment and progress row of a
    tenant (else the current schema), with its events and audit log: a refused request
    changes none of them."""
    return snapshot(
        Quiz, Question, QuestionOption, Attempt, Answer, Enrollment, LessonProgress, tenant=tenant
    )


def option_id(question: Question, text: str) -> int:
    """The id of the option (or matching item) with this text."""
    return question.options.get(text=text).pk


def overdue(attempt: Attempt, seconds_past_deadline: int) -> Attempt:
    """Move an attempt's clock: its deadline passed this many seconds ago."""
    deadline = timezone.now() - timedelta(seconds=seconds_past_deadline)
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline_at=deadline, started_at=deadline - timedelta(minutes=10)
    )
    attempt.refresh_from_db()
    return attempt


BuildQuiz = Callable[..., QuizSetup]


@pytest.fixture
def build_quiz(in_tenant_a, author) -> Iterator[BuildQuiz]:
    """Build quiz courses in tenant A, owned by the author unless told (see `quiz_course`)."""

    def build(**options: Any) -> QuizSetup:
        options.setdefault("owner", author)
        return quiz_course(**options)

    yield build


@pytest.fixture
def enroll(in_tenant_a) -> Callable[[User, Course], Enrollment]:
    """Enrol a person in a free published course through the real service (active)."""

    def make(user: User, course: Course) -> Enrollment:
        return enrollment_self_enroll(user=user, course=course)

    return make


@dataclass(frozen=True)
class CommittedQuiz:
    schema: str
    host: str
    learner: User
    quiz: Quiz

    def attempts(self) -> list[tuple[int, str]]:
        with schema_context(self.schema):
            return list(
                Attempt.objects.filter(quiz=self.quiz)
                .order_by("number")
                .values_list("number", "status")
            )


@pytest.fixture
def committed(tenant_a, django_db_blocker) -> Iterator[CommittedQuiz]:
    """A published course with a quiz (at most two attempts) and an enrolled learner,
    committed for real; removed afterwards."""
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        owner = user_create(email="race-owner@example.com", role=Role.CONTENT_CREATOR)
        learner = user_create(email="race-learner@example.com", role=Role.LEARNER)
        try:
            course = course_build(owner=owner, title="Racing quizzes", lessons=[LessonKind.QUIZ])
            quiz, _created = services.quiz_save(lesson=lessons_of(course)[0], max_attempts=2)
            services.question_create(
                quiz=quiz,
                kind=QuestionKind.TRUE_FALSE,
                prompt="Sky is blue.",
                statement_is_true=True,
            )
            enrollment_self_enroll(user=learner, course=course)
            yield CommittedQuiz(
                schema=tenant_a.schema, host=tenant_a.host, learner=learner, quiz=quiz
            )
        finally:
            people = [owner.pk, learner.pk]
            Enrollment.objects.filter(user_id__in=people).delete()
            Course.objects.filter(owner_id__in=people).delete()
            Tag.objects.all().delete()
            AuditEntry.objects.filter(actor_id__in=people).delete()
            OutboxEvent.objects.filter(actor_id__in=people).delete()
            OutboxEvent.objects.filter(
                subject_type="attempt", payload__learner_id__in=people
            ).delete()
            OutboxEvent.objects.filter(
                subject_type="user", subject_id__in=map(str, people)
            ).delete()
            RefreshToken.objects.filter(user_id__in=people).delete()
            User.objects.filter(pk__in=people).delete()
