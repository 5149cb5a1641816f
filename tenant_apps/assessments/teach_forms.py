"""Forms of the quiz builder and the grading queue. They parse what was typed into the
values the assessment services take; the services own the rules (assessments/limits.py),
which the forms only show as hints. `field_names` maps the services' field paths
(`options.2.text`) to the inputs they concern."""

from __future__ import annotations

import contextlib
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm
from tenant_apps.assessments import limits
from tenant_apps.assessments.models import (
    CHOICE_KINDS,
    CountedAttempt,
    Question,
    QuestionKind,
    Quiz,
    ResultsVisibility,
)

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class QuizSettingsForm(PortalForm):
    """Every setting `quiz_save` takes."""

    time_limit_minutes = forms.IntegerField(
        label=_("Time limit (minutes)"),
        required=False,
        help_text=format_lazy(
            _("1 to {n} minutes; leave empty for no time limit."), n=limits.TIME_LIMIT_MAX_MINUTES
        ),
        widget=forms.NumberInput(attrs={"min": 1, "max": limits.TIME_LIMIT_MAX_MINUTES}),
    )
    max_attempts = forms.IntegerField(
        label=_("Attempts allowed"),
        required=False,
        help_text=format_lazy(_("1 to {n}; leave empty for no limit."), n=limits.MAX_ATTEMPTS_MAX),
        widget=forms.NumberInput(attrs={"min": 1, "max": limits.MAX_ATTEMPTS_MAX}),
    )
    counted_attempt = forms.ChoiceField(
        label=_("Which attempt counts"), choices=CountedAttempt.choices
    )
    shuffle_questions = forms.BooleanField(label=_("Shuffle the questions"), required=False)
    shuffle_options = forms.BooleanField(
        label=_("Shuffle the options of choice and matching questions"), required=False
    )
    results_visibility = forms.ChoiceField(
        label=_("Learners see their results"), choices=ResultsVisibility.choices
    )
    due_at = forms.DateTimeField(
        label=_("Due date"),
        required=False,
        input_formats=[DATETIME_LOCAL],
        help_text=_(
            "In your time zone. No attempt starts after it; results shown after the due "
            "date need one."
        ),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )

    @staticmethod
    def initial_of(quiz: Quiz | None) -> dict[str, Any]:
        if quiz is None:
            return {
                "counted_attempt": CountedAttempt.BEST,
                "results_visibility": ResultsVisibility.IMMEDIATELY,
            }
        return {
            name: getattr(quiz, name)
            for name in (
                "time_limit_minutes",
                "max_attempts",
                "counted_attempt",
                "shuffle_questions",
                "shuffle_options",
                "results_visibility",
                "due_at",
            )
        }


ROWS_MIN = 4
ROWS_STEP = 2


