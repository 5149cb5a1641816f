"""Writes on assessments, in the schema the connection points at.

Views check who may call the authoring and grading services (assessments.permissions);
the attempt services check themselves that the caller is the attempt's learner with an
active enrollment. The quiz's rules (scoring, time limit, results, which attempt counts)
are described in models.py.

Locks, always taken in this order so that no two writes wait on each other in a cycle:
the enrollment row (every write about an attempt; progress.services locks it too), then
the attempt row. Starting an attempt also holds a KEY SHARE lock on the quiz row while it
reads the questions; authoring locks the quiz row FOR UPDATE, so an attempt never starts
with a question half-changed.
"""

from __future__ import annotations

from tenant_apps.assessments.services.attempts import (
    AnswerValues,
    AttemptLayout,
    attempt_answers_save,
    attempt_start,
    attempt_submit,
    attempt_submit_if_overdue,
    attempts_overdue_submit,
)
from tenant_apps.assessments.services.events import (
    attempt_payload,
)
from tenant_apps.assessments.services.grading import (
    answer_points_override,
    essay_grade,
)
from tenant_apps.assessments.services.questions import (
    OptionValues,
    PairValues,
    QuestionDraft,
    question_create,
    question_in_use,
    question_remove,
    question_update,
    questions_reorder,
)
from tenant_apps.assessments.services.quizzes import (
    quiz_save,
)

__all__ = [
    "AnswerValues",
    "AttemptLayout",
    "OptionValues",
    "PairValues",
    "QuestionDraft",
    "answer_points_override",
    "attempt_answers_save",
    "attempt_payload",
    "attempt_start",
    "attempt_submit",
    "attempt_submit_if_overdue",
    "attempts_overdue_submit",
    "essay_grade",
    "question_create",
    "question_in_use",
    "question_remove",
    "question_update",
    "questions_reorder",
    "quiz_save",
]
