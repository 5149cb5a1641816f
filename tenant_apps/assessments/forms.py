"""The form a learner answers a quiz attempt with: one field per question (one per item for
matching), shaped for keyboard use (radio groups, checkboxes, text inputs, a select per
matching item), turned into the answers `services.attempt_answers_save` takes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.assessments.limits import ESSAY_TEXT_MAX, FILL_IN_TEXT_MAX
from tenant_apps.assessments.models import QuestionKind
from tenant_apps.assessments.selectors import AttemptQuestion
from tenant_apps.assessments.services import AnswerValues

TRUE_FALSE = [("true", _("True")), ("false", _("False"))]
_ANSWER_FIELD = re.compile(r"^answers\.(\d+)\b")


def field_name(question_id: int, item_id: int | None = None) -> str:
    return f"q{question_id}" if item_id is None else f"q{question_id}-item{item_id}"


@dataclass(frozen=True)
class QuestionBlock:
    """A question with its bound fields, as the attempt page shows it."""

    shown: AttemptQuestion
    number: int
    fields: list[forms.BoundField]

    @property
    def question(self):
        return self.shown.question


class AttemptForm(forms.Form):
    """Answers to the questions of an attempt (`only`: one question's, for saving answers
    one at a time as they are given)."""

    def __init__(
        self,
        data=None,
        *,
        questions: list[AttemptQuestion],
        only: int | None = None,
    ) -> None:
        super().__init__(data)
        self.questions = [q for q in questions if only is None or q.question.pk == only]
        self._numbers = {q.question.pk: n for n, q in enumerate(questions, start=1)}
        for shown in self.questions:
            self._add_fields(shown)

    def _add_fields(self, shown: AttemptQuestion) -> None:
        question = shown.question
        saved = shown.answer.response if shown.answer and shown.answer.response else {}
        name = field_name(question.pk)
        kind = question.kind
        if kind == QuestionKind.SINGLE_CHOICE:
            self.fields[name] = forms.ChoiceField(
                label=question.prompt,
                required=False,
                widget=forms.RadioSelect,
                choices=[(str(option.pk), option.text) for option in shown.options],
                initial=str(saved["option_id"]) if "option_id" in saved else None,
            )
        elif kind == QuestionKind.MULTIPLE_CHOICE:
            self.fields[name] = forms.MultipleChoiceField(
                label=question.prompt,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                choices=[(str(option.pk), option.text) for option in shown.options],
                initial=[str(pk) for pk in saved.get("option_ids", [])],
            )
        elif kind == QuestionKind.TRUE_FALSE:
            value = saved.get("value")
            self.fields[name] = forms.ChoiceField(
                label=question.prompt,
                required=False,
                widget=forms.RadioSelect,
                choices=TRUE_FALSE,
                initial=None if value is None else ("true" if value else "false"),
            )
        elif kind == QuestionKind.FILL_IN_THE_BLANK:
            self.fields[name] = forms.CharField(
                label=_("Your answer"),
                required=False,
                max_length=FILL_IN_TEXT_MAX,
                strip=False,
                initial=saved.get("text", ""),
            )
        elif kind == QuestionKind.ESSAY:
            self.fields[name] = forms.CharField(
                label=_("Your answer"),
                required=False,
                max_length=ESSAY_TEXT_MAX,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 8}),
                initial=saved.get("text", ""),
            )
        elif kind == QuestionKind.MATCHING:
            chosen = {pair["item_id"]: pair["match"] for pair in saved.get("matches", [])}
            for item in shown.items:
                self.fields[field_name(question.pk, item.pk)] = forms.ChoiceField(
                    label=item.text,
                    required=False,
                    choices=[("", _("Choose a match"))] + [(m, m) for m in shown.matches],
                    initial=chosen.get(item.pk, ""),
                )

    def blocks(self) -> list[QuestionBlock]:
        blocks = []
        for shown in self.questions:
            prefix = field_name(shown.question.pk)
            fields = [
                self[name]
                for name in self.fields
                if name == prefix or name.startswith(f"{prefix}-item")
            ]
            blocks.append(QuestionBlock(shown, self._numbers[shown.question.pk], fields))
        return blocks

    def answers(self) -> list[AnswerValues]:
        """The cleaned fields as answers; an empty field clears its answer."""
        data = self.cleaned_data
        answers: list[AnswerValues] = []
        for shown in self.questions:
            question = shown.question
            value = data.get(field_name(question.pk))
            response: dict[str, Any] | None = None
            kind = question.kind
            if kind == QuestionKind.SINGLE_CHOICE and value:
                response = {"option_id": int(value)}
            elif kind == QuestionKind.MULTIPLE_CHOICE and value:
                response = {"option_ids": [int(pk) for pk in value]}
            elif kind == QuestionKind.TRUE_FALSE and value:
                response = {"value": value == "true"}
            elif kind in (QuestionKind.FILL_IN_THE_BLANK, QuestionKind.ESSAY) and value:
                response = {"text": value} if value.strip() else None
            elif kind == QuestionKind.MATCHING:
                matches = [
                    {"item_id": item.pk, "match": data[field_name(question.pk, item.pk)]}
                    for item in shown.items
                    if data.get(field_name(question.pk, item.pk))
                ]
                response = {"matches": matches} if matches else None
            answers.append({"question_id": question.pk, "response": response})
        return answers

    def field_names_of(self, details) -> dict[str, str]:
        """Where each of a service's error details goes: `answers.<i>...` names the i-th
        answer given, shown on its question's first field."""
        names: dict[str, str] = {}
        for detail in details:
            match = _ANSWER_FIELD.match(detail.field or "")
            if match and int(match[1]) < len(self.questions):
                block = self.blocks()[int(match[1])]
                if block.fields:
                    names[detail.field] = block.fields[0].name
        return names


def response_text(shown: AttemptQuestion, response: dict[str, Any] | None) -> str:
    """A response (or a correct answer, in the same shape) as words, for the results."""
    if not response:
        return ""
    options = {option.pk: option.text for option in [*shown.options, *shown.items]}
    if "option_id" in response:
        return options.get(response["option_id"], "")
    if "option_ids" in response:
        return ", ".join(options.get(pk, "") for pk in response["option_ids"])
    if "value" in response:
        return str(_("True") if response["value"] else _("False"))
    if "accepted_answers" in response:
        return " / ".join(response["accepted_answers"])
    if "text" in response:
        return response["text"]
    if "matches" in response:
        return "; ".join(
            f"{options.get(pair['item_id'], '')} → {pair['match']}" for pair in response["matches"]
        )
    return ""
