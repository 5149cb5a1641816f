from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tenant_apps.assessments import limits
from tenant_apps.assessments.models import (
    Answer,
    Attempt,
    AttemptStatus,
    CountedAttempt,
    Question,
    QuestionKind,
    Quiz,
    ResultsVisibility,
)
from tenant_apps.assessments.selectors import AttemptQuestion, results_visible_to_learner

ID_MAX = 2**63 - 1  # bigint
POINTS_FIELD = {"max_digits": 7, "decimal_places": 2}


def _id_field(**options: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=ID_MAX, **options)


# ------------------------------------------------------------------------------------------
# Authoring: input
class QuizInput(serializers.Serializer):
    """A quiz's settings, all of them (PUT)."""

    time_limit_minutes = serializers.IntegerField(
        min_value=1, max_value=limits.TIME_LIMIT_MAX_MINUTES, allow_null=True, default=None
    )
    max_attempts = serializers.IntegerField(
        min_value=1, max_value=limits.MAX_ATTEMPTS_MAX, allow_null=True, default=None
    )
    shuffle_questions = serializers.BooleanField(default=False)
    shuffle_options = serializers.BooleanField(default=False)
    results_visibility = serializers.ChoiceField(
        choices=ResultsVisibility.choices, default=ResultsVisibility.IMMEDIATELY
    )
    due_at = serializers.DateTimeField(allow_null=True, default=None)
    counted_attempt = serializers.ChoiceField(
        choices=CountedAttempt.choices, default=CountedAttempt.BEST
    )


class OptionInput(serializers.Serializer):
    text = serializers.CharField(max_length=limits.OPTION_TEXT_MAX)
    is_correct = serializers.BooleanField(default=False)


class PairInput(serializers.Serializer):
    item = serializers.CharField(max_length=limits.OPTION_TEXT_MAX)
    match = serializers.CharField(max_length=limits.OPTION_TEXT_MAX)


class QuestionInput(serializers.Serializer):
    """A question, whole (POST and PUT). Fill only the fields of its kind: `options` for
    single and multiple choice, `statement_is_true` for true/false, `accepted_answers` for
    fill in the blank, `pairs` for matching."""

    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    prompt = serializers.CharField(max_length=limits.PROMPT_MAX)
    points = serializers.IntegerField(min_value=1, max_value=limits.POINTS_MAX, default=1)
    options = OptionInput(many=True, required=False, default=list, max_length=limits.OPTIONS_MAX)
    accepted_answers = serializers.ListField(
        child=serializers.CharField(max_length=limits.ACCEPTED_ANSWER_MAX),
        required=False,
        default=list,
        max_length=limits.ACCEPTED_ANSWERS_MAX,
    )
    statement_is_true = serializers.BooleanField(required=False, allow_null=True, default=None)
    pairs = PairInput(many=True, required=False, default=list, max_length=limits.OPTIONS_MAX)


class QuestionOrderInput(serializers.Serializer):
    question_ids = serializers.ListField(
        child=_id_field(), max_length=limits.QUESTIONS_MAX, allow_empty=True
    )


# ------------------------------------------------------------------------------------------
# Authoring: output
class QuizOutput(serializers.ModelSerializer):
    passing_score = serializers.IntegerField(source="course.passing_score")
    question_count = serializers.IntegerField()
    total_points = serializers.IntegerField()

    class Meta:
        model = Quiz
        fields = [
            "id",
            "lesson_id",
            "course_id",
            "time_limit_minutes",
            "max_attempts",
            "shuffle_questions",
            "shuffle_options",
            "results_visibility",
            "due_at",
            "counted_attempt",
            "passing_score",
            "question_count",
            "total_points",
            "created_at",
            "updated_at",
        ]


class OptionOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    text = serializers.CharField()
    is_correct = serializers.BooleanField()


class PairOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    item = serializers.CharField(source="text")
    match = serializers.CharField(source="match_text")


class QuestionOutput(serializers.ModelSerializer):
    """A question with its answer key, for authors."""

    options = serializers.SerializerMethodField()
    pairs = serializers.SerializerMethodField()

    class Meta:
        model = Question
        fields = [
            "id",
            "kind",
            "prompt",
            "points",
            "position",
            "options",
            "accepted_answers",
            "statement_is_true",
            "pairs",
        ]

    @extend_schema_field(OptionOutput(many=True))
    def get_options(self, question: Question) -> list[dict]:
        if question.kind == QuestionKind.MATCHING:
            return []
        return OptionOutput(question.options.all(), many=True).data

    @extend_schema_field(PairOutput(many=True))
    def get_pairs(self, question: Question) -> list[dict]:
        if question.kind != QuestionKind.MATCHING:
            return []
        return PairOutput(question.options.all(), many=True).data


# ------------------------------------------------------------------------------------------
# Attempts
class AnswerInput(serializers.Serializer):
    question_id = _id_field()
    response = serializers.JSONField(
        allow_null=True,
        help_text="In the shape of the question's kind: {option_id}, {option_ids}, {value}, "
        "{text} or {matches: [{item_id, match}]}; null clears the answer.",
    )


class AnswersInput(serializers.Serializer):
    answers = AnswerInput(many=True, max_length=limits.QUESTIONS_MAX)


