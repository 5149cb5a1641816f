"""Attempts through the services: starting and resuming, the time limit and the due date,
maximum attempts, the order shown (shuffled or not, and stable), scores, which attempt
counts (best or last), the lesson and course they complete, and their events."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import ApplicationError, Conflict
from tenant_apps.assessments import services
from tenant_apps.assessments.models import Answer, Attempt, QuestionOption
from tenant_apps.assessments.selectors import attempt_view
from tenant_apps.assessments.tasks import overdue_attempts_submit
from tenant_apps.enrollments.services import enrollment_cancel
from tenant_apps.events.models import OutboxEvent
from tenant_apps.progress.models import LessonProgress
from tests.tenant_apps.assessments.conftest import (
    add_essay,
    add_matching,
    add_single_choice,
    add_true_false,
    option_id,
    overdue,
    quiz_rows,
)


@pytest.fixture
def setup(build_quiz):
    return build_quiz(passing_score=70, other_lessons=1)


@pytest.fixture
def enrollment(setup, learner, enroll):
    return enroll(learner, setup.course)


def answer_events(attempt: Attempt) -> list[tuple[str, str, object]]:
    return list(
        OutboxEvent.objects.filter(subject_type="attempt", subject_id=str(attempt.pk))
        .order_by("id")
        .values_list("event_type", "payload__status", "payload__passed")
    )


def answer_single(attempt: Attempt, learner, question, text: str) -> None:
    services.attempt_answers_save(
        attempt=attempt,
        learner=learner,
        answers=[
            {"question_id": question.pk, "response": {"option_id": option_id(question, text)}}
        ],
    )


def lesson_done(enrollment, lesson) -> bool:
    return LessonProgress.objects.filter(
        enrollment=enrollment, lesson=lesson, completed_at__isnull=False
    ).exists()


# ------------------------------------------------------------------------------------------
# Starting and resuming
def test_start_lays_out_the_attempt_in_the_quiz_order(setup, learner, enrollment):
    first = add_single_choice(setup.quiz, points=2)
    second = add_true_false(setup.quiz, points=1)
    third = add_matching(setup.quiz, points=3)
    attempt, new = services.attempt_start(quiz=setup.quiz, learner=learner)
    assert new is True
    assert attempt.number == 1
    assert attempt.status == "in_progress"
    assert attempt.enrollment_id == enrollment.pk
    assert attempt.learner_id == learner.pk
    assert attempt.question_order == [first.pk, second.pk, third.pk]
    assert attempt.option_order == {
        str(first.pk): [option_id(first, t) for t in ("Paris", "Lyon", "Nice")],
        str(third.pk): [option_id(third, t) for t in ("Gold", "Silver", "Iron")],
    }
    # Matches are never in the items' order (that would give the pairs away).
    assert attempt.match_order == {str(third.pk): ["Ag", "Au", "Fe"]}
    assert attempt.deadline_at is None
    assert attempt.max_points == 6


def test_starting_again_resumes_the_running_attempt(setup, learner, enrollment):
    add_single_choice(setup.quiz)
    attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    again, new = services.attempt_start(quiz=setup.quiz, learner=learner)
    assert (again.pk, new) == (attempt.pk, False)
    assert Attempt.objects.count() == 1


def test_a_quiz_without_questions_cannot_be_started(setup, learner, enrollment):
    before = quiz_rows()
    with pytest.raises(Conflict) as caught:
        services.attempt_start(quiz=setup.quiz, learner=learner)
    assert caught.value.code.value == "quiz_has_no_questions"
    assert quiz_rows() == before


def test_only_an_active_enrollment_starts_attempts(setup, learner, other_learner, enrollment):
    add_single_choice(setup.quiz)
    before = quiz_rows()
    with pytest.raises(ApplicationError) as caught:
        services.attempt_start(quiz=setup.quiz, learner=other_learner)
    assert (caught.value.code.value, caught.value.status) == ("not_enrolled", 403)
    assert quiz_rows() == before
    enrollment_cancel(enrollment=enrollment, actor=learner)
    before = quiz_rows()
    with pytest.raises(ApplicationError) as caught:
        services.attempt_start(quiz=setup.quiz, learner=learner)
    assert (caught.value.code.value, caught.value.status) == ("not_enrolled", 403)
    assert quiz_rows() == before


def test_answers_and_submission_need_an_active_enrollment(setup, learner, enrollment):
    question = add_single_choice(setup.quiz)
    attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    answer_single(attempt, learner, question, "Lyon")
    enrollment_cancel(enrollment=enrollment, actor=learner)
    attempt = Attempt.objects.select_related("enrollment", "quiz").get(pk=attempt.pk)
    before = quiz_rows()  # in progress, answered "Lyon"
    with pytest.raises(ApplicationError) as caught:
        answer_single(attempt, learner, question, "Paris")
    assert (caught.value.code.value, caught.value.status) == ("not_enrolled", 403)
    with pytest.raises(ApplicationError) as caught:
        services.attempt_submit(attempt=attempt, learner=learner)
    assert (caught.value.code.value, caught.value.status) == ("not_enrolled", 403)
    assert quiz_rows() == before


def test_someone_else_cannot_answer_or_submit(setup, learner, other_learner, enrollment, enroll):
    question = add_single_choice(setup.quiz)
    enroll(other_learner, setup.course)
    attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    before = quiz_rows()
    with pytest.raises(ApplicationError) as caught:
        answer_single(attempt, other_learner, question, "Paris")
    assert (caught.value.code.value, caught.value.status) == ("not_your_attempt", 403)
    with pytest.raises(ApplicationError) as caught:
        services.attempt_submit(attempt=attempt, learner=other_learner)
    assert (caught.value.code.value, caught.value.status) == ("not_your_attempt", 403)
    assert quiz_rows() == before


def test_a_submitted_attempt_takes_no_more_answers(setup, learner, enrollment):
    question = add_single_choice(setup.quiz)
    attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    services.attempt_submit(attempt=attempt, learner=learner)
    before = quiz_rows()
    with pytest.raises(Conflict) as caught:
        answer_single(attempt, learner, question, "Paris")
    assert caught.value.code.value == "attempt_not_in_progress"
    with pytest.raises(Conflict) as caught:
        services.attempt_submit(attempt=attempt, learner=learner)
    assert caught.value.code.value == "attempt_not_in_progress"
    assert quiz_rows() == before
    assert Answer.objects.get().response is None


# ------------------------------------------------------------------------------------------
# Maximum attempts
def test_max_attempts(build_quiz, learner, enroll):
    setup = build_quiz(max_attempts=2)
    add_single_choice(setup.quiz)
    enroll(learner, setup.course)
    for _ in range(2):
        attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
        services.attempt_submit(attempt=attempt, learner=learner)
    before = quiz_rows()
    with pytest.raises(Conflict) as caught:
        services.attempt_start(quiz=setup.quiz, learner=learner)
    assert caught.value.code.value == "no_attempts_left"
    assert caught.value.message == "All 2 attempts at this quiz are used."
    assert quiz_rows() == before
    assert list(Attempt.objects.order_by("number").values_list("number", flat=True)) == [1, 2]


# ------------------------------------------------------------------------------------------
# Time limit and due date: enforced by the server
def test_the_deadline_is_the_time_limit_from_the_start(build_quiz, learner, enroll):
    setup = build_quiz(time_limit_minutes=30)
    add_single_choice(setup.quiz)
    enroll(learner, setup.course)
    attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    assert attempt.deadline_at == attempt.started_at + timedelta(minutes=30)


def test_the_due_date_cuts_the_time_limit_short(build_quiz, learner, enroll):
    due = timezone.now() + timedelta(minutes=10)
    setup = build_quiz(time_limit_minutes=30, due_at=due)
    add_single_choice(setup.quiz)
    enroll(learner, setup.course)
    attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    assert attempt.deadline_at == due


def test_no_attempt_starts_after_the_due_date(build_quiz, learner, enroll):
    setup = build_quiz(due_at=timezone.now() - timedelta(minutes=1))
    add_single_choice(setup.quiz)
    enroll(learner, setup.course)
    before = quiz_rows()
    with pytest.raises(Conflict) as caught:
        services.attempt_start(quiz=setup.quiz, learner=learner)
    assert caught.value.code.value == "quiz_closed"
    assert quiz_rows() == before


def test_answers_within_the_grace_count(build_quiz, learner, enroll):
    setup = build_quiz(time_limit_minutes=5)
    question = add_single_choice(setup.quiz)
    enroll(learner, setup.course)
    attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    overdue(attempt, seconds_past_deadline=20)  # grace is 30 s
    answer_single(attempt, learner, question, "Paris")
    attempt = services.attempt_submit(attempt=attempt, learner=learner)
    assert (attempt.status, attempt.auto_submitted, attempt.score_points) == (
        "graded",
        False,
        Decimal("1.00"),
    )


def test_answers_after_the_grace_are_refused_and_the_attempt_submitted(build_quiz, learner, enroll):
    setup = build_quiz(time_limit_minutes=5)
    first = add_single_choice(setup.quiz)
    second = add_single_choice(setup.quiz, prompt="Capital of Spain?")
    enroll(learner, setup.course)
    attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    answer_single(attempt, learner, first, "Paris")
    overdue(attempt, seconds_past_deadline=31)
    with pytest.raises(Conflict) as caught:
        answer_single(attempt, learner, second, "Paris")
    assert caught.value.code.value == "time_over"
    attempt.refresh_from_db()
    assert attempt.status == "graded"
    assert attempt.auto_submitted is True
    assert attempt.score_points == Decimal("1.00")
    assert dict(Answer.objects.values_list("question_id", "response")) == {
        first.pk: {"option_id": option_id(first, "Paris")},
        second.pk: None,
    }
    assert answer_events(attempt) == [
        ("assessment.submitted", "awaiting_grading", None),
        ("assessment.graded", "graded", False),
    ]
    assert OutboxEvent.objects.filter(event_type="assessment.submitted").get().actor_id is None


def test_submitting_after_the_grace_submits_what_was_saved(build_quiz, learner, enroll):
    setup = build_quiz(time_limit_minutes=5)
    add_single_choice(setup.quiz)
    enroll(learner, setup.course)
    attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    overdue(attempt, seconds_past_deadline=120)
    attempt = services.attempt_submit(attempt=attempt, learner=learner)
    assert (attempt.status, attempt.auto_submitted, attempt.score_points) == (
        "graded",
        True,
        Decimal("0.00"),
    )


def test_reading_an_overdue_attempt_submits_it(build_quiz, learner, enroll):
    setup = build_quiz(time_limit_minutes=5)
    add_single_choice(setup.quiz)
    enroll(learner, setup.course)
    attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    assert services.attempt_submit_if_overdue(attempt=attempt).status == "in_progress"
    overdue(attempt, seconds_past_deadline=60)
    assert services.attempt_submit_if_overdue(attempt=attempt).status == "graded"


def test_starting_after_an_overdue_attempt_submits_it_and_starts_the_next(
    build_quiz, learner, enroll
):
    setup = build_quiz(time_limit_minutes=5, max_attempts=2)
    add_single_choice(setup.quiz)
    enroll(learner, setup.course)
    first, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    overdue(first, seconds_past_deadline=60)
    second, new = services.attempt_start(quiz=setup.quiz, learner=learner)
    first.refresh_from_db()
    assert (first.status, first.auto_submitted) == ("graded", True)
    assert (second.number, second.status, new) == (2, "in_progress", True)


def test_the_sweep_task_submits_overdue_attempts(build_quiz, learner, other_learner, enroll):
    setup = build_quiz(time_limit_minutes=5)
    add_single_choice(setup.quiz)
    enroll(learner, setup.course)
    enroll(other_learner, setup.course)
    late, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    running, _new = services.attempt_start(quiz=setup.quiz, learner=other_learner)
    overdue(late, seconds_past_deadline=45)
    assert overdue_attempts_submit.delay().get() == 1
    assert dict(Attempt.objects.values_list("pk", "status")) == {
        late.pk: "graded",
        running.pk: "in_progress",
    }


# ------------------------------------------------------------------------------------------
# Shuffling: per attempt, and stable within it
def test_shuffled_order_is_stored_and_stays_the_same_when_resumed(build_quiz, learner, enroll):
    setup = build_quiz(shuffle_questions=True, shuffle_options=True, max_attempts=3)
    questions = [add_single_choice(setup.quiz, prompt=f"Question {n}") for n in range(1, 9)]
    matching = add_matching(setup.quiz)
    enroll(learner, setup.course)
    orders = []
    for _ in range(3):
        attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
        resumed, new = services.attempt_start(quiz=setup.quiz, learner=learner)
        assert new is False
        assert resumed.question_order == attempt.question_order
        assert resumed.option_order == attempt.option_order
        assert resumed.match_order == attempt.match_order
        shown = attempt_view(attempt=attempt, viewer=learner)
        assert [q.question.pk for q in shown.questions] == attempt.question_order
        for question in shown.questions:
            key = str(question.question.pk)
            shown_ids = [o.pk for o in (question.items or question.options)]
            assert shown_ids == attempt.option_order[key]
        assert sorted(attempt.question_order) == sorted([q.pk for q in [*questions, matching]])
        for question in questions:
            assert sorted(attempt.option_order[str(question.pk)]) == sorted(
                QuestionOption.objects.filter(question=question).values_list("pk", flat=True)
            )
        assert sorted(attempt.match_order[str(matching.pk)]) == ["Ag", "Au", "Fe"]
        orders.append(attempt.question_order)
        services.attempt_submit(attempt=attempt, learner=learner)
    # 9! orders: three equal ones would mean nothing was shuffled.
    assert len({tuple(order) for order in orders}) > 1


# ------------------------------------------------------------------------------------------
# Scores, passing, and which attempt counts
def test_a_passing_attempt_passes_the_lesson_and_says_so(setup, learner, enrollment):
    question = add_single_choice(setup.quiz, points=3)
    add_true_false(setup.quiz, points=1)
    attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    answer_single(attempt, learner, question, "Paris")
    attempt = services.attempt_submit(attempt=attempt, learner=learner)
    assert (attempt.score_points, attempt.score_percent, attempt.passed) == (
        Decimal("3.00"),
        Decimal("75.00"),
        True,
    )
    assert lesson_done(enrollment, setup.lesson)
    enrollment.refresh_from_db()
    assert enrollment.status == "active"  # another required lesson is left
    submitted, graded = OutboxEvent.objects.filter(subject_type="attempt").order_by("id")
    assert submitted.event_type == "assessment.submitted"
    assert submitted.actor_id == learner.pk
    assert submitted.payload == {
        "id": attempt.pk,
        "quiz_id": setup.quiz.pk,
        "lesson_id": setup.lesson.pk,
        "course_id": setup.course.pk,
        "enrollment_id": enrollment.pk,
        "learner_id": learner.pk,
        "number": 1,
        "status": "awaiting_grading",
        "started_at": submitted.payload["started_at"],
        "submitted_at": submitted.payload["submitted_at"],
        "auto_submitted": False,
        "graded_at": None,
        "max_points": 4,
        "score_points": None,
        "score_percent": None,
        "passed": None,
    }
    assert graded.event_type == "assessment.graded"
    assert {
        k: graded.payload[k] for k in ("status", "score_points", "score_percent", "passed")
    } == {
        "status": "graded",
        "score_points": "3.00",
        "score_percent": "75.00",
        "passed": True,
    }


def test_the_passing_score_is_a_minimum_percentage(build_quiz, learner, enroll):
    setup = build_quiz(passing_score=50, other_lessons=1)
    question = add_single_choice(setup.quiz)
    add_true_false(setup.quiz)
    enrollment = enroll(learner, setup.course)
    attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    answer_single(attempt, learner, question, "Paris")
    attempt = services.attempt_submit(attempt=attempt, learner=learner)
    assert (attempt.score_percent, attempt.passed) == (Decimal("50.00"), True)
    assert lesson_done(enrollment, setup.lesson)


def test_the_percentage_is_rounded_down_and_never_shows_a_pass_it_is_not(
    build_quiz, learner, enroll
):
    setup = build_quiz(passing_score=67)
    questions = [add_single_choice(setup.quiz, prompt=f"Q{n}") for n in range(3)]
    enrollment = enroll(learner, setup.course)
    attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    for question in questions[:2]:
        answer_single(attempt, learner, question, "Paris")
    attempt = services.attempt_submit(attempt=attempt, learner=learner)
    assert (attempt.score_percent, attempt.passed) == (Decimal("66.66"), False)
    assert not lesson_done(enrollment, setup.lesson)


def test_passing_the_last_required_lesson_completes_the_course(build_quiz, learner, enroll):
    setup = build_quiz(other_lessons=0)
    question = add_single_choice(setup.quiz)
    enrollment = enroll(learner, setup.course)
    attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    answer_single(attempt, learner, question, "Paris")
    services.attempt_submit(attempt=attempt, learner=learner)
    enrollment.refresh_from_db()
    assert enrollment.status == "completed"
    completed = OutboxEvent.objects.get(event_type="course.completed")
    assert (completed.subject_id, completed.actor_id) == (str(enrollment.pk), learner.pk)


def test_best_attempt_counts(build_quiz, learner, enroll):
    setup = build_quiz(counted_attempt="best", other_lessons=1)
    question = add_single_choice(setup.quiz)
    enrollment = enroll(learner, setup.course)
    first, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    services.attempt_submit(attempt=first, learner=learner)
    assert not lesson_done(enrollment, setup.lesson)
    second, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    answer_single(second, learner, question, "Paris")
    services.attempt_submit(attempt=second, learner=learner)
    assert lesson_done(enrollment, setup.lesson)
    third, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    services.attempt_submit(attempt=third, learner=learner)
    assert lesson_done(enrollment, setup.lesson)  # never undone


@pytest.mark.parametrize(("counted", "passed"), [("best", True), ("last", False)])
def test_an_earlier_attempt_graded_late_counts_only_under_best(
    build_quiz, learner, instructor, enroll, counted, passed
):
    setup = build_quiz(counted_attempt=counted, other_lessons=1, passing_score=50)
    essay = add_essay(setup.quiz, points=1)
    enrollment = enroll(learner, setup.course)
    first, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    services.attempt_answers_save(
        attempt=first,
        learner=learner,
        answers=[{"question_id": essay.pk, "response": {"text": "Light to sugar."}}],
    )
    services.attempt_submit(attempt=first, learner=learner)
    second, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    services.attempt_submit(attempt=second, learner=learner)  # blank essay: 0, graded
    services.essay_grade(
        answer=Answer.objects.get(attempt=first), grader=instructor, points=Decimal("1")
    )
    first.refresh_from_db()
    assert (first.status, first.passed) == ("graded", True)
    assert lesson_done(enrollment, setup.lesson) is passed


def test_last_attempt_counts_when_it_is_the_latest(build_quiz, learner, enroll):
    setup = build_quiz(counted_attempt="last", other_lessons=1)
    question = add_single_choice(setup.quiz)
    enrollment = enroll(learner, setup.course)
    first, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    services.attempt_submit(attempt=first, learner=learner)
    second, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    answer_single(second, learner, question, "Paris")
    services.attempt_submit(attempt=second, learner=learner)
    assert lesson_done(enrollment, setup.lesson)
