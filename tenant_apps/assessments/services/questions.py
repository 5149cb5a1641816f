"""Questions of a quiz: written, changed, removed and reordered while attempts keep theirs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, FieldError, NotFound, ValidationFailed
from core.validation import is_whole_number, text_field
from tenant_apps.assessments.errors import AssessmentErrorCode
from tenant_apps.assessments.limits import (
    ACCEPTED_ANSWER_MAX,
    ACCEPTED_ANSWERS_MAX,
    OPTION_TEXT_MAX,
    OPTIONS_MAX,
    OPTIONS_MIN,
    POINTS_MAX,
    PROMPT_MAX,
    QUESTIONS_MAX,
)
from tenant_apps.assessments.models import (
    CHOICE_KINDS,
    Attempt,
    Question,
    QuestionKind,
    QuestionOption,
    Quiz,
)


class OptionValues(TypedDict):
    text: str
    is_correct: bool


class PairValues(TypedDict):
    item: str
    match: str


@dataclass(frozen=True)
class QuestionDraft:
    """A question's content as checked, comparable with what is stored."""

    kind: str
    prompt: str
    points: int
    options: tuple[tuple[str, bool], ...]
    accepted_answers: tuple[str, ...]
    statement_is_true: bool | None
    pairs: tuple[tuple[str, str], ...]

    def grading_changes(self, other: QuestionDraft) -> list[str]:
        """The fields that decide grading and differ between the two drafts."""
        names = ["kind", "points", "options", "accepted_answers", "statement_is_true", "pairs"]
        return [name for name in names if getattr(self, name) != getattr(other, name)]


def _list_of(
    errors: list[FieldError],
    field: str,
    value: Any,
    *,
    shape: str,
    noun: str,
    least: int,
    most: int,
) -> Sequence[Any] | None:
    """`value` when it is a list of `least`..`most` entries; else None and an error on
    `field` ("Use a list of <shape>." / "Give <least> to <most> <noun>.")."""
    if not isinstance(value, Sequence) or isinstance(value, str):
        errors.append(FieldError(field, _("Use a list of %(shape)s.") % {"shape": shape}))
        return None
    if not least <= len(value) <= most:
        errors.append(
            FieldError(
                field,
                _("Give %(least)s to %(most)s %(noun)s.")
                % {"least": least, "most": most, "noun": noun},
            )
        )
        return None
    return value


def _clean_options(
    errors: list[FieldError], kind: str, options: Any
) -> tuple[tuple[str, bool], ...]:
    options = _list_of(
        errors,
        "options",
        options,
        shape=_("options"),
        noun=_("options"),
        least=OPTIONS_MIN,
        most=OPTIONS_MAX,
    )
    if options is None:
        return ()
    cleaned: list[tuple[str, bool]] = []
    for index, option in enumerate(options):
        field = f"options.{index}"
        if not isinstance(option, dict):
            errors.append(FieldError(field, _("Use {text, is_correct}.")))
            continue
        text = text_field(errors, f"{field}.text", option.get("text"), limit=OPTION_TEXT_MAX)
        is_correct = option.get("is_correct", False)
        if not isinstance(is_correct, bool):
            errors.append(FieldError(f"{field}.is_correct", _("Use true or false.")))
        cleaned.append((text, is_correct is True))
    texts = [text.casefold() for text, _correct in cleaned]
    if len(set(texts)) != len(texts):
        errors.append(FieldError("options", _("Give each option a different text.")))
    correct = sum(1 for _text_, is_correct in cleaned if is_correct)
    if kind == QuestionKind.SINGLE_CHOICE and correct != 1:
        errors.append(FieldError("options", _("Mark exactly one option correct.")))
    elif kind == QuestionKind.MULTIPLE_CHOICE and correct < 1:
        errors.append(FieldError("options", _("Mark at least one option correct.")))
    return tuple(cleaned)


def _clean_pairs(errors: list[FieldError], pairs: Any) -> tuple[tuple[str, str], ...]:
    pairs = _list_of(
        errors,
        "pairs",
        pairs,
        shape=_("{item, match} pairs"),
        noun=_("pairs"),
        least=OPTIONS_MIN,
        most=OPTIONS_MAX,
    )
    if pairs is None:
        return ()
    cleaned: list[tuple[str, str]] = []
    for index, pair in enumerate(pairs):
        field = f"pairs.{index}"
        if not isinstance(pair, dict):
            errors.append(FieldError(field, _("Use {item, match}.")))
            continue
        item = text_field(errors, f"{field}.item", pair.get("item"), limit=OPTION_TEXT_MAX)
        match = text_field(errors, f"{field}.match", pair.get("match"), limit=OPTION_TEXT_MAX)
        cleaned.append((item, match))
    items = [item.casefold() for item, _match in cleaned]
    if len(set(items)) != len(items):
        errors.append(FieldError("pairs", _("Give each item a different text.")))
    return tuple(cleaned)