class ScoreOutput(serializers.Serializer):
    points = serializers.DecimalField(max_digits=9, decimal_places=2)
    max_points = serializers.IntegerField()
    percent = serializers.DecimalField(max_digits=5, decimal_places=2)


def _shows_results(serializer: serializers.Serializer, attempt: Attempt) -> bool:
    """Staff (in the context) see results; learners as the quiz allows."""
    if serializer.context.get("staff"):
        return True
    return results_visible_to_learner(attempt=attempt, now=serializer.context.get("now"))


class AttemptOutput(serializers.ModelSerializer):
    """An attempt without its questions. `score` is null until graded or where the
    learner may not see results; `passed` shows once graded."""

    lesson_id = serializers.IntegerField(source="quiz.lesson_id")
    time_left_seconds = serializers.SerializerMethodField()
    score = serializers.SerializerMethodField()

    class Meta:
        model = Attempt
        fields = [
            "id",
            "quiz_id",
            "lesson_id",
            "number",
            "status",
            "started_at",
            "deadline_at",
            "time_left_seconds",
            "submitted_at",
            "auto_submitted",
            "graded_at",
            "passed",
            "score",
        ]

    def get_time_left_seconds(self, attempt: Attempt) -> int | None:
        if attempt.status != AttemptStatus.IN_PROGRESS or attempt.deadline_at is None:
            return None
        now = self.context.get("now") or timezone.now()
        return max(0, int((attempt.deadline_at - now).total_seconds()))

    @extend_schema_field(ScoreOutput(allow_null=True))
    def get_score(self, attempt: Attempt) -> dict | None:
        if attempt.status != AttemptStatus.GRADED or not _shows_results(self, attempt):
            return None
        return ScoreOutput(
            {
                "points": attempt.score_points,
                "max_points": attempt.max_points,
                "percent": attempt.score_percent,
            }
        ).data


class ShownOptionOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    text = serializers.CharField()


class SavedAnswerOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    response = serializers.JSONField()
    saved_at = serializers.DateTimeField()


class AttemptQuestionOutput(serializers.Serializer):
    """A question as the attempt shows it. `options` (choice questions) and `items` and
    `matches` (matching) are in the attempt's order. `points_awarded`, `feedback` and
    `correct` are null unless results are visible."""

    id = serializers.IntegerField(source="question.pk")
    kind = serializers.CharField(source="question.kind")
    prompt = serializers.CharField(source="question.prompt")
    points = serializers.IntegerField(source="question.points")
    options = ShownOptionOutput(many=True)
    items = ShownOptionOutput(many=True)
    matches = serializers.ListField(child=serializers.CharField())
    answer = SavedAnswerOutput(allow_null=True)
    points_awarded = serializers.DecimalField(allow_null=True, **POINTS_FIELD)
    feedback = serializers.CharField(allow_null=True)
    correct = serializers.JSONField(allow_null=True)


class AttemptDetailOutput(AttemptOutput):
    questions = serializers.SerializerMethodField()

    class Meta(AttemptOutput.Meta):
        fields = [*AttemptOutput.Meta.fields, "questions"]

    @extend_schema_field(AttemptQuestionOutput(many=True))
    def get_questions(self, attempt: Attempt) -> list[dict]:
        shown: list[AttemptQuestion] = self.context["attempt_questions"]
        return AttemptQuestionOutput(shown, many=True).data


# ------------------------------------------------------------------------------------------
# Grading
class GradeInput(serializers.Serializer):
    points = serializers.DecimalField(min_value=Decimal("0"), **POINTS_FIELD)
    feedback = serializers.CharField(
        max_length=limits.FEEDBACK_MAX, required=False, default="", allow_blank=True
    )


class OverrideInput(serializers.Serializer):
    points = serializers.DecimalField(min_value=Decimal("0"), **POINTS_FIELD)
    reason = serializers.CharField(max_length=limits.REASON_MAX)


class PersonOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    email = serializers.EmailField()
    full_name = serializers.CharField()


class NamedOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()


class QueuedQuestionOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    prompt = serializers.CharField()
    points = serializers.IntegerField()


class QueuedAttemptOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.IntegerField()
    submitted_at = serializers.DateTimeField()


class EssayQueueOutput(serializers.ModelSerializer):
    """An essay waiting for its grade."""

    text = serializers.SerializerMethodField()
    question = QueuedQuestionOutput()
    attempt = QueuedAttemptOutput()
    learner = PersonOutput(source="attempt.learner")
    course = NamedOutput(source="attempt.quiz.course")
    lesson = NamedOutput(source="attempt.quiz.lesson")

    class Meta:
        model = Answer
        fields = ["id", "text", "question", "attempt", "learner", "course", "lesson", "saved_at"]

    @extend_schema_field(serializers.CharField(max_length=limits.ESSAY_TEXT_MAX))
    def get_text(self, answer: Answer) -> str:
        return (answer.response or {}).get("text", "")


class GradedAnswerOutput(serializers.ModelSerializer):
    """An answer after grading or an override, with its attempt as it now stands."""

    attempt = serializers.SerializerMethodField()
    graded_by_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = Answer
        fields = [
            "id",
            "question_id",
            "response",
            "points_awarded",
            "feedback",
            "graded_by_id",
            "graded_at",
            "attempt",
        ]

    @extend_schema_field(AttemptOutput)
    def get_attempt(self, answer: Answer) -> dict:
        return AttemptOutput(answer.attempt, context={"staff": True}).data
