"""Assessments: the quiz of a quiz lesson, its questions, and learners' attempts at it.

How a quiz behaves (the product's decisions, enforced in `services` and `grading`):

* Scoring. Single choice, true/false and fill in the blank are right or wrong. Multiple
  choice is all-or-nothing: exactly the correct options earn the points. Matching scores
  per pair: each correctly matched item earns its share of the points (rounded to the
  cent). Essays are graded by hand; a blank essay earns 0 at once and is not queued.
* Time limit. An attempt's deadline is fixed when it starts: the time limit from then, or
  the quiz's due date if that comes first. The server accepts answers until the deadline
  plus `DEADLINE_GRACE_SECONDS`; after that the attempt is submitted with what was saved
  (whoever touches it first: the learner, a grader, or the periodic sweep) and further
  answers are refused with 409 `time_over`.
* Results. What a learner sees of scores, points per answer, feedback and correct answers
  follows `results_visibility`: `immediately` once the attempt is submitted,
  `after_due_date` once it is submitted and the quiz's due date has passed, `never` not at
  all. Whether an attempt passed is always shown once it is graded: the lesson's progress
  tells anyway, and a learner needs to know whether to try again. Staff see everything.
* Which attempt counts. `best`: the quiz is passed as soon as any attempt passes. `last`:
  only the latest submitted attempt decides. Passing marks the lesson done
  (progress.services.lesson_mark_passed); lesson completion is never undone, so a later
  worse attempt or a lowered grade does not take it back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Answers arriving this long after an attempt's deadline still count (network latency).
DEADLINE_GRACE_SECONDS = 30


class ResultsVisibility(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately after submitting")
    AFTER_DUE_DATE = "after_due_date", _("After the quiz's due date")
    NEVER = "never", _("Never")


class CountedAttempt(models.TextChoices):
    BEST = "best", _("Best attempt")
    LAST = "last", _("Last attempt")


class Quiz(models.Model):
    """The quiz of one quiz lesson, with its settings."""

    lesson = models.OneToOneField("courses.Lesson", on_delete=models.CASCADE, related_name="quiz")
    # Denormalised from the lesson (lessons never leave their course) for the grading queue.
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="quizzes")
    # None: no time limit / no limit on attempts.
    time_limit_minutes = models.PositiveIntegerField(null=True, blank=True)
    max_attempts = models.PositiveSmallIntegerField(null=True, blank=True)
    shuffle_questions = models.BooleanField(default=False)
    shuffle_options = models.BooleanField(default=False)
    results_visibility = models.CharField(
        max_length=16, choices=ResultsVisibility.choices, default=ResultsVisibility.IMMEDIATELY
    )
    # No attempt starts after the due date, and none runs past it.
    due_at = models.DateTimeField(null=True, blank=True)
    counted_attempt = models.CharField(
        max_length=8, choices=CountedAttempt.choices, default=CountedAttempt.BEST
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "quizzes"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(time_limit_minutes__isnull=True)
                | models.Q(time_limit_minutes__gte=1, time_limit_minutes__lte=1440),
                name="quiz_time_limit_range",
            ),
            models.CheckConstraint(
                condition=models.Q(max_attempts__isnull=True)
                | models.Q(max_attempts__gte=1, max_attempts__lte=100),
                name="quiz_max_attempts_range",
            ),
            models.CheckConstraint(
                condition=models.Q(results_visibility__in=[v.value for v in ResultsVisibility]),
                name="quiz_results_visibility_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(results_visibility=ResultsVisibility.AFTER_DUE_DATE)
                | models.Q(due_at__isnull=False),
                name="quiz_results_after_due_date_has_due_at",
            ),
            models.CheckConstraint(
                condition=models.Q(counted_attempt__in=[c.value for c in CountedAttempt]),
                name="quiz_counted_attempt_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"quiz of lesson {self.lesson_id}"


class QuestionKind(models.TextChoices):
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")
    FILL_IN_THE_BLANK = "fill_in_the_blank", _("Fill in the blank")
    MATCHING = "matching", _("Matching")
    ESSAY = "essay", _("Essay")


CHOICE_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)


class Question(models.Model):
    """One question of a quiz. A question that appeared in an attempt is "in use": it is
    never deleted (removing it retires it: `removed_at`, no position) and what decides its
    grade is frozen, so past attempts keep their meaning."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    prompt = models.TextField()
    points = models.PositiveSmallIntegerField(default=1)
    # 1..n among the quiz's current questions; None once removed.
    position = models.PositiveIntegerField(null=True, blank=True)
    # Fill in the blank: the answers accepted (compared case-insensitively, trimmed).
    accepted_answers = models.JSONField(default=list, blank=True)
    # True/false: whether the statement in the prompt is true.
    statement_is_true = models.BooleanField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["quiz", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "position"],
                name="question_position_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in QuestionKind]),
                name="question_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(points__gte=1, points__lte=1000), name="question_points_range"
            ),
            models.CheckConstraint(
                condition=models.Q(removed_at__isnull=True, position__gte=1)
                | models.Q(removed_at__isnull=False, position__isnull=True),
                name="question_position_while_current",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=QuestionKind.TRUE_FALSE, statement_is_true__isnull=False)
                | (
                    ~models.Q(kind=QuestionKind.TRUE_FALSE)
                    & models.Q(statement_is_true__isnull=True)
                ),
                name="question_true_false_has_statement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} question {self.pk} of quiz {self.quiz_id}"