def _clean_accepted_answers(errors: list[FieldError], accepted: Any) -> tuple[str, ...]:
    accepted = _list_of(
        errors,
        "accepted_answers",
        accepted,
        shape=_("answers"),
        noun=_("accepted answers"),
        least=1,
        most=ACCEPTED_ANSWERS_MAX,
    )
    if accepted is None:
        return ()
    return tuple(
        text_field(errors, f"accepted_answers.{index}", text, limit=ACCEPTED_ANSWER_MAX)
        for index, text in enumerate(accepted)
    )


def _clean_question(
    *,
    kind: str,
    prompt: str,
    points: int,
    options: Sequence[OptionValues],
    accepted_answers: Sequence[str],
    statement_is_true: bool | None,
    pairs: Sequence[PairValues],
) -> QuestionDraft:
    """Check a question for its kind; one 400 names every field that is wrong. Fields that
    do not belong to the kind must be left empty."""
    errors: list[FieldError] = []
    if kind not in QuestionKind.values:
        raise ValidationFailed(
            AssessmentErrorCode.INVALID_QUESTION,
            _("The question is invalid."),
            [
                FieldError(
                    "kind",
                    _("Use one of %(choices)s.") % {"choices": ", ".join(QuestionKind.values)},
                )
            ],
        )
    prompt = text_field(errors, "prompt", prompt, limit=PROMPT_MAX)
    if not (is_whole_number(points) and 1 <= points <= POINTS_MAX):
        errors.append(
            FieldError(
                "points",
                _("Use a whole number from 1 to %(most)s.") % {"most": POINTS_MAX},
            )
        )
    cleaned_options: tuple[tuple[str, bool], ...] = ()
    cleaned_accepted: tuple[str, ...] = ()
    cleaned_pairs: tuple[tuple[str, str], ...] = ()
    label = QuestionKind(kind).label.lower()
    if kind in CHOICE_KINDS:
        cleaned_options = _clean_options(errors, kind, options)
    elif options:
        errors.append(
            FieldError(
                "options", _("%(label)s questions have no options.") % {"label": label.capitalize()}
            )
        )
    if kind == QuestionKind.FILL_IN_THE_BLANK:
        cleaned_accepted = _clean_accepted_answers(errors, accepted_answers)
    elif accepted_answers:
        errors.append(
            FieldError("accepted_answers", _("Only fill-in-the-blank questions have these."))
        )
    if kind == QuestionKind.TRUE_FALSE:
        if not isinstance(statement_is_true, bool):
            errors.append(FieldError("statement_is_true", _("Say whether the statement is true.")))
    elif statement_is_true is not None:
        errors.append(FieldError("statement_is_true", _("Only true/false questions have this.")))
        statement_is_true = None
    if kind == QuestionKind.MATCHING:
        cleaned_pairs = _clean_pairs(errors, pairs)
    elif pairs:
        errors.append(FieldError("pairs", _("Only matching questions have pairs.")))
    if errors:
        raise ValidationFailed(
            AssessmentErrorCode.INVALID_QUESTION, _("The question is invalid."), errors
        )
    return QuestionDraft(
        kind=kind,
        prompt=prompt,
        points=points,
        options=cleaned_options,
        accepted_answers=cleaned_accepted,
        statement_is_true=statement_is_true,
        pairs=cleaned_pairs,
    )


def _draft_of(question: Question, options: Iterable[QuestionOption]) -> QuestionDraft:
    options = list(options)
    matching = question.kind == QuestionKind.MATCHING
    return QuestionDraft(
        kind=question.kind,
        prompt=question.prompt,
        points=question.points,
        options=() if matching else tuple((o.text, o.is_correct) for o in options),
        accepted_answers=tuple(question.accepted_answers),
        statement_is_true=question.statement_is_true,
        pairs=tuple((o.text, o.match_text) for o in options) if matching else (),
    )


def _options_create(question: Question, draft: QuestionDraft) -> None:
    if draft.kind == QuestionKind.MATCHING:
        rows = [
            QuestionOption(question=question, position=n, text=item, match_text=match)
            for n, (item, match) in enumerate(draft.pairs, 1)
        ]
    else:
        rows = [
            QuestionOption(question=question, position=n, text=text, is_correct=is_correct)
            for n, (text, is_correct) in enumerate(draft.options, 1)
        ]
    QuestionOption.objects.bulk_create(rows)


def _lock_quiz(quiz_id: int) -> Quiz:
    """Lock a quiz row: changes to a quiz's questions take turns, and wait for attempts
    being started (see the module's docstring)."""
    quiz = Quiz.objects.select_for_update().filter(pk=quiz_id).first()
    if quiz is None:
        raise NotFound(AssessmentErrorCode.QUIZ_NOT_FOUND, _("The quiz no longer exists."))
    return quiz


def current_questions(quiz: Quiz) -> QuerySet[Question]:
    return Question.objects.filter(quiz=quiz, removed_at__isnull=True).order_by("position")


def _renumber(ordered_ids: Sequence[int]) -> None:
    """Positions 1..n in the order given, in one UPDATE (the unique constraint is
    deferred to the commit)."""
    rows = [Question(pk=pk, position=n) for n, pk in enumerate(ordered_ids, 1)]
    if rows:
        Question.objects.bulk_update(rows, ["position"])