class QuestionForm(PortalForm):
    """A question of one kind: its prompt and points, and what its kind needs (option
    rows, pair rows, accepted answers, or whether the statement is true)."""

    prompt = forms.CharField(
        label=_("Question"),
        strip=False,
        help_text=format_lazy(_("At most {n} characters."), n=limits.PROMPT_MAX),
        widget=forms.Textarea(attrs={"maxlength": limits.PROMPT_MAX, "rows": 4}),
    )
    points = forms.IntegerField(
        label=_("Points"),
        help_text=format_lazy(_("A whole number from 1 to {n}."), n=limits.POINTS_MAX),
        widget=forms.NumberInput(attrs={"min": 1, "max": limits.POINTS_MAX}),
    )
    rows = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, kind: str, rows: int = ROWS_MIN, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.field_names: dict[str, str] = {}
        if self.is_bound:
            with contextlib.suppress(ValueError):
                rows = int(self.data.get("rows") or rows)
            if self.data.get("action") == "more":
                rows += ROWS_STEP
        self.row_count = max(2, min(rows, limits.OPTIONS_MAX))
        self.initial.setdefault("rows", self.row_count)
        self.initial["rows"] = self.row_count
        if self.is_bound:
            data = self.data.copy()
            data["rows"] = str(self.row_count)
            self.data = data
        text = {"maxlength": limits.OPTION_TEXT_MAX}
        if kind in CHOICE_KINDS:
            self.fields["options"] = forms.Field(
                label=_("Options"), required=False, widget=forms.HiddenInput
            )
            for row in range(self.row_count):
                self.fields[f"option_text_{row}"] = forms.CharField(
                    label=format_lazy(_("Option {n}"), n=row + 1),
                    required=False,
                    widget=forms.TextInput(attrs=text),
                )
                if kind == QuestionKind.MULTIPLE_CHOICE:
                    self.fields[f"option_correct_{row}"] = forms.BooleanField(
                        label=format_lazy(_("Option {n} is correct"), n=row + 1), required=False
                    )
            if kind == QuestionKind.SINGLE_CHOICE:
                self.fields["correct_option"] = forms.TypedChoiceField(
                    label=_("The correct option"),
                    required=False,
                    coerce=int,
                    empty_value=None,
                    choices=[(row, row + 1) for row in range(self.row_count)],
                    widget=forms.RadioSelect,
                )
        elif kind == QuestionKind.MATCHING:
            self.fields["pairs"] = forms.Field(
                label=_("Pairs"), required=False, widget=forms.HiddenInput
            )
            for row in range(self.row_count):
                self.fields[f"pair_item_{row}"] = forms.CharField(
                    label=format_lazy(_("Item {n}"), n=row + 1),
                    required=False,
                    widget=forms.TextInput(attrs=text),
                )
                self.fields[f"pair_match_{row}"] = forms.CharField(
                    label=format_lazy(_("Match of item {n}"), n=row + 1),
                    required=False,
                    widget=forms.TextInput(attrs=text),
                )
        elif kind == QuestionKind.TRUE_FALSE:
            self.fields["statement_is_true"] = forms.TypedChoiceField(
                label=_("The statement is"),
                required=False,
                coerce=lambda value: value == "true",
                empty_value=None,
                choices=[("true", _("True")), ("false", _("False"))],
                widget=forms.RadioSelect,
            )
        elif kind == QuestionKind.FILL_IN_THE_BLANK:
            self.fields["accepted_answers"] = forms.CharField(
                label=_("Accepted answers"),
                required=False,
                help_text=format_lazy(
                    _(
                        "One a line, 1 to {n} answers of at most {c} characters; compared "
                        "without regard to case or surrounding spaces."
                    ),
                    n=limits.ACCEPTED_ANSWERS_MAX,
                    c=limits.ACCEPTED_ANSWER_MAX,
                ),
                widget=forms.Textarea(attrs={"rows": 4}),
            )

    @property
    def option_rows(self) -> list[dict[str, Any]]:
        """The option (or pair) rows, for the template."""
        rows = []
        for row in range(self.row_count):
            if self.kind in CHOICE_KINDS:
                rows.append(
                    {
                        "number": row + 1,
                        "text": self[f"option_text_{row}"],
                        "correct": self[f"option_correct_{row}"]
                        if self.kind == QuestionKind.MULTIPLE_CHOICE
                        else None,
                        "value": row,
                        "checked": str(self["correct_option"].value()) == str(row)
                        if self.kind == QuestionKind.SINGLE_CHOICE
                        else False,
                    }
                )
            elif self.kind == QuestionKind.MATCHING:
                rows.append(
                    {
                        "number": row + 1,
                        "item": self[f"pair_item_{row}"],
                        "match": self[f"pair_match_{row}"],
                    }
                )
        return rows

    def service_values(self) -> dict[str, Any]:
        """What `question_create`/`question_update` take; blank rows are left out, and
        `field_names` maps each value's place back to its row."""
        data = self.cleaned_data
        values: dict[str, Any] = {
            "kind": self.kind,
            "prompt": data["prompt"],
            "points": data["points"],
        }
        if self.kind in CHOICE_KINDS:
            options = []
            for row in range(self.row_count):
                text = data.get(f"option_text_{row}", "")
                if self.kind == QuestionKind.SINGLE_CHOICE:
                    correct = data.get("correct_option") == row
                else:
                    correct = bool(data.get(f"option_correct_{row}"))
                if not text.strip() and not correct:
                    continue
                number = len(options)
                self.field_names[f"options.{number}.text"] = f"option_text_{row}"
                self.field_names[f"options.{number}.is_correct"] = "options"
                self.field_names[f"options.{number}"] = "options"
                options.append({"text": text, "is_correct": correct})
            values["options"] = options
        elif self.kind == QuestionKind.MATCHING:
            pairs = []
            for row in range(self.row_count):
                item = data.get(f"pair_item_{row}", "")
                match = data.get(f"pair_match_{row}", "")
                if not item.strip() and not match.strip():
                    continue
                number = len(pairs)
                self.field_names[f"pairs.{number}.item"] = f"pair_item_{row}"
                self.field_names[f"pairs.{number}.match"] = f"pair_match_{row}"
                self.field_names[f"pairs.{number}"] = "pairs"
                pairs.append({"item": item, "match": match})
            values["pairs"] = pairs
        elif self.kind == QuestionKind.TRUE_FALSE:
            values["statement_is_true"] = data.get("statement_is_true")
        elif self.kind == QuestionKind.FILL_IN_THE_BLANK:
            answers = [
                line for line in data.get("accepted_answers", "").splitlines() if line.strip()
            ]
            for number in range(len(answers)):
                self.field_names[f"accepted_answers.{number}"] = "accepted_answers"
            values["accepted_answers"] = answers
        return values

    @staticmethod
    def initial_of(question: Question) -> dict[str, Any]:
        initial: dict[str, Any] = {"prompt": question.prompt, "points": question.points}
        options = list(question.options.all())
        if question.kind in CHOICE_KINDS:
            for row, option in enumerate(options):
                initial[f"option_text_{row}"] = option.text
                initial[f"option_correct_{row}"] = option.is_correct
                if option.is_correct and question.kind == QuestionKind.SINGLE_CHOICE:
                    initial["correct_option"] = row
        elif question.kind == QuestionKind.MATCHING:
            for row, option in enumerate(options):
                initial[f"pair_item_{row}"] = option.text
                initial[f"pair_match_{row}"] = option.match_text
        elif question.kind == QuestionKind.TRUE_FALSE:
            initial["statement_is_true"] = "true" if question.statement_is_true else "false"
        elif question.kind == QuestionKind.FILL_IN_THE_BLANK:
            initial["accepted_answers"] = "\n".join(question.accepted_answers)
        return initial

    @staticmethod
    def rows_for(question: Question | None) -> int:
        if question is None:
            return ROWS_MIN
        return max(ROWS_MIN, len(question.options.all()) + ROWS_STEP)


class GradeForm(PortalForm):
    """A grade for an essay: points (up to the question's) and feedback for the learner."""

    points = forms.DecimalField(
        label=_("Points"),
        help_text=_("Up to two decimal places."),
        widget=forms.NumberInput(attrs={"min": 0, "step": "0.01"}),
    )
    feedback = forms.CharField(
        label=_("Feedback for the learner"),
        required=False,
        help_text=format_lazy(_("At most {n} characters."), n=limits.FEEDBACK_MAX),
        widget=forms.Textarea(attrs={"maxlength": limits.FEEDBACK_MAX, "rows": 3}),
    )
