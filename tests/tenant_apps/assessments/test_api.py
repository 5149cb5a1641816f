"""The assessments API on tenant A's host, with real bearer tokens: authoring, taking a
quiz, what learners see of results, bad input, other tenants' ids and query counts."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_apps.assessments import services
from tenant_apps.assessments.models import Answer, Attempt, Question, Quiz
from tenant_apps.courses.models import CourseStatus, LessonKind
from tenant_apps.people.models import Role
from tests.builders import course_build, lessons_of
from tests.tenant_apps.assessments.conftest import (
    add_essay,
    add_fill_in,
    add_matching,
    add_multiple_choice,
    add_single_choice,
    add_true_false,
    option_id,
    quiz_rows,
)


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


@pytest.fixture
def setup(build_quiz):
    return build_quiz(title="Chemistry", passing_score=60, other_lessons=1)


def quiz_url(setup, rest: str = "") -> str:
    return f"/api/v1/lessons/{setup.lesson.pk}/quiz{rest}"


# ------------------------------------------------------------------------------------------
# Authoring
def test_put_creates_then_replaces_the_quiz_settings(in_tenant_a, author, api):
    course = course_build(
        owner=author,
        title="Physics",
        passing_score=80,
        lessons=[LessonKind.QUIZ],
        status=CourseStatus.DRAFT,
    )
    (lesson,) = lessons_of(course)
    client = api(author)
    url = f"/api/v1/lessons/{lesson.pk}/quiz"
    assert client.get(url).status_code == 404
    created = client.put(
        url,
        {
            "time_limit_minutes": 20,
            "max_attempts": 3,
            "shuffle_questions": True,
            "results_visibility": "after_due_date",
            "due_at": "2031-06-30T15:00:00Z",
            "counted_attempt": "last",
        },
    )
    assert created.status_code == 201
    quiz = Quiz.objects.get(lesson=lesson)
    body = created.json()
    assert body == {
        "id": quiz.pk,
        "lesson_id": lesson.pk,
        "course_id": course.pk,
        "time_limit_minutes": 20,
        "max_attempts": 3,
        "shuffle_questions": True,
        "shuffle_options": False,
        "results_visibility": "after_due_date",
        "due_at": "2031-06-30T15:00:00Z",
        "counted_attempt": "last",
        "passing_score": 80,
        "question_count": 0,
        "total_points": 0,
        "created_at": iso(quiz.created_at),
        "updated_at": body["updated_at"],
    }
    replaced = client.put(url, {"max_attempts": None})
    assert replaced.status_code == 200
    assert {k: replaced.json()[k] for k in ("id", "time_limit_minutes", "max_attempts")} == {
        "id": quiz.pk,
        "time_limit_minutes": None,
        "max_attempts": None,
    }


def test_quiz_settings_are_checked(setup, author, api):
    client = api(author)
    before = quiz_rows()
    # A value of the wrong JSON type is refused first, by the document (core.api.contract)...
    response = client.put(
        quiz_url(setup),
        {"results_visibility": "after_due_date", "time_limit_minutes": 0, "max_attempts": "x"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"] == [
        {"field": "max_attempts", "message": "Must be a whole number."},
    ]
    # ...then every value out of its range, together.
    response = client.put(
        quiz_url(setup),
        {"results_visibility": "after_due_date", "time_limit_minutes": 0, "max_attempts": 0},
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"] == [
        {
            "field": "time_limit_minutes",
            "message": "Ensure this value is greater than or equal to 1.",
        },
        {"field": "max_attempts", "message": "Ensure this value is greater than or equal to 1."},
    ]
    response = client.put(quiz_url(setup), {"results_visibility": "after_due_date"})
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_quiz",
        "message": "The quiz is invalid.",
        "details": [
            {"field": "due_at", "message": "Results shown after the due date need a due date."}
        ],
    }
    assert quiz_rows() == before


def test_only_quiz_lessons_have_a_quiz(setup, author, api):
    text_lesson = setup.course.lessons.get(kind=LessonKind.TEXT)
    client = api(author)
    before = quiz_rows()
    response = client.put(f"/api/v1/lessons/{text_lesson.pk}/quiz", {})
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "not_a_quiz_lesson",
        "message": "Only a quiz lesson has a quiz.",
        "details": [{"field": "lesson_id", "message": "This is a text lesson."}],
    }
    assert quiz_rows() == before


def test_questions_of_every_kind_with_their_keys(setup, author, api):
    client = api(author)
    url = quiz_url(setup, "/questions")
    bodies = [
        {
            "kind": "single_choice",
            "prompt": "Capital of France?",
            "points": 2,
            "options": [{"text": "Paris", "is_correct": True}, {"text": "Lyon"}],
        },
        {
            "kind": "multiple_choice",
            "prompt": "Which are prime?",
            "options": [
                {"text": "2", "is_correct": True},
                {"text": "4"},
                {"text": "5", "is_correct": True},
            ],
        },
        {"kind": "true_false", "prompt": "Ice floats.", "statement_is_true": True},
        {"kind": "fill_in_the_blank", "prompt": "Gold is ___.", "accepted_answers": [" Au "]},
        {
            "kind": "matching",
            "prompt": "Match.",
            "points": 3,
            "pairs": [{"item": "Gold", "match": "Au"}, {"item": "Iron", "match": "Fe"}],
        },
        {"kind": "essay", "prompt": "Why?", "points": 5},
    ]
    for body in bodies:
        assert client.post(url, body).status_code == 201
    listed = client.get(url).json()
    questions = list(Question.objects.filter(quiz=setup.quiz).order_by("position"))

    def options(question: Question) -> list[dict]:
        return [
            {"id": o.pk, "text": o.text, "is_correct": o.is_correct}
            for o in question.options.order_by("position")
        ]

    single, multiple, statement, fill_in, matching, essay = questions
    common = {"options": [], "accepted_answers": [], "statement_is_true": None, "pairs": []}
    assert listed == [
        {
            **common,
            "id": single.pk,
            "kind": "single_choice",
            "prompt": "Capital of France?",
            "points": 2,
            "position": 1,
            "options": options(single),
        },
        {
            **common,
            "id": multiple.pk,
            "kind": "multiple_choice",
            "prompt": "Which are prime?",
            "points": 1,
            "position": 2,
            "options": options(multiple),
        },
        {
            **common,
            "id": statement.pk,
            "kind": "true_false",
            "prompt": "Ice floats.",
            "points": 1,
            "position": 3,
            "statement_is_true": True,
        },
        {
            **common,
            "id": fill_in.pk,
            "kind": "fill_in_the_blank",
            "prompt": "Gold is ___.",
            "points": 1,
            "position": 4,
            "accepted_answers": ["Au"],
        },
        {
            **common,
            "id": matching.pk,
            "kind": "matching",
            "prompt": "Match.",
            "points": 3,
            "position": 5,
            "pairs": [
                {"id": option_id(matching, "Gold"), "item": "Gold", "match": "Au"},
                {"id": option_id(matching, "Iron"), "item": "Iron", "match": "Fe"},
            ],
        },
        {**common, "id": essay.pk, "kind": "essay", "prompt": "Why?", "points": 5, "position": 6},
    ]
    assert [o["text"] for o in listed[0]["options"]] == ["Paris", "Lyon"]
    quiz = client.get(quiz_url(setup)).json()
    assert (quiz["question_count"], quiz["total_points"]) == (6, 13)


@pytest.mark.parametrize(
    ("body", "details"),
    [
        (
            {"kind": "single_choice", "prompt": "Q?", "options": [{"text": "A"}, {"text": "B"}]},
            [{"field": "options", "message": "Mark exactly one option correct."}],
        ),
        (
            {
                "kind": "single_choice",
                "prompt": " ",
                "options": [{"text": "A", "is_correct": True}, {"text": " a "}],
                "pairs": [{"item": "x", "match": "y"}],
            },
            [
                {"field": "prompt", "message": "This field may not be blank."},
            ],
        ),
        (
            {
                "kind": "single_choice",
                "prompt": "Q?",
                "options": [{"text": "A", "is_correct": True}, {"text": " a "}],
                "pairs": [{"item": "x", "match": "y"}],
            },
            [
                {"field": "options", "message": "Give each option a different text."},
                {"field": "pairs", "message": "Only matching questions have pairs."},
            ],
        ),
        (
            {"kind": "multiple_choice", "prompt": "Q?", "options": [{"text": "A"}]},
            [{"field": "options", "message": "Give 2 to 20 options."}],
        ),
        (
            {"kind": "true_false", "prompt": "Q?"},
            [{"field": "statement_is_true", "message": "Say whether the statement is true."}],
        ),
        (
            {"kind": "fill_in_the_blank", "prompt": "Q?", "accepted_answers": ["ok", "  "]},
            [{"field": "accepted_answers.1", "message": "This field may not be blank."}],
        ),
        (
            {"kind": "matching", "prompt": "Q?", "pairs": [{"item": "a", "match": "b"}]},
            [{"field": "pairs", "message": "Give 2 to 20 pairs."}],
        ),
        (
            {"kind": "essay", "prompt": "Q?", "statement_is_true": False},
            [{"field": "statement_is_true", "message": "Only true/false questions have this."}],
        ),
        (
            {"kind": "riddle", "prompt": "Q?"},
            [{"field": "kind", "message": '"riddle" is not a valid choice.'}],
        ),
        (
            {"kind": "essay", "prompt": "Q?", "points": 0},
            [{"field": "points", "message": "Ensure this value is greater than or equal to 1."}],
        ),
        (
            {"kind": "single_choice", "prompt": "Q?", "options": [{"is_correct": True}]},
            [{"field": "options.0.text", "message": "This field is required."}],
        ),
    ],
)
def test_bad_questions_are_refused_naming_the_field(setup, author, api, body, details):
    client = api(author)
    before = quiz_rows()
    response = client.post(quiz_url(setup, "/questions"), body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"] == details
    assert quiz_rows() == before


def test_reordering_questions(setup, author, api):
    first, second, third = (add_essay(setup.quiz, prompt=f"Q{n}") for n in range(1, 4))
    client = api(author)
    response = client.put(
        quiz_url(setup, "/questions/order"), {"question_ids": [third.pk, first.pk, second.pk]}
    )
    assert response.status_code == 200
    assert [(q["id"], q["position"]) for q in response.json()] == [
        (third.pk, 1),
        (first.pk, 2),
        (second.pk, 3),
    ]
    before = quiz_rows()
    mismatch = client.put(quiz_url(setup, "/questions/order"), {"question_ids": [first.pk]})
    assert mismatch.status_code == 409
    assert mismatch.json()["error"]["code"] == "order_mismatch"
    assert quiz_rows() == before


def test_updating_and_removing_a_question_not_yet_in_use(setup, author, api):
    question = add_single_choice(setup.quiz)
    other = add_essay(setup.quiz)
    client = api(author)
    url = quiz_url(setup, f"/questions/{question.pk}")
    response = client.put(
        url,
        {
            "kind": "true_false",
            "prompt": "Paris is in France.",
            "points": 2,
            "statement_is_true": True,
        },
    )
    assert response.status_code == 200
    assert response.json() == {
        "id": question.pk,
        "kind": "true_false",
        "prompt": "Paris is in France.",
        "points": 2,
        "position": 1,
        "options": [],
        "accepted_answers": [],
        "statement_is_true": True,
        "pairs": [],
    }
    assert client.delete(url).status_code == 204
    assert list(Question.objects.values_list("pk", "position")) == [(other.pk, 1)]
    assert client.get(url).status_code == 404


def test_a_question_in_use_keeps_its_grading_and_is_retired_on_removal(
    setup, author, learner, enroll, api
):
    question = add_single_choice(setup.quiz)
    add_essay(setup.quiz)
    enroll(learner, setup.course)
    attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    client = api(author)
    url = quiz_url(setup, f"/questions/{question.pk}")
    shown = client.get(url).json()
    # What a question's author sends back: its writable fields only (the document refuses
    # the read-only ones, such as ids and positions).
    current = {
        "kind": shown["kind"],
        "prompt": shown["prompt"],
        "points": shown["points"],
        "options": [{"text": o["text"], "is_correct": o["is_correct"]} for o in shown["options"]],
    }
    changed = {
        **current,
        "points": 3,
        "options": [{"text": "Rome", "is_correct": True}, {"text": "Lyon"}],
    }
    before = quiz_rows()
    refused = client.put(url, changed, format="json")
    assert refused.status_code == 409
    assert refused.json()["error"] == {
        "code": "question_in_use",
        "message": "Learners have answered this question; only its prompt can change.",
        "details": [
            {"field": "points", "message": "Fixed once the question is in use."},
            {"field": "options", "message": "Fixed once the question is in use."},
        ],
    }
    assert quiz_rows() == before
    fixed = client.put(url, {**current, "prompt": "What is the capital of France?"}, format="json")
    assert fixed.status_code == 200
    assert fixed.json()["options"] == shown["options"]  # same ids
    assert client.delete(url).status_code == 204
    question.refresh_from_db()
    assert (question.position, question.removed_at is not None) == (None, True)
    assert [q["prompt"] for q in client.get(quiz_url(setup, "/questions")).json()] == [
        "Explain photosynthesis."
    ]
    shown = api(learner).get(quiz_url(setup, f"/attempts/{attempt.pk}")).json()
    assert [q["prompt"] for q in shown["questions"]] == [
        "What is the capital of France?",
        "Explain photosynthesis.",
    ]


# ------------------------------------------------------------------------------------------
# Taking a quiz
def test_learners_see_settings_but_no_questions(setup, learner, enroll, api):
    add_single_choice(setup.quiz, points=2)
    enroll(learner, setup.course)
    client = api(learner)
    body = client.get(quiz_url(setup)).json()
    assert (body["question_count"], body["total_points"], body["passing_score"]) == (1, 2, 60)
    assert client.get(quiz_url(setup, "/questions")).status_code == 403


def test_starting_and_resuming_an_attempt(setup, learner, enroll, api):
    single = add_single_choice(setup.quiz, points=2)
    matching = add_matching(setup.quiz, points=3)
    fill_in = add_fill_in(setup.quiz)
    enroll(learner, setup.course)
    client = api(learner)
    response = client.post(quiz_url(setup, "/attempts"))
    assert response.status_code == 201
    attempt = Attempt.objects.get()
    body = response.json()
    assert body == {
        "id": attempt.pk,
        "quiz_id": setup.quiz.pk,
        "lesson_id": setup.lesson.pk,
        "number": 1,
        "status": "in_progress",
        "started_at": iso(attempt.started_at),
        "deadline_at": None,
        "time_left_seconds": None,
        "submitted_at": None,
        "auto_submitted": False,
        "graded_at": None,
        "passed": None,
        "score": None,
        "questions": [
            {
                "id": single.pk,
                "kind": "single_choice",
                "prompt": "Capital of France?",
                "points": 2,
                "options": [
                    {"id": option_id(single, text), "text": text}
                    for text in ("Paris", "Lyon", "Nice")
                ],
                "items": [],
                "matches": [],
                "answer": None,
                "points_awarded": None,
                "feedback": None,
                "correct": None,
            },
            {
                "id": matching.pk,
                "kind": "matching",
                "prompt": "Match each element with its symbol.",
                "points": 3,
                "options": [],
                "items": [
                    {"id": option_id(matching, text), "text": text}
                    for text in ("Gold", "Silver", "Iron")
                ],
                "matches": ["Ag", "Au", "Fe"],
                "answer": None,
                "points_awarded": None,
                "feedback": None,
                "correct": None,
            },
            {
                "id": fill_in.pk,
                "kind": "fill_in_the_blank",
                "prompt": "The chemical symbol of gold is ___.",
                "points": 1,
                "options": [],
                "items": [],
                "matches": [],
                "answer": None,
                "points_awarded": None,
                "feedback": None,
                "correct": None,
            },
        ],
    }
    resumed = client.post(quiz_url(setup, "/attempts"))
    assert resumed.status_code == 200
    assert resumed.json() == body


def test_time_left_is_counted_by_the_server(build_quiz, learner, enroll, api):
    setup = build_quiz(time_limit_minutes=30)
    add_single_choice(setup.quiz)
    enroll(learner, setup.course)
    body = api(learner).post(quiz_url(setup, "/attempts")).json()
    assert 1790 <= body["time_left_seconds"] <= 1800
    assert body["deadline_at"] == iso(Attempt.objects.get().deadline_at)


def test_saving_answers_partially_then_submitting(setup, learner, enroll, api):
    single = add_single_choice(setup.quiz, points=2)
    statement = add_true_false(setup.quiz, points=1)
    enroll(learner, setup.course)
    client = api(learner)
    attempt_id = client.post(quiz_url(setup, "/attempts")).json()["id"]
    answers_url = quiz_url(setup, f"/attempts/{attempt_id}/answers")
    first = client.put(
        answers_url,
        {
            "answers": [
                {"question_id": single.pk, "response": {"option_id": option_id(single, "Lyon")}}
            ]
        },
        format="json",
    )
    assert first.status_code == 200
    saved = Answer.objects.get(question=single)
    assert first.json()["questions"][0]["answer"] == {
        "id": saved.pk,
        "response": {"option_id": option_id(single, "Lyon")},
        "saved_at": iso(saved.saved_at),
    }
    assert first.json()["questions"][1]["answer"] is None
    second = client.put(
        answers_url,
        {
            "answers": [
                {"question_id": single.pk, "response": {"option_id": option_id(single, "Paris")}},
                {"question_id": statement.pk, "response": {"value": False}},
            ]
        },
        format="json",
    )
    assert second.status_code == 200
    assert dict(Answer.objects.values_list("question_id", "response")) == {
        single.pk: {"option_id": option_id(single, "Paris")},
        statement.pk: {"value": False},
    }
    submitted = client.post(quiz_url(setup, f"/attempts/{attempt_id}/submit"))
    assert submitted.status_code == 200
    body = submitted.json()
    assert (body["status"], body["passed"], body["score"]) == (
        "graded",
        True,
        {"points": "2.00", "max_points": 3, "percent": "66.66"},
    )
    # Results are shown immediately: points and the correct answers.
    assert [(q["points_awarded"], q["correct"]) for q in body["questions"]] == [
        ("2.00", {"option_id": option_id(single, "Paris")}),
        ("0.00", {"value": True}),
    ]


@pytest.mark.parametrize(
    ("answers", "details"),
    [
        (
            "everything",
            [{"field": "answers", "message": "Must be a list."}],
        ),
        (
            [{"question_id": "abc", "response": None}],
            [{"field": "answers.0.question_id", "message": "Must be a whole number."}],
        ),
        (
            [{"question_id": 999_999, "response": None}],
            [{"field": "answers.0.question_id", "message": "No question 999999 in this attempt."}],
        ),
        (
            [{"question_id": "SINGLE", "response": {"option_id": "OTHER"}}],
            [
                {
                    "field": "answers.0.response.option_id",
                    "message": "Option OTHER is not an option of this question.",
                }
            ],
        ),
        (
            [{"question_id": "SINGLE", "response": {"value": True}}],
            [
                {
                    "field": "answers.0.response.value",
                    "message": "Not part of this kind of answer.",
                },
                {"field": "answers.0.response.option_id", "message": "Give the id of one option."},
            ],
        ),
        (
            [
                {"question_id": "STATEMENT", "response": {"value": True}},
                {"question_id": "STATEMENT", "response": [True]},
            ],
            [{"field": "answers.1.question_id", "message": "Answer each question once."}],
        ),
        (
            [{"question_id": "STATEMENT", "response": [True]}],
            [
                {
                    "field": "answers.0.response",
                    "message": "Use an object in the shape of this question's kind.",
                }
            ],
        ),
    ],
)
def test_bad_answers_are_refused_naming_the_field(setup, learner, enroll, api, answers, details):
    single = add_single_choice(setup.quiz)
    statement = add_true_false(setup.quiz)
    other = add_single_choice(setup.quiz, prompt="Not in this attempt")
    enroll(learner, setup.course)
    attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    ids = {"SINGLE": single.pk, "STATEMENT": statement.pk, "OTHER": option_id(other, "Paris")}
    if isinstance(answers, list):
        answers = [
            {
                "question_id": ids.get(a["question_id"], a["question_id"]),
                "response": (
                    {k: ids.get(v, v) for k, v in a["response"].items()}
                    if isinstance(a["response"], dict)
                    else a["response"]
                ),
            }
            for a in answers
        ]
        details = [
            {**d, "message": d["message"].replace("OTHER", str(ids["OTHER"]))} for d in details
        ]
    client = api(learner)
    before = quiz_rows()
    response = client.put(
        quiz_url(setup, f"/attempts/{attempt.pk}/answers"), {"answers": answers}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"] == details
    assert quiz_rows() == before


def test_answers_after_the_time_is_over_are_a_conflict(build_quiz, learner, enroll, api):
    setup = build_quiz(time_limit_minutes=1)
    single = add_single_choice(setup.quiz)
    enroll(learner, setup.course)
    attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    Attempt.objects.filter(pk=attempt.pk).update(deadline_at=timezone.now() - timedelta(minutes=2))
    response = api(learner).put(
        quiz_url(setup, f"/attempts/{attempt.pk}/answers"),
        {
            "answers": [
                {"question_id": single.pk, "response": {"option_id": option_id(single, "Paris")}}
            ]
        },
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "time_over",
        "message": "The time for this attempt is over; it was submitted with the answers saved "
        "before.",
        "details": [],
    }
    attempt.refresh_from_db()
    assert (attempt.status, attempt.auto_submitted) == ("graded", True)
    assert Answer.objects.get().response is None


def test_my_attempts(build_quiz, learner, other_learner, enroll, api):
    setup = build_quiz(passing_score=50)
    single = add_single_choice(setup.quiz)
    enroll(learner, setup.course)
    enroll(other_learner, setup.course)
    first, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    first = services.attempt_submit(attempt=first, learner=learner)
    second, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    services.attempt_answers_save(
        attempt=second,
        learner=learner,
        answers=[{"question_id": single.pk, "response": {"option_id": option_id(single, "Paris")}}],
    )
    second = services.attempt_submit(attempt=second, learner=learner)
    services.attempt_start(quiz=setup.quiz, learner=other_learner)
    response = api(learner).get(quiz_url(setup, "/attempts"))
    assert response.status_code == 200

    def row(attempt: Attempt, passed: bool, score: dict) -> dict:
        return {
            "id": attempt.pk,
            "quiz_id": setup.quiz.pk,
            "lesson_id": setup.lesson.pk,
            "number": attempt.number,
            "status": "graded",
            "started_at": iso(attempt.started_at),
            "deadline_at": None,
            "time_left_seconds": None,
            "submitted_at": iso(attempt.submitted_at),
            "auto_submitted": False,
            "graded_at": iso(attempt.graded_at),
            "passed": passed,
            "score": score,
        }

    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            row(second, True, {"points": "1.00", "max_points": 1, "percent": "100.00"}),
            row(first, False, {"points": "0.00", "max_points": 1, "percent": "0.00"}),
        ],
    }


def test_my_attempts_run_a_fixed_number_of_queries(
    build_quiz, learner, enroll, api, django_assert_max_num_queries
):
    setup = build_quiz()
    add_single_choice(setup.quiz)
    enroll(learner, setup.course)
    client = api(learner)

    def attempts(count: int) -> None:
        for _ in range(count):
            attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
            services.attempt_submit(attempt=attempt, learner=learner)

    attempts(1)
    with django_assert_max_num_queries(8) as few:
        assert len(client.get(quiz_url(setup, "/attempts")).json()["results"]) == 1
    attempts(9)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(quiz_url(setup, "/attempts")).json()["results"]) == 10


def test_an_attempt_reads_in_a_fixed_number_of_queries(
    build_quiz, learner, enroll, api, django_assert_max_num_queries
):
    setup = build_quiz()
    enroll(learner, setup.course)
    add_single_choice(setup.quiz)
    first, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    services.attempt_submit(attempt=first, learner=learner)
    client = api(learner)
    with django_assert_max_num_queries(12) as few:
        client.get(quiz_url(setup, f"/attempts/{first.pk}"))
    for n in range(6):
        add_matching(setup.quiz)
        add_multiple_choice(setup.quiz)
        add_single_choice(setup.quiz, prompt=f"Q{n}")
    second, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    services.attempt_submit(attempt=second, learner=learner)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(quiz_url(setup, f"/attempts/{second.pk}")).json()
    assert len(body["questions"]) == 19


# ------------------------------------------------------------------------------------------
# Results visibility: what learners see
def finished_attempt(setup, learner) -> Attempt:
    single = setup.quiz.questions.get()
    attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    services.attempt_answers_save(
        attempt=attempt,
        learner=learner,
        answers=[{"question_id": single.pk, "response": {"option_id": option_id(single, "Lyon")}}],
    )
    return services.attempt_submit(attempt=attempt, learner=learner)


def results_part(body: dict) -> tuple:
    question = body["questions"][0]
    return body["passed"], body["score"], question["points_awarded"], question["correct"]


def test_results_never_shown(build_quiz, learner, instructor, enroll, api):
    setup = build_quiz(results_visibility="never")
    single = add_single_choice(setup.quiz)
    enroll(learner, setup.course)
    attempt = finished_attempt(setup, learner)
    url = quiz_url(setup, f"/attempts/{attempt.pk}")
    assert results_part(api(learner).get(url).json()) == (False, None, None, None)
    assert api(learner).get(quiz_url(setup, "/attempts")).json()["results"][0]["score"] is None
    # Graders see everything.
    assert results_part(api(instructor).get(url).json()) == (
        False,
        {"points": "0.00", "max_points": 1, "percent": "0.00"},
        "0.00",
        {"option_id": option_id(single, "Paris")},
    )


def test_results_shown_after_the_due_date(build_quiz, learner, enroll, api):
    setup = build_quiz(
        results_visibility="after_due_date", due_at=timezone.now() + timedelta(days=1)
    )
    single = add_single_choice(setup.quiz)
    enroll(learner, setup.course)
    attempt = finished_attempt(setup, learner)
    url = quiz_url(setup, f"/attempts/{attempt.pk}")
    assert results_part(api(learner).get(url).json()) == (False, None, None, None)
    Quiz.objects.filter(pk=setup.quiz.pk).update(due_at=timezone.now() - timedelta(seconds=1))
    assert results_part(api(learner).get(url).json()) == (
        False,
        {"points": "0.00", "max_points": 1, "percent": "0.00"},
        "0.00",
        {"option_id": option_id(single, "Paris")},
    )


def test_a_running_attempt_never_shows_results(build_quiz, learner, enroll, api):
    setup = build_quiz(results_visibility="immediately")
    add_single_choice(setup.quiz)
    enroll(learner, setup.course)
    body = api(learner).post(quiz_url(setup, "/attempts")).json()
    assert results_part(body) == (None, None, None, None)
    assert "is_correct" not in str(body)


# ------------------------------------------------------------------------------------------
# Other tenants, unknown ids and odd input
def test_another_tenants_ids_are_404(setup, learner, enroll, api, tenant_a, tenant_b, make_person):
    add_single_choice(setup.quiz)
    enroll(learner, setup.course)
    attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    services.attempt_submit(attempt=attempt, learner=learner)
    answer = Answer.objects.get()
    # Tenant B has no lessons, attempts or answers: tenant A's ids name nothing there.
    client = api(make_person(Role.ADMIN, tenant=tenant_b, email="bea@example.com"), tenant=tenant_b)
    before_a = quiz_rows()
    with schema_context(tenant_b.schema):
        before_b = quiz_rows()
    lesson_id = setup.lesson.pk
    for method, url in [
        ("get", f"/api/v1/lessons/{lesson_id}/quiz"),
        ("put", f"/api/v1/lessons/{lesson_id}/quiz"),
        ("get", f"/api/v1/lessons/{lesson_id}/quiz/questions"),
        ("post", f"/api/v1/lessons/{lesson_id}/quiz/attempts"),
        ("get", f"/api/v1/lessons/{lesson_id}/quiz/attempts/{attempt.pk}"),
        ("put", f"/api/v1/lessons/{lesson_id}/quiz/attempts/{attempt.pk}/answers"),
        ("post", f"/api/v1/lessons/{lesson_id}/quiz/attempts/{attempt.pk}/submit"),
        ("post", f"/api/v1/grading/answers/{answer.pk}"),
        ("post", f"/api/v1/attempts/{attempt.pk}/answers/{answer.pk}/override"),
    ]:
        response = getattr(client, method)(url, {"points": 1, "reason": "x"}, format="json")
        assert response.status_code == 404, (method, url, response.status_code)
    with schema_context(tenant_b.schema):
        assert quiz_rows() == before_b
    with schema_context(tenant_a.schema):
        assert quiz_rows() == before_a


@pytest.mark.parametrize(
    "body",
    [
        {"answers": [{"question_id": 2**70, "response": None}]},
        {"answers": [{"question_id": 1, "response": {"matches": [{"item_id": {}, "match": []}]}}]},
        {"answers": [{"question_id": None}]},
        {"answers": None},
        {"answers": [[]]},
    ],
)
def test_odd_answer_bodies_are_400(setup, learner, enroll, api, body):
    add_matching(setup.quiz)
    enroll(learner, setup.course)
    attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    if (
        body["answers"]
        and isinstance(body["answers"][0], dict)
        and body["answers"][0].get("question_id") == 1
    ):
        body["answers"][0]["question_id"] = attempt.question_order[0]
    client = api(learner)
    before = quiz_rows()
    response = client.put(quiz_url(setup, f"/attempts/{attempt.pk}/answers"), body, format="json")
    assert response.status_code == 400
    assert quiz_rows() == before


def test_null_characters_in_texts_are_refused(setup, learner, enroll, api):
    essay = add_essay(setup.quiz)
    enroll(learner, setup.course)
    attempt, _new = services.attempt_start(quiz=setup.quiz, learner=learner)
    client = api(learner)
    before = quiz_rows()
    response = client.put(
        quiz_url(setup, f"/attempts/{attempt.pk}/answers"),
        json.dumps({"answers": [{"question_id": essay.pk, "response": {"text": "a\x00b"}}]}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"] == [
        {"field": "answers.0.response.text", "message": "Null characters are not allowed."}
    ]
    assert quiz_rows() == before
