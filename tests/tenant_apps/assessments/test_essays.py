"""Essays: the grading queue, grading by hand (the final score after the last essay, the
learner's notification and e-mail, events) and grade overrides (audited)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail

from tenant_apps.assessments import services
from tenant_apps.assessments.models import Answer, Attempt
from tenant_apps.assessments.permissions import graded_courses_filter
from tenant_apps.audit.models import AuditEntry
from tenant_apps.events.models import OutboxEvent
from tenant_apps.notifications.models import Notification
from tenant_apps.progress.models import LessonProgress
from tests.tenant_apps.assessments.conftest import (
    add_essay,
    add_single_choice,
    option_id,
    quiz_rows,
)


@pytest.fixture
def setup(build_quiz):
    """A quiz of two essays (5 and 3 points) and a single choice (2 points); passing 70 %."""
    setup = build_quiz(title="Biology", passing_score=70, other_lessons=1)
    add_essay(setup.quiz, points=5, prompt="Explain photosynthesis.")
    add_essay(setup.quiz, points=3, prompt="Explain respiration.")
    add_single_choice(setup.quiz, points=2)
    return setup


def submitted_attempt(setup, learner, essays=("Light to sugar.", "Sugar to energy.")) -> Attempt:
    """Start, answer (both essays, the choice right) and submit an attempt."""
    photosynthesis, respiration, choice = setup.quiz.questions.order_by("position")
    attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    services.attempt_answers_save(
        attempt=attempt,
        learner=learner,
        answers=[
            {"question_id": photosynthesis.pk, "response": {"text": essays[0]}},
            {"question_id": respiration.pk, "response": {"text": essays[1]}},
            {"question_id": choice.pk, "response": {"option_id": option_id(choice, "Paris")}},
        ],
    )
    return services.attempt_submit(attempt=attempt, learner=learner)


def essay_answer(attempt: Attempt, prompt: str) -> Answer:
    return Answer.objects.select_related("question", "attempt").get(
        attempt=attempt, question__prompt=prompt
    )


# ------------------------------------------------------------------------------------------
# The queue
def test_an_attempt_with_essays_awaits_grading(setup, learner, enroll):
    enroll(learner, setup.course)
    attempt = submitted_attempt(setup, learner)
    assert attempt.status == "awaiting_grading"
    assert (attempt.score_points, attempt.passed) == (None, None)
    assert list(
        Answer.objects.filter(attempt=attempt)
        .order_by("question__position")
        .values_list("points_awarded", flat=True)
    ) == [None, None, Decimal("2.00")]
    assert list(
        OutboxEvent.objects.filter(subject_type="attempt").values_list("event_type", flat=True)
    ) == ["assessment.submitted"]


def test_the_queue_lists_essays_waiting_for_a_grade(
    setup, learner, other_learner, instructor, enroll, api, build_quiz
):
    enroll(learner, setup.course)
    enroll(other_learner, setup.course)
    attempt = submitted_attempt(setup, learner)
    blank = submitted_attempt(setup, other_learner, essays=("  ", "Only this one."))
    running_quiz = build_quiz(title="Running")
    add_essay(running_quiz.quiz)
    enroll(learner, running_quiz.course)
    services.attempt_start(quiz=running_quiz.quiz, learner=learner)  # not submitted: not queued
    response = api(instructor).get("/api/v1/grading/essays")
    assert response.status_code == 200
    photosynthesis = essay_answer(attempt, "Explain photosynthesis.")
    respiration = essay_answer(attempt, "Explain respiration.")
    only = essay_answer(blank, "Explain respiration.")

    def row(answer: Answer, learner_row: dict, text: str, submitted: Attempt) -> dict:
        return {
            "id": answer.pk,
            "text": text,
            "question": {
                "id": answer.question_id,
                "prompt": answer.question.prompt,
                "points": answer.question.points,
            },
            "attempt": {
                "id": submitted.pk,
                "number": 1,
                "submitted_at": submitted.submitted_at.isoformat().replace("+00:00", "Z"),
            },
            "learner": learner_row,
            "course": {"id": setup.course.pk, "title": "Biology"},
            "lesson": {"id": setup.lesson.pk, "title": "Lesson 1.1"},
            "saved_at": answer.saved_at.isoformat().replace("+00:00", "Z"),
        }

    lena = {"id": learner.pk, "email": "lena@example.com", "full_name": "Lena Learner"}
    leo = {"id": other_learner.pk, "email": "leo@example.com", "full_name": "Leo Learner"}
    assert response.json() == {
        "count": 3,
        "next": None,
        "previous": None,
        "results": [
            row(photosynthesis, lena, "Light to sugar.", attempt),
            row(respiration, lena, "Sugar to energy.", attempt),
            row(only, leo, "Only this one.", blank),
        ],
    }
    # The blank essay earned 0 at once.
    assert essay_answer(blank, "Explain photosynthesis.").points_awarded == Decimal("0.00")


def test_the_queue_filters_by_course(setup, learner, instructor, enroll, api, build_quiz):
    other = build_quiz(title="Chemistry")
    add_essay(other.quiz)
    enroll(learner, setup.course)
    enroll(learner, other.course)
    submitted_attempt(setup, learner)
    attempt, _new = services.attempt_start(quiz=other.quiz, learner=learner)
    services.attempt_answers_save(
        attempt=attempt,
        learner=learner,
        answers=[{"question_id": other.quiz.questions.get().pk, "response": {"text": "Atoms."}}],
    )
    services.attempt_submit(attempt=attempt, learner=learner)
    response = api(instructor).get(f"/api/v1/grading/essays?course={other.course.pk}")
    assert [r["text"] for r in response.json()["results"]] == ["Atoms."]
    response = api(instructor).get(f"/api/v1/grading/essays?lesson={setup.lesson.pk}")
    assert [r["text"] for r in response.json()["results"]] == [
        "Light to sugar.",
        "Sugar to energy.",
    ]
    response = api(instructor).get("/api/v1/grading/essays?course=abc")
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "course"


def test_the_queue_runs_a_fixed_number_of_queries(
    setup,
    learner,
    other_learner,
    make_person,
    instructor,
    enroll,
    api,
    django_assert_max_num_queries,
):
    client = api(instructor)
    enroll(learner, setup.course)
    submitted_attempt(setup, learner)
    with django_assert_max_num_queries(4) as few:
        assert len(client.get("/api/v1/grading/essays").json()["results"]) == 2
    for n in range(4):
        person = make_person(email=f"queue{n}@example.com")
        enroll(person, setup.course)
        submitted_attempt(setup, person)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/grading/essays").json()["results"]) == 10


def test_only_graders_have_a_queue(author, learner, instructor, admin):
    assert graded_courses_filter(author) is None
    assert graded_courses_filter(learner) is None
    assert graded_courses_filter(instructor) is not None
    assert graded_courses_filter(admin) is not None


# ------------------------------------------------------------------------------------------
# Grading
def test_grading_essays_gives_the_final_score_after_the_last_one(
    setup, learner, instructor, enroll, api, django_capture_on_commit_callbacks
):
    enrollment = enroll(learner, setup.course)
    attempt = submitted_attempt(setup, learner)
    photosynthesis = essay_answer(attempt, "Explain photosynthesis.")
    respiration = essay_answer(attempt, "Explain respiration.")
    client = api(instructor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/grading/answers/{photosynthesis.pk}",
            {"points": "4.5", "feedback": "Good, but mention chlorophyll."},
        )
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": photosynthesis.pk,
        "question_id": photosynthesis.question_id,
        "response": {"text": "Light to sugar."},
        "points_awarded": "4.50",
        "feedback": "Good, but mention chlorophyll.",
        "graded_by_id": instructor.pk,
        "graded_at": body["graded_at"],
        "attempt": {
            "id": attempt.pk,
            "quiz_id": setup.quiz.pk,
            "lesson_id": setup.lesson.pk,
            "number": 1,
            "status": "awaiting_grading",
            "started_at": body["attempt"]["started_at"],
            "deadline_at": None,
            "time_left_seconds": None,
            "submitted_at": body["attempt"]["submitted_at"],
            "auto_submitted": False,
            "graded_at": None,
            "passed": None,
            "score": None,
        },
    }
    assert not OutboxEvent.objects.filter(event_type="assessment.graded").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/grading/answers/{respiration.pk}", {"points": 1})
    assert response.status_code == 200
    assert response.json()["attempt"]["status"] == "graded"
    assert response.json()["attempt"]["score"] == {
        "points": "7.50",
        "max_points": 10,
        "percent": "75.00",
    }
    attempt.refresh_from_db()
    assert (attempt.status, attempt.score_points, attempt.passed) == (
        "graded",
        Decimal("7.50"),
        True,
    )
    graded = OutboxEvent.objects.get(event_type="assessment.graded")
    assert (graded.subject_id, graded.actor_id) == (str(attempt.pk), instructor.pk)
    assert (graded.payload["score_points"], graded.payload["passed"]) == ("7.50", True)
    assert LessonProgress.objects.get(enrollment=enrollment, lesson=setup.lesson).completed_at
    # The learner heard about both essays, in the app and by e-mail.
    assert list(
        Notification.objects.filter(recipient=learner, kind="graded")
        .order_by("id")
        .values_list("kind", "title", "body", "link")
    ) == [
        (
            "graded",
            "Your essay in Lesson 1.1 was graded",
            "You earned 4.50 of 5 points.",
            f"/courses/{setup.course.pk}/lessons/{setup.lesson.pk}/",
        ),
        (
            "graded",
            "Your essay in Lesson 1.1 was graded",
            "You earned 1.00 of 3 points.",
            f"/courses/{setup.course.pk}/lessons/{setup.lesson.pk}/",
        ),
    ]
    assert [m.to for m in mail.outbox] == [["lena@example.com"], ["lena@example.com"]]
    first = mail.outbox[0]
    assert first.subject == "Your essay in Lesson 1.1 was graded"
    assert first.from_email == f"Alpha Learning <no-reply@{settings.BASE_DOMAIN}>"
    assert "You earned 4.50 of 5 points." in first.body
    assert "Good, but mention chlorophyll." in first.body
    assert f"/courses/{setup.course.pk}/lessons/{setup.lesson.pk}/" in first.body
    html = first.alternatives[0][0]
    assert "4.50 of 5 points" in html
    assert "Alpha Learning" in html


def test_notifications_keep_results_hidden_when_the_quiz_never_shows_them(
    build_quiz, learner, instructor, enroll, django_capture_on_commit_callbacks
):
    setup = build_quiz(results_visibility="never")
    essay = add_essay(setup.quiz, points=5)
    enroll(learner, setup.course)
    attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    services.attempt_answers_save(
        attempt=attempt,
        learner=learner,
        answers=[{"question_id": essay.pk, "response": {"text": "Light."}}],
    )
    services.attempt_submit(attempt=attempt, learner=learner)
    with django_capture_on_commit_callbacks(execute=True):
        services.essay_grade(
            answer=Answer.objects.get(attempt=attempt),
            grader=instructor,
            points=Decimal("2"),
            feedback="Too short.",
        )
    assert (
        Notification.objects.get(recipient=learner, kind="graded").body
        == "Your essay has been graded."
    )
    (message,) = mail.outbox
    assert "points" not in message.body
    assert "Too short." not in message.body
    assert "points" not in message.alternatives[0][0]


@pytest.mark.parametrize(
    ("points", "field", "message"),
    [
        ("5.01", "points", "Use 0 to 5 points."),
        ("-1", "points", "Ensure this value is greater than or equal to 0."),
        ("1.005", "points", "Ensure that there are no more than 2 decimal places."),
        ("NaN", "points", "A valid number is required."),
        (None, "points", "This field may not be null."),
    ],
)
def test_grades_out_of_range_are_refused(
    setup, learner, instructor, enroll, api, points, field, message
):
    enroll(learner, setup.course)
    attempt = submitted_attempt(setup, learner)
    answer = essay_answer(attempt, "Explain photosynthesis.")
    client = api(instructor)
    before = quiz_rows()
    response = client.post(f"/api/v1/grading/answers/{answer.pk}", {"points": points})
    assert response.status_code == 400
    assert response.json()["error"]["details"] == [{"field": field, "message": message}]
    assert quiz_rows() == before


def test_grading_refuses_graded_essays_other_answers_and_running_attempts(
    setup, learner, other_learner, instructor, enroll, api
):
    enroll(learner, setup.course)
    enroll(other_learner, setup.course)
    attempt = submitted_attempt(setup, learner)
    client = api(instructor)
    essay = essay_answer(attempt, "Explain photosynthesis.")
    running, _new = services.attempt_start(quiz=setup.quiz, learner=other_learner)
    services.attempt_answers_save(
        attempt=running,
        learner=other_learner,
        answers=[{"question_id": essay.question_id, "response": {"text": "Draft."}}],
    )
    draft = Answer.objects.get(attempt=running)
    assert client.post(f"/api/v1/grading/answers/{essay.pk}", {"points": 2}).status_code == 200
    before = quiz_rows()  # the essay graded 2 points, the draft not
    again = client.post(f"/api/v1/grading/answers/{essay.pk}", {"points": 3})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_graded")
    choice = Answer.objects.get(attempt=attempt, question__kind="single_choice")
    other = client.post(f"/api/v1/grading/answers/{choice.pk}", {"points": 1})
    assert (other.status_code, other.json()["error"]["code"]) == (409, "not_an_essay")
    early = client.post(f"/api/v1/grading/answers/{draft.pk}", {"points": 1})
    assert (early.status_code, early.json()["error"]["code"]) == (409, "attempt_not_submitted")
    assert quiz_rows() == before
    essay.refresh_from_db()
    draft.refresh_from_db()
    assert (essay.points_awarded, draft.points_awarded) == (Decimal("2.00"), None)


def test_grading_an_unknown_answer_is_404(instructor, api, tenant_a):
    client = api(instructor)
    before = quiz_rows(tenant_a)
    response = client.post("/api/v1/grading/answers/987654", {"points": 1})
    assert (response.status_code, response.json()["error"]["code"]) == (404, "answer_not_found")
    assert quiz_rows(tenant_a) == before


# ------------------------------------------------------------------------------------------
# Overrides
def test_override_changes_the_score_and_is_audited(setup, learner, instructor, enroll, api):
    enrollment = enroll(learner, setup.course)
    attempt = submitted_attempt(setup, learner)
    for prompt, points in (("Explain photosynthesis.", "2"), ("Explain respiration.", "1")):
        services.essay_grade(
            answer=essay_answer(attempt, prompt), grader=instructor, points=Decimal(points)
        )
    attempt.refresh_from_db()
    assert (attempt.score_points, attempt.passed) == (Decimal("5.00"), False)
    assert not LessonProgress.objects.filter(enrollment=enrollment, completed_at__isnull=False)
    answer = essay_answer(attempt, "Explain photosynthesis.")
    response = api(instructor).post(
        f"/api/v1/attempts/{attempt.pk}/answers/{answer.pk}/override",
        {"points": "4.25", "reason": "Regraded after review."},
    )
    assert response.status_code == 200
    assert response.json()["points_awarded"] == "4.25"
    assert response.json()["attempt"]["score"] == {
        "points": "7.25",
        "max_points": 10,
        "percent": "72.50",
    }
    assert response.json()["attempt"]["passed"] is True
    entry = AuditEntry.objects.get(action="grade.overridden")
    assert (entry.actor_id, entry.actor_email, entry.target_type, entry.target_id) == (
        instructor.pk,
        instructor.email,
        "answer",
        str(answer.pk),
    )
    assert entry.before == {
        "points_awarded": "2.00",
        "attempt_score_points": "5.00",
        "attempt_passed": False,
    }
    assert entry.after == {
        "points_awarded": "4.25",
        "attempt_score_points": "7.25",
        "attempt_passed": True,
        "reason": "Regraded after review.",
    }
    regraded = OutboxEvent.objects.filter(event_type="assessment.graded").order_by("id").last()
    assert (regraded.payload["score_points"], regraded.payload["override"]) == ("7.25", True)
    assert LessonProgress.objects.get(enrollment=enrollment, lesson=setup.lesson).completed_at


def test_override_of_an_automatic_grade(setup, learner, instructor, enroll):
    enroll(learner, setup.course)
    attempt = submitted_attempt(setup, learner)
    choice = Answer.objects.select_related("question").get(
        attempt=attempt, question__kind="single_choice"
    )
    services.answer_points_override(
        answer=choice, actor=instructor, points=Decimal("1"), reason="Ambiguous wording."
    )
    choice.refresh_from_db()
    attempt.refresh_from_db()
    # Still awaiting the essays: the score comes with the last one.
    assert (choice.points_awarded, choice.graded_by_id) == (Decimal("1.00"), instructor.pk)
    assert (attempt.status, attempt.score_points) == ("awaiting_grading", None)
    assert AuditEntry.objects.filter(action="grade.overridden").count() == 1


def test_override_with_the_same_points_changes_nothing(setup, learner, instructor, enroll):
    enroll(learner, setup.course)
    attempt = submitted_attempt(setup, learner)
    choice = Answer.objects.select_related("question").get(
        attempt=attempt, question__kind="single_choice"
    )
    services.answer_points_override(
        answer=choice, actor=instructor, points=Decimal("2.00"), reason="Checked."
    )
    assert not AuditEntry.objects.filter(action="grade.overridden").exists()


def test_override_refusals(setup, learner, other_learner, instructor, enroll, api):
    enroll(learner, setup.course)
    attempt = submitted_attempt(setup, learner)
    essay = essay_answer(attempt, "Explain photosynthesis.")
    enroll(other_learner, setup.course)
    other_attempt = submitted_attempt(setup, other_learner)
    client = api(instructor)
    url = f"/api/v1/attempts/{attempt.pk}/answers/{essay.pk}/override"
    before = quiz_rows()
    ungraded = client.post(url, {"points": 1, "reason": "Early."})
    assert (ungraded.status_code, ungraded.json()["error"]["code"]) == (409, "not_graded_yet")
    blank = client.post(url, {"points": 1, "reason": "   "})
    assert blank.status_code == 400
    assert blank.json()["error"]["details"] == [
        {"field": "reason", "message": "This field may not be blank."}
    ]
    missing = client.post(url, {"points": 1})
    assert missing.json()["error"]["details"] == [
        {"field": "reason", "message": "This field is required."}
    ]
    mismatched = client.post(
        f"/api/v1/attempts/{other_attempt.pk}/answers/{essay.pk}/override",
        {"points": 1, "reason": "Wrong attempt."},
    )
    assert mismatched.status_code == 404
    assert quiz_rows() == before
