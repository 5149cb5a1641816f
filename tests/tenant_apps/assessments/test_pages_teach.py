"""The quiz builder and the essay grading queue (`/teach/`): the API's permissions, every
kind of question written through the services, refusals beside their fields, reordering,
grading, and a fixed number of queries however many questions or essays."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tenant_apps.assessments import services
from tenant_apps.assessments.models import Answer, Question, QuestionKind
from tenant_apps.courses.models import LessonKind
from tenant_apps.people.models import Role
from tests.builders import course_build, lessons_of
from tests.tenant_apps.assessments.conftest import (
    add_essay,
    add_single_choice,
    add_true_false,
    quiz_rows,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_tenant_a(in_tenant_a):
    """The tests read tenant A's rows between requests."""


def questions(quiz) -> list[tuple[str, str]]:
    return list(
        Question.objects.filter(quiz=quiz, removed_at__isnull=True)
        .order_by("position")
        .values_list("kind", "prompt")
    )


def test_a_quiz_lesson_without_a_quiz_gets_one_from_its_settings(portal, author):
    course = course_build(owner=author, lessons=[LessonKind.QUIZ], status="draft")
    lesson = lessons_of(course)[0]
    client = portal(author)
    html = client.get(f"/teach/lessons/{lesson.pk}/quiz/").content.decode()
    assert "This lesson has no quiz yet" in html and "Pass mark: 70 %" in html
    response = client.post(
        f"/teach/lessons/{lesson.pk}/quiz/",
        {
            "time_limit_minutes": "20",
            "max_attempts": "3",
            "counted_attempt": "last",
            "shuffle_questions": "on",
            "results_visibility": "never",
            "due_at": "",
        },
    )
    assert response.status_code == 302
    quiz = lesson.quiz
    assert (quiz.time_limit_minutes, quiz.max_attempts, quiz.counted_attempt) == (20, 3, "last")
    assert (quiz.shuffle_questions, quiz.shuffle_options, quiz.results_visibility) == (
        True,
        False,
        "never",
    )


