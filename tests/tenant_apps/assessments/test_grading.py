"""Automatic grading, question kind by question kind: the shapes answers must have, and
the points each answer earns (also end to end, through a submitted attempt)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from core.errors import ValidationFailed
from tenant_apps.assessments import services
from tenant_apps.assessments.grading import correct_answer, response_clean, response_points
from tenant_apps.assessments.models import Answer, Question
from tests.tenant_apps.assessments.conftest import (
    add_essay,
    add_fill_in,
    add_matching,
    add_multiple_choice,
    add_single_choice,
    add_true_false,
    option_id,
)


@pytest.fixture
def quiz(build_quiz):
    return build_quiz().quiz


def grade(question: Question, response: Any) -> Decimal | None:
    """Clean the response as the API would, then score it."""
    options = list(question.options.order_by("position"))
    cleaned = response_clean(question=question, options=options, response=response, field="r")
    return response_points(question=question, options=options, response=cleaned)


def refused(question: Question, response: Any) -> list[tuple[str, str]]:
    options = list(question.options.order_by("position"))
    with pytest.raises(ValidationFailed) as caught:
        response_clean(question=question, options=options, response=response, field="r")
    assert caught.value.code.value == "invalid_answer"
    return [(d.field, d.message) for d in caught.value.details]


# ------------------------------------------------------------------------------------------
# Single choice
def test_single_choice_right_and_wrong(quiz):
    question = add_single_choice(quiz, points=4)
    assert grade(question, {"option_id": option_id(question, "Paris")}) == Decimal("4")
    assert grade(question, {"option_id": option_id(question, "Lyon")}) == Decimal("0.00")
    assert grade(question, None) == Decimal("0.00")


def test_single_choice_refuses_an_option_of_another_question(quiz):
    question = add_single_choice(quiz)
    other = add_single_choice(quiz, prompt="Capital of Italy?")
    foreign = option_id(other, "Paris")
    assert refused(question, {"option_id": foreign}) == [
        ("r.option_id", f"Option {foreign} is not an option of this question.")
    ]


@pytest.mark.parametrize(
    ("response", "errors"),
    [
        ("Paris", [("r", "Use an object in the shape of this question's kind.")]),
        ({}, [("r.option_id", "Give the id of one option.")]),
        ({"option_id": True}, [("r.option_id", "Give the id of one option.")]),
        ({"option_id": "1"}, [("r.option_id", "Give the id of one option.")]),
        (
            {"option_ids": [1]},
            [
                ("r.option_ids", "Not part of this kind of answer."),
                ("r.option_id", "Give the id of one option."),
            ],
        ),
    ],
)
def test_single_choice_wrong_shapes(quiz, response, errors):
    assert refused(add_single_choice(quiz), response) == errors


# ------------------------------------------------------------------------------------------
# Multiple choice: all or nothing
def test_multiple_choice_is_all_or_nothing(quiz):
    question = add_multiple_choice(quiz, points=2)
    two, four, five = (option_id(question, t) for t in ("2", "4", "5"))
    assert grade(question, {"option_ids": [five, two]}) == Decimal("2")
    assert grade(question, {"option_ids": [two]}) == Decimal("0.00")
    assert grade(question, {"option_ids": [two, five, four]}) == Decimal("0.00")
    assert grade(question, {"option_ids": []}) == Decimal("0.00")


def test_multiple_choice_wrong_shapes(quiz):
    question = add_multiple_choice(quiz)
    two = option_id(question, "2")
    assert refused(question, {"option_ids": [two, two]}) == [
        ("r.option_ids", "Give each option once.")
    ]
    assert refused(question, {"option_ids": two}) == [
        ("r.option_ids", "Give a list of option ids.")
    ]
    assert refused(question, {"option_ids": [two, 999_999]}) == [
        ("r.option_ids", "Not options of this question: 999999.")
    ]


def test_multiple_choice_response_is_stored_sorted(quiz):
    question = add_multiple_choice(quiz)
    two, five = option_id(question, "2"), option_id(question, "5")
    options = list(question.options.all())
    assert response_clean(
        question=question, options=options, response={"option_ids": [five, two]}, field="r"
    ) == {"option_ids": [two, five]}


# ------------------------------------------------------------------------------------------
# True / false
def test_true_false(quiz):
    true_statement = add_true_false(quiz, points=2, statement_is_true=True)
    false_statement = add_true_false(quiz, points=2, statement_is_true=False)
    assert grade(true_statement, {"value": True}) == Decimal("2")
    assert grade(true_statement, {"value": False}) == Decimal("0.00")
    assert grade(false_statement, {"value": False}) == Decimal("2")
    assert refused(true_statement, {"value": "true"}) == [("r.value", "Use true or false.")]
    assert refused(true_statement, {"value": 1}) == [("r.value", "Use true or false.")]


# ------------------------------------------------------------------------------------------
# Fill in the blank: case-insensitive, trimmed
@pytest.mark.parametrize(
    ("text", "points"),
    [
        ("Au", Decimal("1")),
        ("  au ", Decimal("1")),
        ("AURUM", Decimal("1")),
        ("Ag", Decimal("0.00")),
        ("A u", Decimal("0.00")),
        ("", Decimal("0.00")),
    ],
)
def test_fill_in_the_blank(quiz, text, points):
    assert grade(add_fill_in(quiz), {"text": text}) == points


def test_fill_in_the_blank_wrong_shapes(quiz):
    question = add_fill_in(quiz)
    assert refused(question, {"text": 7}) == [("r.text", "Must be text.")]
    assert refused(question, {"text": "x" * 501}) == [("r.text", "Use at most 500 characters.")]
    assert refused(question, {"text": "A\x00u"}) == [("r.text", "Null characters are not allowed.")]


# ------------------------------------------------------------------------------------------
# Matching: a share of the points per correct pair
def test_matching_scores_per_pair(quiz):
    question = add_matching(quiz, points=3)
    gold, silver, iron = (option_id(question, t) for t in ("Gold", "Silver", "Iron"))
    right = [
        {"item_id": gold, "match": "Au"},
        {"item_id": silver, "match": "Ag"},
        {"item_id": iron, "match": "Fe"},
    ]
    assert grade(question, {"matches": right}) == Decimal("3.00")
    swapped = [
        {"item_id": gold, "match": "Au"},
        {"item_id": silver, "match": "Fe"},
        {"item_id": iron, "match": "Ag"},
    ]
    assert grade(question, {"matches": swapped}) == Decimal("1.00")
    assert grade(question, {"matches": right[:2]}) == Decimal("2.00")
    assert grade(question, {"matches": []}) == Decimal("0.00")


def test_matching_rounds_shares_half_up_to_the_cent(quiz):
    question = add_matching(quiz, points=1)
    gold, silver = option_id(question, "Gold"), option_id(question, "Silver")
    two_of_three = [{"item_id": gold, "match": "Au"}, {"item_id": silver, "match": "Ag"}]
    assert grade(question, {"matches": two_of_three}) == Decimal("0.67")
    assert grade(question, {"matches": two_of_three[:1]}) == Decimal("0.33")


def test_matching_wrong_shapes(quiz):
    question = add_matching(quiz)
    gold = option_id(question, "Gold")
    assert refused(
        question,
        {
            "matches": [
                {"item_id": gold, "match": "Au"},
                {"item_id": gold, "match": "Ag"},
                {"item_id": 999_999, "match": "Pb"},
                "Gold=Au",
            ]
        },
    ) == [
        ("r.matches.1.item_id", "Match each item once."),
        ("r.matches.2.item_id", "999999 is not an item of this question."),
        ("r.matches.2.match", "Choose one of this question's matches."),
        ("r.matches.3", "Use {item_id, match}."),
    ]
    assert refused(question, {"matches": {"Gold": "Au"}}) == [
        ("r.matches", "Give a list of {item_id, match} pairs.")
    ]


# ------------------------------------------------------------------------------------------
# Essays: by hand
def test_essay_waits_for_a_grader_unless_blank(quiz):
    question = add_essay(quiz)
    assert grade(question, {"text": "Plants turn light into sugar."}) is None
    assert grade(question, {"text": "   "}) == Decimal("0.00")
    assert grade(question, None) == Decimal("0.00")
    assert refused(question, {"text": "x" * 50_001}) == [
        ("r.text", "Use at most 50000 characters.")
    ]


# ------------------------------------------------------------------------------------------
# The correct answers, as shown once results are visible
def test_correct_answers_per_kind(quiz):
    single = add_single_choice(quiz)
    multiple = add_multiple_choice(quiz)
    statement = add_true_false(quiz, statement_is_true=False)
    fill_in = add_fill_in(quiz)
    matching = add_matching(quiz)
    essay = add_essay(quiz)

    def key(question: Question) -> dict | None:
        return correct_answer(question=question, options=list(question.options.all()))

    assert key(single) == {"option_id": option_id(single, "Paris")}
    assert key(multiple) == {
        "option_ids": sorted([option_id(multiple, "2"), option_id(multiple, "5")])
    }
    assert key(statement) == {"value": False}
    assert key(fill_in) == {"accepted_answers": ["Au", "Aurum"]}
    assert key(matching) == {
        "matches": [
            {"item_id": option_id(matching, "Gold"), "match": "Au"},
            {"item_id": option_id(matching, "Silver"), "match": "Ag"},
            {"item_id": option_id(matching, "Iron"), "match": "Fe"},
        ]
    }
    assert key(essay) is None


# ------------------------------------------------------------------------------------------
# End to end: one attempt with every automatic kind
def test_submitted_attempt_stores_the_points_of_every_answer(build_quiz, learner, enroll):
    setup = build_quiz(passing_score=50)
    quiz = setup.quiz
    single = add_single_choice(quiz, points=1)
    multiple = add_multiple_choice(quiz, points=2)
    statement = add_true_false(quiz, points=1)
    fill_in = add_fill_in(quiz, points=1)
    matching = add_matching(quiz, points=3)
    enroll(learner, setup.course)
    attempt, _new = services.attempt_start(quiz=quiz, learner=learner)
    services.attempt_answers_save(
        attempt=attempt,
        learner=learner,
        answers=[
            {"question_id": single.pk, "response": {"option_id": option_id(single, "Lyon")}},
            {
                "question_id": multiple.pk,
                "response": {"option_ids": [option_id(multiple, "2"), option_id(multiple, "5")]},
            },
            {"question_id": statement.pk, "response": {"value": True}},
            {"question_id": fill_in.pk, "response": {"text": " aurum "}},
            {
                "question_id": matching.pk,
                "response": {
                    "matches": [
                        {"item_id": option_id(matching, "Gold"), "match": "Au"},
                        {"item_id": option_id(matching, "Iron"), "match": "Ag"},
                    ]
                },
            },
        ],
    )
    attempt = services.attempt_submit(attempt=attempt, learner=learner)
    points = dict(
        Answer.objects.filter(attempt=attempt).values_list("question_id", "points_awarded")
    )
    assert points == {
        single.pk: Decimal("0.00"),
        multiple.pk: Decimal("2.00"),
        statement.pk: Decimal("1.00"),
        fill_in.pk: Decimal("1.00"),
        matching.pk: Decimal("1.00"),
    }
    assert attempt.status == "graded"
    assert attempt.max_points == 8
    assert attempt.score_points == Decimal("5.00")
    assert attempt.score_percent == Decimal("62.50")
    assert attempt.passed is True
