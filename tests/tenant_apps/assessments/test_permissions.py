"""Who may author, take and grade quizzes. Every refusal also shows nothing changed."""

from __future__ import annotations

import pytest

from tenant_apps.assessments import services
from tenant_apps.assessments.models import Answer, Attempt
from tenant_apps.audit.models import AuditEntry
from tenant_apps.courses.models import CourseStatus, LessonKind
from tests.builders import course_build, lessons_of
from tests.tenant_apps.assessments.conftest import (
    add_essay,
    add_single_choice,
    option_id,
    quiz_rows,
)


@pytest.fixture
def setup(build_quiz):
    setup = build_quiz(title="Safety", passing_score=50)
    add_single_choice(setup.quiz)
    add_essay(setup.quiz)
    return setup


@pytest.fixture
def people(author, other_author, instructor, admin, learner) -> dict:
    return {
        "owner": author,
        "other_author": other_author,
        "instructor": instructor,
        "admin": admin,
        "learner": learner,
    }


# ------------------------------------------------------------------------------------------
# Authoring: CREATE_ASSESSMENTS and the right to edit the course
AUTHORING = [
    ("owner", True),
    ("other_author", False),
    ("instructor", True),
    ("admin", True),
    ("learner", False),
]


@pytest.mark.parametrize(("who", "allowed"), AUTHORING)
def test_changing_quiz_settings(setup, people, api, who, allowed):
    before = quiz_rows()
    response = api(people[who]).put(f"/api/v1/lessons/{setup.lesson.pk}/quiz", {"max_attempts": 2})
    if allowed:
        assert response.status_code == 200
        setup.quiz.refresh_from_db()
        assert setup.quiz.max_attempts == 2
    else:
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
        assert quiz_rows() == before


@pytest.mark.parametrize(("who", "allowed"), AUTHORING)
def test_writing_questions(setup, people, api, who, allowed):
    before = quiz_rows()
    client = api(people[who])
    base = f"/api/v1/lessons/{setup.lesson.pk}/quiz/questions"
    question = setup.quiz.questions.order_by("position").first()
    responses = [
        client.post(base, {"kind": "essay", "prompt": "Why?"}),
        client.put(f"{base}/{question.pk}", {"kind": "essay", "prompt": "Changed?"}),
        client.put(
            f"{base}/order",
            {"question_ids": list(reversed(setup.quiz.questions.values_list("pk", flat=True)))},
        ),
        client.get(base),
        client.delete(f"{base}/{question.pk}"),
    ]
    if allowed:
        assert [r.status_code for r in responses] == [201, 200, 200, 200, 204]
    else:
        assert [r.status_code for r in responses] == [403] * 5
        assert quiz_rows() == before


def test_drafts_of_others_do_not_exist_for_authors(in_tenant_a, author, other_author, api):
    course = course_build(
        owner=author, title="Draft", lessons=[LessonKind.QUIZ], status=CourseStatus.DRAFT
    )
    (lesson,) = lessons_of(course)
    before = quiz_rows()
    response = api(other_author).put(f"/api/v1/lessons/{lesson.pk}/quiz", {})
    assert response.status_code == 404
    assert quiz_rows() == before
    assert api(author).put(f"/api/v1/lessons/{lesson.pk}/quiz", {}).status_code == 201


def test_signed_out_callers_get_401(setup, client_a):
    for url in (
        f"/api/v1/lessons/{setup.lesson.pk}/quiz",
        f"/api/v1/lessons/{setup.lesson.pk}/quiz/attempts",
        "/api/v1/grading/essays",
    ):
        assert client_a.get(url).status_code == 401


# ------------------------------------------------------------------------------------------
# Taking a quiz: only the learner, with an active enrollment
def test_starting_needs_an_active_enrollment(setup, learner, api):
    before = quiz_rows()
    response = api(learner).post(f"/api/v1/lessons/{setup.lesson.pk}/quiz/attempts")
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "not_enrolled",
        "message": "Only learners with an active enrollment in the course take its quizzes.",
        "details": [],
    }
    assert quiz_rows() == before


@pytest.fixture
def attempt(setup, learner, enroll) -> Attempt:
    enroll(learner, setup.course)
    attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    return attempt


@pytest.mark.parametrize(
    ("who", "visible"),
    [("other_learner", False), ("owner", False), ("instructor", True), ("admin", True)],
)
def test_who_sees_an_attempt(setup, attempt, people, other_learner, api, who, visible):
    person = other_learner if who == "other_learner" else people[who]
    response = api(person).get(f"/api/v1/lessons/{setup.lesson.pk}/quiz/attempts/{attempt.pk}")
    assert response.status_code == (200 if visible else 404)


@pytest.mark.parametrize("who", ["instructor", "other_learner"])
def test_only_the_learner_answers_and_submits(
    setup, attempt, people, other_learner, enroll, api, who
):
    person = other_learner if who == "other_learner" else people[who]
    enroll(person, setup.course)
    before = quiz_rows()
    question = setup.quiz.questions.get(kind="single_choice")
    client = api(person)
    base = f"/api/v1/lessons/{setup.lesson.pk}/quiz/attempts/{attempt.pk}"
    saved = client.put(
        f"{base}/answers",
        {
            "answers": [
                {
                    "question_id": question.pk,
                    "response": {"option_id": option_id(question, "Paris")},
                }
            ]
        },
        format="json",
    )
    submitted = client.post(f"{base}/submit")
    if who == "instructor":  # sees the attempt, may not act for the learner
        assert [r.status_code for r in (saved, submitted)] == [403, 403]
        assert saved.json()["error"]["code"] == "not_your_attempt"
    else:
        assert [r.status_code for r in (saved, submitted)] == [404, 404]
    assert quiz_rows() == before


def test_the_learners_attempts_list_is_their_own(setup, attempt, other_learner, enroll, api):
    enroll(other_learner, setup.course)
    response = api(other_learner).get(f"/api/v1/lessons/{setup.lesson.pk}/quiz/attempts")
    assert response.json()["results"] == []


# ------------------------------------------------------------------------------------------
# Grading: GRADE_ASSESSMENTS and the right to edit the course
@pytest.fixture
def submitted(setup, attempt, learner) -> Attempt:
    essay = setup.quiz.questions.get(kind="essay")
    services.attempt_answers_save(
        attempt=attempt,
        learner=learner,
        answers=[{"question_id": essay.pk, "response": {"text": "Wear a helmet."}}],
    )
    return services.attempt_submit(attempt=attempt, learner=learner)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("owner", False), ("learner", False), ("instructor", True), ("admin", True)],
)
def test_grading_and_overriding(setup, submitted, people, api, who, allowed):
    essay = Answer.objects.get(attempt=submitted, question__kind="essay")
    choice = Answer.objects.get(attempt=submitted, question__kind="single_choice")
    client = api(people[who])
    before = quiz_rows()
    queue = client.get("/api/v1/grading/essays")
    graded = client.post(f"/api/v1/grading/answers/{essay.pk}", {"points": 1})
    overridden = client.post(
        f"/api/v1/attempts/{submitted.pk}/answers/{choice.pk}/override",
        {"points": 1, "reason": "Generous."},
    )
    if allowed:
        assert [r.status_code for r in (queue, graded, overridden)] == [200, 200, 200]
        assert AuditEntry.objects.filter(action="grade.overridden").count() == 1
    else:
        assert [r.status_code for r in (queue, graded, overridden)] == [403, 403, 403]
        assert quiz_rows() == before