def test_settings_refused_by_the_service_show_beside_their_fields(portal, build_quiz, author):
    setup = build_quiz()
    response = portal(author).post(
        f"/teach/lessons/{setup.lesson.pk}/quiz/",
        {
            "time_limit_minutes": "5000",
            "max_attempts": "",
            "counted_attempt": "best",
            "results_visibility": "after_due_date",
            "due_at": "",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Use 1 to 1440 minutes, or null." in html
    assert "Results shown after the due date need a due date." in html
    assert 'id="id_due_at_error"' in html and 'value="5000"' in html


def post_question(client, lesson, kind, **fields):
    return client.post(f"/teach/lessons/{lesson.pk}/quiz/questions/new/{kind}/", fields)


def test_every_kind_of_question_is_written_on_its_form(portal, build_quiz, author):
    setup = build_quiz()
    client, lesson = portal(author), setup.lesson
    for kind in QuestionKind.values:
        assert (
            client.get(f"/teach/lessons/{lesson.pk}/quiz/questions/new/{kind}/").status_code == 200
        )
    responses = [
        post_question(
            client,
            lesson,
            "single_choice",
            prompt="Capital of France?",
            points="2",
            rows="4",
            option_text_0="Paris",
            option_text_1="Lyon",
            option_text_2="",
            correct_option="0",
        ),
        post_question(
            client,
            lesson,
            "multiple_choice",
            prompt="Primes?",
            points="2",
            rows="4",
            option_text_0="2",
            option_correct_0="on",
            option_text_1="4",
            option_text_2="5",
            option_correct_2="on",
        ),
        post_question(
            client,
            lesson,
            "true_false",
            prompt="Water is wet.",
            points="1",
            statement_is_true="true",
        ),
        post_question(
            client,
            lesson,
            "fill_in_the_blank",
            prompt="Gold is ___.",
            points="1",
            accepted_answers="Au\n\nAurum\n",
        ),
        post_question(
            client,
            lesson,
            "matching",
            prompt="Match them.",
            points="3",
            rows="4",
            pair_item_0="Gold",
            pair_match_0="Au",
            pair_item_1="Iron",
            pair_match_1="Fe",
        ),
        post_question(client, lesson, "essay", prompt="Explain.", points="5"),
    ]
    assert [response.status_code for response in responses] == [302] * 6
    assert [kind for kind, _prompt in questions(setup.quiz)] == QuestionKind.values
    single, multiple, true_false, fill_in, matching, _essay = Question.objects.filter(
        quiz=setup.quiz
    ).order_by("position")
    assert list(single.options.values_list("text", "is_correct")) == [
        ("Paris", True),
        ("Lyon", False),
    ]
    assert [o.is_correct for o in multiple.options.order_by("position")] == [True, False, True]
    assert true_false.statement_is_true is True
    assert fill_in.accepted_answers == ["Au", "Aurum"]
    assert list(matching.options.values_list("text", "match_text")) == [
        ("Gold", "Au"),
        ("Iron", "Fe"),
    ]


def test_a_refused_question_keeps_what_was_typed_and_names_each_row(portal, build_quiz, author):
    setup = build_quiz()
    before = quiz_rows()
    response = post_question(
        portal(author),
        setup.lesson,
        "single_choice",
        prompt="Which?",
        points="2000",
        rows="4",
        option_text_0="Same",
        option_text_1="same",
        option_text_2="x" * 1001,
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Use a whole number from 1 to 1000." in html
    assert "Give each option a different text." in html
    assert "Mark exactly one option correct." in html
    assert 'id="id_option_text_2_error"' in html and "Use at most 1000 characters." in html
    assert 'value="Same"' in html and "Which?</textarea>" in html
    assert quiz_rows() == before


def test_more_rows_are_added_without_saving(portal, build_quiz, author):
    setup = build_quiz()
    response = post_question(
        portal(author),
        setup.lesson,
        "matching",
        prompt="Match",
        points="1",
        rows="4",
        pair_item_0="A",
        action="more",
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'name="pair_item_5"' in html and 'value="A"' in html
    assert questions(setup.quiz) == []


def test_questions_are_edited_reordered_and_removed(portal, build_quiz, author):
    setup = build_quiz()
    first = add_single_choice(setup.quiz)
    second = add_true_false(setup.quiz)
    third = add_essay(setup.quiz)
    client, lesson = portal(author), setup.lesson
    base = f"/teach/lessons/{lesson.pk}/quiz/questions"
    html = client.get(f"{base}/{first.pk}/").content.decode()
    assert 'value="Paris"' in html and 'value="0" id="id_correct_option_0" checked' in html
    response = client.post(
        f"{base}/{second.pk}/",
        {"prompt": "Ice is cold.", "points": "1", "statement_is_true": "true"},
    )
    assert response.status_code == 302
    client.post(f"{base}/{third.pk}/move/", {"direction": "up"})
    assert [q.pk for q in Question.objects.filter(quiz=setup.quiz).order_by("position")] == [
        first.pk,
        third.pk,
        second.pk,
    ]
    response = client.post(
        f"{base}/order/",
        {"question_ids": [second.pk, first.pk, third.pk]},
        HTTP_ACCEPT="application/json",
    )
    assert response.json() == {"saved": True}
    client.post(f"{base}/{first.pk}/delete/")
    assert questions(setup.quiz) == [
        ("true_false", "Ice is cold."),
        ("essay", "Explain photosynthesis."),
    ]


def test_the_quiz_builder_is_the_apis_to_open(
    portal, api, build_quiz, learner, other_author, make_person, tenant_b
):
    setup = build_quiz()
    path = f"/teach/lessons/{setup.lesson.pk}/quiz/"
    assert portal(learner).get(path).status_code == 403
    # Another author sees the published course but may not author its quiz: 403, as the API.
    assert portal(other_author).get(path).status_code == 403
    assert (
        api(other_author).get(f"/api/v1/lessons/{setup.lesson.pk}/quiz/questions").status_code
        == 403
    )
    before = quiz_rows()
    portal(other_author).post(f"{path}questions/new/essay/", {"prompt": "Mine", "points": "1"})
    assert quiz_rows() == before
    stranger = make_person(Role.ADMIN, tenant=tenant_b)
    assert portal(stranger, tenant=tenant_b).get(path).status_code == 404


def test_the_quiz_builder_costs_the_same_with_many_questions(
    portal, build_quiz, author, django_assert_max_num_queries
):
    setup = build_quiz()
    for number in range(40):
        add_single_choice(setup.quiz, prompt=f"Question {number}?")
    client = portal(author)
    with django_assert_max_num_queries(10):
        response = client.get(f"/teach/lessons/{setup.lesson.pk}/quiz/")
    assert response.content.decode().count('class="drag-handle question-handle"') == 40


# ------------------------------------------------------------------------------------------
# Grading
@pytest.fixture
def essays(build_quiz, enroll, instructor, make_person):
    """Twelve learners submitted an essay in the instructor's course (more than a page)."""
    setup = build_quiz(owner=instructor)
    essay = add_essay(setup.quiz, points=5)
    answers = []
    for number in range(12):
        learner = make_person(Role.LEARNER, email=f"writer{number}@example.com")
        enroll(learner, setup.course)
        attempt, _created = services.attempt_start(quiz=setup.quiz, learner=learner)
        services.attempt_answers_save(
            attempt=attempt,
            learner=learner,
            answers=[{"question_id": essay.pk, "response": {"text": f"Essay {number}"}}],
        )
        services.attempt_submit(attempt=attempt, learner=learner)
        answers.append(Answer.objects.get(attempt=attempt))
    return answers


def test_the_queue_lists_waiting_essays_and_grades_them(portal, instructor, essays):
    client = portal(instructor)
    html = client.get("/teach/grading/").content.decode()
    assert "12 essays are waiting" in html and "Essay 0" in html and "Essay 9" in html
    assert "Essay 10" not in html and "Page 1 of 2" in html
    response = client.post(f"/teach/grading/{essays[0].pk}/", {"points": "9", "feedback": "Good"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Use 0 to 5 points." in html and f'id="grade-{essays[0].pk}-points_error"' in html
    assert "Good</textarea>" in html
    response = client.post(f"/teach/grading/{essays[0].pk}/", {"points": "4.5", "feedback": "Good"})
    assert response.status_code == 302
    essays[0].refresh_from_db()
    assert (essays[0].points_awarded, essays[0].feedback, essays[0].graded_by_id) == (
        Decimal("4.50"),
        "Good",
        instructor.pk,
    )
    assert "11 essays are waiting" in client.get("/teach/grading/").content.decode()


def test_grading_is_for_graders_of_the_course(portal, essays, author, learner, make_person):
    assert portal(learner).get("/teach/grading/").status_code == 403
    # A content creator does not grade (the matrix), whoever owns the course.
    assert portal(author).get("/teach/grading/").status_code == 403
    before = quiz_rows()
    assert (
        portal(learner).post(f"/teach/grading/{essays[0].pk}/", {"points": "5"}).status_code == 403
    )
    assert quiz_rows() == before


def test_the_queue_costs_the_same_with_many_essays(
    portal, instructor, essays, django_assert_max_num_queries
):
    client = portal(instructor)
    with django_assert_max_num_queries(8):
        assert client.get("/teach/grading/").status_code == 200


def test_a_question_learners_answered_keeps_what_decides_its_grade(
    portal, build_quiz, author, learner, enroll
):
    setup = build_quiz()
    question = add_single_choice(setup.quiz, points=1)
    enroll(learner, setup.course)
    services.attempt_start(quiz=setup.quiz, learner=learner)
    response = portal(author).post(
        f"/teach/lessons/{setup.lesson.pk}/quiz/questions/{question.pk}/",
        {
            "prompt": "Capital of France, again?",
            "points": "4",
            "rows": "4",
            "option_text_0": "Paris",
            "option_text_1": "Lyon",
            "option_text_2": "Nice",
            "correct_option": "0",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_points_error"><li>Fixed once the question is in use.' in html
    assert "Learners have answered this question; only its prompt can change." in html
    question.refresh_from_db()
    assert (question.prompt, question.points) == ("Capital of France?", 1)


def test_another_tenants_answer_is_404(portal, essays, make_person, tenant_b):
    stranger = make_person(Role.ADMIN, tenant=tenant_b)
    client = portal(stranger, tenant=tenant_b)
    response = client.post(f"/teach/grading/{essays[0].pk}/", {"points": "1"})
    assert response.status_code == 404
