"""Answers: their shape per question kind, and how each kind is scored. No database here:
callers pass the question with its options.

Shapes of a response (what the learner sends, and what is stored):

* single choice: ``{"option_id": 12}``
* multiple choice: ``{"option_ids": [12, 14]}``
* true/false: ``{"value": true}``
* fill in the blank: ``{"text": "Paris"}``
* matching: ``{"matches": [{"item_id": 21, "match": "Au"}, ...]}`` (items may be left out)
* essay: ``{"text": "..."}``

Scoring (see models.py for why): all-or-nothing for every kind except matching (a share of
the points per correct pair, rounded half up to the cent) and essays (by hand).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from core.errors import FieldError, ValidationFailed
from tenant_apps.assessments.errors import AssessmentErrorCode
from tenant_apps.assessments.limits import ESSAY_TEXT_MAX, FILL_IN_TEXT_MAX
from tenant_apps.assessments.models import Question, QuestionKind, QuestionOption

CENT = Decimal("0.01")


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def normalised_text(text: str) -> str:
    """How fill-in answers compare: trimmed, case-folded, inner spaces collapsed."""
    return " ".join(text.split()).casefold()


class _Problems:
    """Collects what is wrong with one response, each under its field name."""

    def __init__(self, field: str) -> None:
        self.field = field
        self.errors: list[FieldError] = []

    def add(self, message: str, part: str = "") -> None:
        self.errors.append(FieldError(f"{self.field}.{part}" if part else self.field, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(
                AssessmentErrorCode.INVALID_ANSWER, _("The answer is invalid."), self.errors
            )


ResponseCleaner = Callable[[dict[str, Any], Sequence[QuestionOption], _Problems], dict[str, Any]]


def _clean_single_choice(
    response: dict[str, Any], options: Sequence[QuestionOption], problems: _Problems
) -> dict[str, Any]:
    option_id = response.get("option_id")
    if not _is_id(option_id):
        problems.add(_("Give the id of one option."), "option_id")
    elif option_id not in {option.pk for option in options}:
        problems.add(
            _("Option %(option_id)s is not an option of this question.") % {"option_id": option_id},
            "option_id",
        )
    return {"option_id": option_id}


def _clean_multiple_choice(
    response: dict[str, Any], options: Sequence[QuestionOption], problems: _Problems
) -> dict[str, Any]:
    chosen = response.get("option_ids")
    if not isinstance(chosen, list) or not all(_is_id(i) for i in chosen):
        problems.add(_("Give a list of option ids."), "option_ids")
        return {}
    foreign = sorted(set(chosen) - {option.pk for option in options})
    if foreign:
        problems.add(
            _("Not options of this question: %(choices)s.")
            % {"choices": ", ".join(map(str, foreign))},
            "option_ids",
        )
    elif len(set(chosen)) != len(chosen):
        problems.add(_("Give each option once."), "option_ids")
    return {"option_ids": sorted(chosen)}


def _clean_true_false(
    response: dict[str, Any], options: Sequence[QuestionOption], problems: _Problems
) -> dict[str, Any]:
    if not isinstance(response.get("value"), bool):
        problems.add(_("Use true or false."), "value")
    return {"value": response.get("value")}


def _text_cleaner(limit: int) -> ResponseCleaner:
    def clean(
        response: dict[str, Any], options: Sequence[QuestionOption], problems: _Problems
    ) -> dict[str, Any]:
        text = response.get("text")
        if not isinstance(text, str):
            problems.add(_("Must be text."), "text")
        elif "\x00" in text:  # PostgreSQL stores no NUL characters
            problems.add(_("Null characters are not allowed."), "text")
        elif len(text) > limit:
            problems.add(_("Use at most %(limit)s characters.") % {"limit": limit}, "text")
        return {"text": text}

    return clean


def _clean_matching(
    response: dict[str, Any], options: Sequence[QuestionOption], problems: _Problems
) -> dict[str, Any]:
    matches = response.get("matches")
    if not isinstance(matches, list):
        problems.add(_("Give a list of {item_id, match} pairs."), "matches")
        return {}
    option_ids = {option.pk for option in options}
    match_texts = {option.match_text for option in options}
    seen: set[int] = set()
    cleaned: list[dict[str, Any]] = []
    for index, pair in enumerate(matches):
        part = f"matches.{index}"
        if not isinstance(pair, dict) or set(pair) != {"item_id", "match"}:
            problems.add(_("Use {item_id, match}."), part)
            continue
        item_id, match = pair["item_id"], pair["match"]
        if not _is_id(item_id) or item_id not in option_ids:
            problems.add(
                _("%(item_id)r is not an item of this question.") % {"item_id": item_id},
                f"{part}.item_id",
            )
        elif item_id in seen:
            problems.add(_("Match each item once."), f"{part}.item_id")
        if not isinstance(match, str) or match not in match_texts:
            problems.add(_("Choose one of this question's matches."), f"{part}.match")
        if _is_id(item_id):
            seen.add(item_id)
        cleaned.append({"item_id": item_id, "match": match})
    return {"matches": sorted(cleaned, key=lambda pair: pair["item_id"])}


# Per kind: the keys a response may have, and what checks and normalises it.
_RESPONSE_SHAPES: dict[str, tuple[frozenset[str], ResponseCleaner]] = {
    QuestionKind.SINGLE_CHOICE: (frozenset({"option_id"}), _clean_single_choice),
    QuestionKind.MULTIPLE_CHOICE: (frozenset({"option_ids"}), _clean_multiple_choice),
    QuestionKind.TRUE_FALSE: (frozenset({"value"}), _clean_true_false),
    QuestionKind.FILL_IN_THE_BLANK: (frozenset({"text"}), _text_cleaner(FILL_IN_TEXT_MAX)),
    QuestionKind.ESSAY: (frozenset({"text"}), _text_cleaner(ESSAY_TEXT_MAX)),
    QuestionKind.MATCHING: (frozenset({"matches"}), _clean_matching),
}


def response_clean(
    *, question: Question, options: Sequence[QuestionOption], response: Any, field: str
) -> dict[str, Any] | None:
    """Check a response against its question and return it normalised (ids sorted, texts
    as typed). `None` means "no answer". Raises 400 `invalid_answer` naming
    `field` or `field.<part>` (e.g. an option id of another question, or the wrong shape
    for the question's kind)."""
    if response is None:
        return None
    problems = _Problems(field)
    if not isinstance(response, dict):
        problems.add(_("Use an object in the shape of this question's kind."))
        problems.raise_if_any()
    keys, clean = _RESPONSE_SHAPES[question.kind]
    for key in sorted(set(response) - keys):
        problems.add(_("Not part of this kind of answer."), key)
    cleaned = clean(response, options, problems)
    problems.raise_if_any()
    return cleaned


def response_is_blank(*, question: Question, response: dict[str, Any] | None) -> bool:
    """Whether a response says nothing: no answer, empty text, no option, no pair."""
    if response is None:
        return True
    if question.kind in (QuestionKind.FILL_IN_THE_BLANK, QuestionKind.ESSAY):
        return not response.get("text", "").strip()
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return not response.get("option_ids")
    if question.kind == QuestionKind.MATCHING:
        return not response.get("matches")
    return False


def response_points(
    *, question: Question, options: Sequence[QuestionOption], response: dict[str, Any] | None
) -> Decimal | None:
    """The points a (clean) response earns; `None` for an essay someone must grade (a blank
    essay earns 0 at once)."""
    full = Decimal(question.points)
    zero = Decimal("0.00")
    kind = question.kind
    if kind == QuestionKind.ESSAY:
        return zero if response_is_blank(question=question, response=response) else None
    if response is None:
        return zero

    if kind == QuestionKind.SINGLE_CHOICE:
        correct = {option.pk for option in options if option.is_correct}
        return full if response["option_id"] in correct else zero
    if kind == QuestionKind.MULTIPLE_CHOICE:
        correct = {option.pk for option in options if option.is_correct}
        return full if set(response["option_ids"]) == correct else zero
    if kind == QuestionKind.TRUE_FALSE:
        return full if response["value"] == question.statement_is_true else zero
    if kind == QuestionKind.FILL_IN_THE_BLANK:
        given = normalised_text(response["text"])
        accepted = {normalised_text(text) for text in question.accepted_answers}
        return full if given and given in accepted else zero
    # Matching: a share per correct pair.
    expected = {option.pk: option.match_text for option in options}
    right = sum(1 for pair in response["matches"] if expected.get(pair["item_id"]) == pair["match"])
    if not expected:
        return zero
    return (full * right / len(expected)).quantize(CENT, rounding=ROUND_HALF_UP)


def correct_answer(
    *, question: Question, options: Sequence[QuestionOption]
) -> dict[str, Any] | None:
    """The right answer in the shape of a response (fill in the blank: the accepted
    answers); None for an essay."""
    kind = question.kind
    if kind == QuestionKind.SINGLE_CHOICE:
        correct = [option.pk for option in options if option.is_correct]
        return {"option_id": correct[0] if correct else None}
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return {"option_ids": sorted(option.pk for option in options if option.is_correct)}
    if kind == QuestionKind.TRUE_FALSE:
        return {"value": question.statement_is_true}
    if kind == QuestionKind.FILL_IN_THE_BLANK:
        return {"accepted_answers": list(question.accepted_answers)}
    if kind == QuestionKind.MATCHING:
        return {
            "matches": [
                {"item_id": option.pk, "match": option.match_text}
                for option in sorted(options, key=lambda option: option.pk)
            ]
        }
    return None
