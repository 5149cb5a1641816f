"""Taking a quiz in the portal: the panel in the player, start, each of the six kinds of
question as form fields, saving one answer at a time (the script's endpoint) and the whole
form (no script), hand in, results as the quiz allows, attempts left; who may; bounded
queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tenant_apps.assessments.models import Answer, Attempt, AttemptStatus, ResultsVisibility
from tenant_apps.progress.models import LessonProgress
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

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(build_quiz):
    built = build_quiz(max_attempts=2, time_limit_minutes=20, other_lessons=1)
    questions = {
        "single": add_single_choice(built.quiz),
        "multiple": add_multiple_choice(built.quiz),
        "true_false": add_true_false(built.quiz),
        "fill_in": add_fill_in(built.quiz),
        "matching": add_matching(built.quiz),
    }
    return built, questions


def _base(built) -> str:
    return f"/courses/{built.course.pk}/lessons/{built.lesson.pk}/quiz/"


def _start(client, built) -> tuple[int, str]:
    response = client.post(f"{_base(built)}start/")
    assert response.status_code == 302, response.content.decode()[:400]
    attempt_id = int(re.search(r"/attempts/(\d+)/$", response["Location"])[1])
    return attempt_id, response["Location"]


def _right_answers(questions) -> dict[str, object]:
    single, multiple = questions["single"], questions["multiple"]
    matching = questions["matching"]
    answers = {
        f"q{single.pk}": str(option_id(single, "Paris")),
        f"q{multiple.pk}": [str(option_id(multiple, "2")), str(option_id(multiple, "5"))],
        f"q{questions['true_false'].pk}": "true",
        f"q{questions['fill_in'].pk}": "au",
    }
    for item, match in (("Gold", "Au"), ("Silver", "Ag"), ("Iron", "Fe")):
        answers[f"q{matching.pk}-item{option_id(matching, item)}"] = match
    return answers


def test_the_player_shows_the_quiz_and_its_rules(portal, learner, enroll, setup):
    built, _questions = setup
    enroll(learner, built.course)
    body = portal(learner).get(f"/courses/{built.course.pk}/lessons/{built.lesson.pk}/")
    text = body.content.decode()
    assert body.status_code == 200
    assert "5 questions" in text and "2 attempts left." in text
    assert "Time limit: 20 minutes." in text
    assert f'action="{_base(built)}start/"' in text


def test_every_kind_of_question_is_a_keyboard_form_field(portal, learner, enroll, build_quiz):
    built = build_quiz(time_limit_minutes=5)
    add_single_choice(built.quiz)
    add_multiple_choice(built.quiz)
    add_true_false(built.quiz)
    add_fill_in(built.quiz)
    matching = add_matching(built.quiz)
    add_essay(built.quiz)
    enroll(learner, built.course)
    client = portal(learner)
    _attempt_id, url = _start(client, built)
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count('type="radio"') == 3 + 2  # single choice, true/false
    assert text.count('type="checkbox"') == 4
    assert text.count("<textarea") == 1
    assert text.count("<select") == 3  # one per matching item
    gold = option_id(matching, "Gold")
    assert f'<label for="id_q{matching.pk}-item{gold}">Gold</label>' in text
    assert 'role="timer"' in text and 'data-seconds-left="' in text
    seconds = int(re.search(r'data-seconds-left="(\d+)"', text)[1])
    assert 280 <= seconds <= 300


def test_answers_are_saved_one_at_a_time_and_kept_on_the_page(portal, learner, enroll, setup):
    built, questions = setup
    enroll(learner, built.course)
    client = portal(learner)
    attempt_id, url = _start(client, built)
    single = questions["single"]
    paris = option_id(single, "Paris")
    response = client.post(f"{url}answer/", {"question": single.pk, f"q{single.pk}": paris})
    assert response.status_code == 200
    assert response.json()["saved"] is True
    assert 1100 <= response.json()["seconds_left"] <= 1200
    answer = Answer.objects.get(attempt_id=attempt_id, question=single)
    assert answer.response == {"option_id": paris}
    page = client.get(url).content.decode()
    assert re.search(rf'<input type="radio" name="q{single.pk}" value="{paris}"[^>]* checked', page)


def test_a_wrong_answer_is_refused_with_its_reason(portal, learner, enroll, setup):
    built, questions = setup
    enroll(learner, built.course)
    client = portal(learner)
    attempt_id, url = _start(client, built)
    single = questions["single"]
    response = client.post(f"{url}answer/", {"question": single.pk, f"q{single.pk}": "999999"})
    assert response.status_code == 400
    assert f"q{single.pk}" in response.json()["errors"]
    assert not Answer.objects.filter(attempt_id=attempt_id).exists()
    # The whole form without the script: the field's error beside it, status 400.
    page = client.post(url, {f"q{single.pk}": "999999", "action": "save"})
    assert page.status_code == 400
    text = page.content.decode()
    assert "error-summary" in text and f'href="#question-{single.pk}"' in text


def test_handing_in_the_whole_form_passes_the_quiz(portal, learner, enroll, setup):
    built, questions = setup
    enroll(learner, built.course)
    client = portal(learner)
    attempt_id, url = _start(client, built)
    response = client.post(url, {**_right_answers(questions), "action": "submit"}, follow=True)
    assert response.status_code == 200
    attempt = Attempt.objects.get(pk=attempt_id)
    assert attempt.status == AttemptStatus.GRADED and attempt.passed is True
    text = response.content.decode()
    assert "Passed" in text and "8.00 of 8 points (100.00%)" in text
    assert "Correct answer:" in text and "1 attempt left." in text
    assert LessonProgress.objects.get(lesson=built.lesson).completed_at is not None


def test_results_hidden_by_the_quiz_are_not_shown(portal, learner, enroll, build_quiz):
    built = build_quiz(results_visibility=ResultsVisibility.NEVER)
    single = add_single_choice(built.quiz)
    enroll(learner, built.course)
    client = portal(learner)
    _attempt_id, url = _start(client, built)
    paris = option_id(single, "Paris")
    text = client.post(url, {f"q{single.pk}": paris, "action": "submit"}, follow=True)
    body = text.content.decode()
    assert "Passed" in body  # whether it passed always shows
    assert "Correct answer:" not in body and "of 1 points" not in body
    assert "does not show scores" in body


def test_no_attempts_left_is_said_plainly(portal, learner, enroll, build_quiz):
    built = build_quiz(max_attempts=1)
    single = add_single_choice(built.quiz)
    enroll(learner, built.course)
    client = portal(learner)
    _attempt_id, url = _start(client, built)
    lyon = option_id(single, "Lyon")
    client.post(url, {f"q{single.pk}": lyon, "action": "submit"})
    player = client.get(f"/courses/{built.course.pk}/lessons/{built.lesson.pk}/")
    assert "You have used all your attempts at this quiz." in player.content.decode()
    again = client.post(f"{_base(built)}start/")
    assert again.status_code == 409
    assert "All 1 attempts at this quiz are used." in again.content.decode()


def test_time_over_hands_in_what_was_saved(portal, learner, enroll, setup):
    built, questions = setup
    enroll(learner, built.course)
    client = portal(learner)
    attempt_id, url = _start(client, built)
    Attempt.objects.filter(pk=attempt_id).update(deadline_at=timezone.now() - timedelta(minutes=5))
    single = questions["single"]
    paris = option_id(single, "Paris")
    response = client.post(f"{url}answer/", {"question": single.pk, f"q{single.pk}": paris})
    assert response.status_code == 409
    assert response.json()["redirect"] == url
    assert Attempt.objects.get(pk=attempt_id).status != AttemptStatus.IN_PROGRESS


def test_someone_not_enrolled_cannot_start(portal, learner, setup, tenant_a):
    built, _questions = setup
    before = quiz_rows()
    response = portal(learner).post(f"{_base(built)}start/")
    assert response.status_code == 403
    assert quiz_rows() == before


def test_another_learners_attempt_is_404(portal, learner, make_person, enroll, setup):
    built, questions = setup
    enroll(learner, built.course)
    _attempt_id, url = _start(portal(learner), built)
    other = make_person(email="olga@example.com")
    enroll(other, built.course)
    before = quiz_rows()
    single = questions["single"]
    assert portal(other).get(url).status_code == 404
    assert portal(other).post(f"{url}answer/", {"question": single.pk}).status_code == 404
    assert portal(other).post(url, {"action": "submit"}).status_code == 404
    assert quiz_rows() == before


def test_a_quiz_under_another_course_is_404(portal, learner, enroll, setup, build_quiz):
    built, _questions = setup
    other = build_quiz()
    enroll(learner, built.course)
    response = portal(learner).post(
        f"/courses/{other.course.pk}/lessons/{built.lesson.pk}/quiz/start/"
    )
    assert response.status_code == 404


def test_the_attempt_page_runs_a_bounded_number_of_queries(
    portal, learner, enroll, build_quiz, django_assert_max_num_queries
):
    built = build_quiz()
    for n in range(40):
        add_single_choice(built.quiz, prompt=f"Question {n}?")
        add_matching(built.quiz)
    enroll(learner, built.course)
    client = portal(learner)
    _attempt_id, url = _start(client, built)
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(20):
        player = client.get(f"/courses/{built.course.pk}/lessons/{built.lesson.pk}/")
        assert player.status_code == 200