def question_in_use(*, question: Question) -> bool:
    """Whether any attempt shows this question."""
    return Attempt.objects.filter(
        quiz_id=question.quiz_id, question_order__contains=[question.pk]
    ).exists()


def question_create(
    *,
    quiz: Quiz,
    kind: str,
    prompt: str,
    points: int = 1,
    options: Sequence[OptionValues] = (),
    accepted_answers: Sequence[str] = (),
    statement_is_true: bool | None = None,
    pairs: Sequence[PairValues] = (),
) -> Question:
    """Add a question at the end of a quiz. What a kind needs: choice questions 2-20
    `options` (single choice: exactly one correct; multiple: at least one), true/false
    `statement_is_true`, fill in the blank 1-20 `accepted_answers`, matching 2-20 `pairs`
    of item and match, essays nothing more. Attempts already started do not get it."""
    draft = _clean_question(
        kind=kind,
        prompt=prompt,
        points=points,
        options=options,
        accepted_answers=accepted_answers,
        statement_is_true=statement_is_true,
        pairs=pairs,
    )
    with transaction.atomic():
        locked = _lock_quiz(quiz.pk)
        current = current_questions(locked)
        if current.count() >= QUESTIONS_MAX:
            raise Conflict(
                AssessmentErrorCode.INVALID_QUIZ,
                _("A quiz has at most %(most)s questions.") % {"most": QUESTIONS_MAX},
            )
        last = current.aggregate(last=Max("position"))["last"] or 0
        question = Question.objects.create(
            quiz=locked,
            kind=draft.kind,
            prompt=draft.prompt,
            points=draft.points,
            position=last + 1,
            accepted_answers=list(draft.accepted_answers),
            statement_is_true=draft.statement_is_true,
        )
        _options_create(question, draft)
    return question


def question_update(
    *,
    question: Question,
    kind: str,
    prompt: str,
    points: int = 1,
    options: Sequence[OptionValues] = (),
    accepted_answers: Sequence[str] = (),
    statement_is_true: bool | None = None,
    pairs: Sequence[PairValues] = (),
) -> Question:
    """Replace a question's content (rules as in `question_create`).

    A question in use (shown in any attempt) keeps what decides its grade, so past
    attempts keep their meaning: only its prompt may change, anything else is 409
    `question_in_use` naming the fields (remove it and add a new one instead). Options
    are replaced only when they change, so their ids stay otherwise."""
    draft = _clean_question(
        kind=kind,
        prompt=prompt,
        points=points,
        options=options,
        accepted_answers=accepted_answers,
        statement_is_true=statement_is_true,
        pairs=pairs,
    )
    with transaction.atomic():
        _lock_quiz(question.quiz_id)
        locked = Question.objects.filter(pk=question.pk, removed_at__isnull=True).first()
        if locked is None:
            raise NotFound(AssessmentErrorCode.QUESTION_NOT_FOUND, _("The question was removed."))
        stored = list(locked.options.order_by("position"))
        current = _draft_of(locked, stored)
        changed = current.grading_changes(draft)
        if changed and question_in_use(question=locked):
            raise Conflict(
                AssessmentErrorCode.QUESTION_IN_USE,
                _("Learners have answered this question; only its prompt can change."),
                [FieldError(name, _("Fixed once the question is in use.")) for name in changed],
            )
        locked.kind = draft.kind
        locked.prompt = draft.prompt
        locked.points = draft.points
        locked.accepted_answers = list(draft.accepted_answers)
        locked.statement_is_true = draft.statement_is_true
        locked.save()
        if current.options != draft.options or current.pairs != draft.pairs:
            QuestionOption.objects.filter(question=locked).delete()
            _options_create(locked, draft)
    return locked


def question_remove(*, question: Question) -> None:
    """Take a question out of a quiz; the ones after it move up. A question in use is
    retired (kept, without a position, for the attempts that show it), others are
    deleted."""
    with transaction.atomic():
        locked_quiz = _lock_quiz(question.quiz_id)
        locked = Question.objects.filter(pk=question.pk, removed_at__isnull=True).first()
        if locked is None:
            return
        if question_in_use(question=locked):
            locked.removed_at = timezone.now()
            locked.position = None
            locked.save(update_fields=["removed_at", "position", "updated_at"])
        else:
            locked.delete()
        _renumber(list(current_questions(locked_quiz).values_list("pk", flat=True)))


def questions_reorder(*, quiz: Quiz, question_ids: Sequence[int]) -> list[Question]:
    """Put a quiz's questions in the order given (new attempts without shuffling show them
    so). The list must name every current question once: 409 `order_mismatch` otherwise."""
    with transaction.atomic():
        locked = _lock_quiz(quiz.pk)
        current = list(current_questions(locked).values_list("pk", flat=True))
        if len(question_ids) != len(current) or set(question_ids) != set(current):
            raise Conflict(
                AssessmentErrorCode.ORDER_MISMATCH,
                _("Name every question of the quiz exactly once."),
                [
                    FieldError(
                        "question_ids",
                        _("The quiz's questions are %(question_ids)s.")
                        % {"question_ids": sorted(current)},
                    )
                ],
            )
        _renumber(list(question_ids))
    return list(current_questions(quiz))