class QuestionOption(models.Model):
    """An option of a choice question (`text`, `is_correct`), or a pair of a matching
    question (the item `text` and the `match_text` it goes with)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveIntegerField()
    text = models.CharField(max_length=1000)
    is_correct = models.BooleanField(default=False)
    match_text = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "position"], name="question_option_position_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(position__gte=1), name="question_option_position_min"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_GRADING = "awaiting_grading", _("Awaiting grading")
    GRADED = "graded", _("Graded")


class Attempt(models.Model):
    """One try of a learner at a quiz, within their enrollment in the course.

    The questions and their options appear in the order stored here, fixed when the
    attempt starts, so a resumed attempt looks the same."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    enrollment = models.ForeignKey(
        "enrollments.Enrollment", on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    # Denormalised from the enrollment for "my attempts" and the grading queue.
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    number = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=20, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS
    )
    question_order = models.JSONField(default=list)
    # {"<question id>": [option ids]}: choice options and matching items, as shown.
    option_order = models.JSONField(default=dict)
    # {"<question id>": [texts]}: the right-hand column of matching questions, as shown.
    match_order = models.JSONField(default=dict)
    started_at = models.DateTimeField(default=timezone.now)
    deadline_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Submitted by the server once the deadline (and grace) had passed.
    auto_submitted = models.BooleanField(default=False)
    graded_at = models.DateTimeField(null=True, blank=True)
    max_points = models.PositiveIntegerField()
    score_points = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    score_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["quiz", "enrollment", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "enrollment", "number"], name="attempt_number_unique"
            ),
            models.UniqueConstraint(
                fields=["quiz", "enrollment"],
                condition=models.Q(status="in_progress"),
                name="attempt_one_in_progress",
            ),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="attempt_number_min"),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in AttemptStatus]),
                name="attempt_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status=AttemptStatus.IN_PROGRESS, submitted_at__isnull=True)
                | (
                    ~models.Q(status=AttemptStatus.IN_PROGRESS)
                    & models.Q(submitted_at__isnull=False)
                ),
                name="attempt_submitted_unless_in_progress",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=AttemptStatus.GRADED)
                | models.Q(
                    graded_at__isnull=False,
                    score_points__isnull=False,
                    score_percent__isnull=False,
                    passed__isnull=False,
                ),
                name="attempt_graded_has_score",
            ),
        ]
        indexes = [
            models.Index(fields=["learner", "quiz"], name="attempt_learner_idx"),
            models.Index(
                fields=["deadline_at"],
                condition=models.Q(status="in_progress", deadline_at__isnull=False),
                name="attempt_running_deadline_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of enrollment {self.enrollment_id} at quiz {self.quiz_id}"


class Answer(models.Model):
    """A learner's answer to one question of an attempt, and the points it earned (None
    until graded: an essay waits for a grader)."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    # In the question kind's shape (see grading.py); None: not answered.
    response = models.JSONField(null=True, blank=True)
    saved_at = models.DateTimeField(default=timezone.now)
    points_awarded = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    feedback = models.TextField(blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="graded_answers",
    )
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["attempt", "id"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="answer_one_per_question"),
            models.CheckConstraint(
                condition=models.Q(points_awarded__isnull=True) | models.Q(points_awarded__gte=0),
                name="answer_points_not_negative",
            ),
        ]
        indexes = [
            models.Index(
                fields=["attempt"],
                condition=models.Q(points_awarded__isnull=True),
                name="answer_ungraded_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"answer {self.pk} to question {self.question_id} in attempt {self.attempt_id}"
