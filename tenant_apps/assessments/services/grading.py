"""Grading by hand: essays and overrides of automatic points."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, FieldError, ValidationFailed
from core.languages import in_language_of
from core.transactions import after_commit
from core.validation import text_field
from tenant_apps.assessments.errors import AssessmentErrorCode
from tenant_apps.assessments.grading import (
    CENT,
)
from tenant_apps.assessments.limits import FEEDBACK_MAX, REASON_MAX
from tenant_apps.assessments.models import (
    Answer,
    Attempt,
    AttemptStatus,
    Question,
    QuestionKind,
)
from tenant_apps.assessments.selectors import results_visible_to_learner
from tenant_apps.assessments.services.attempts import (
    attempt_finalise,
    attempt_lock,
    attempt_score,
    quiz_result_apply,
)
from tenant_apps.assessments.services.events import attempt_announce
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record
from tenant_apps.events.models import EventType
from tenant_apps.notifications.models import NotificationKind
from tenant_apps.notifications.services import notification_send
from tenant_apps.people.models import User


def _clean_points(points: Any, question: Question) -> Decimal:
    problem = None
    if isinstance(points, bool) or not isinstance(points, int | Decimal):
        problem = _("Use a number of points.")
    else:
        points = Decimal(points)
        if not points.is_finite() or not 0 <= points <= question.points:
            problem = _("Use 0 to %(points)s points.") % {"points": question.points}
        elif points != points.quantize(CENT):
            problem = _("Use at most two decimal places.")
    if problem:
        raise ValidationFailed(
            AssessmentErrorCode.INVALID_GRADE,
            _("The grade is invalid."),
            [FieldError("points", problem)],
        )
    return points.quantize(CENT)


def _not_submitted() -> Conflict:
    return Conflict(
        AssessmentErrorCode.ATTEMPT_NOT_SUBMITTED, _("The attempt has not been submitted yet.")
    )


def essay_grade(
    *, answer: Answer, grader: User, points: Decimal | int, feedback: str = ""
) -> Answer:
    """Grade an essay answer of a submitted attempt: points from 0 to the question's, and
    feedback for the learner. The learner gets an in-app notification and an e-mail
    (after commit). The last essay graded gives the attempt its final score
    (`assessment.graded`; the lesson is passed when it counts and passes). 409
    `not_an_essay` for other answers, `already_graded` for a graded one (override it
    instead)."""
    question = answer.question
    if question.kind != QuestionKind.ESSAY:
        raise Conflict(
            AssessmentErrorCode.NOT_AN_ESSAY,
            _("Only essays are graded by hand; override other answers' points instead."),
        )
    points = _clean_points(points, question)
    errors: list[FieldError] = []
    feedback = text_field(errors, "feedback", feedback, limit=FEEDBACK_MAX, required=False)
    if errors:
        raise ValidationFailed(
            AssessmentErrorCode.INVALID_GRADE, _("The grade is invalid."), errors
        )
    with transaction.atomic():
        _enrollment, attempt = attempt_lock(answer.attempt_id)
        locked = Answer.objects.select_for_update().get(pk=answer.pk)
        if attempt.status == AttemptStatus.IN_PROGRESS:
            raise _not_submitted()
        if locked.points_awarded is not None:
            raise Conflict(
                AssessmentErrorCode.ALREADY_GRADED,
                _("This essay is graded; override its points to change them."),
            )
        now = timezone.now()
        locked.points_awarded = points
        locked.feedback = feedback
        locked.graded_by = grader
        locked.graded_at = now
        locked.save(update_fields=["points_awarded", "feedback", "graded_by", "graded_at"])
        _essay_graded_tell(attempt, locked, question, now)
        if not Answer.objects.filter(attempt=attempt, points_awarded__isnull=True).exists():
            attempt_finalise(attempt, actor=grader, now=now)
    return locked


def _essay_graded_tell(attempt: Attempt, answer: Answer, question: Question, now: datetime) -> None:
    """In-app now, e-mail after commit. Points show only where the learner may see
    results."""
    from tenant_apps.assessments.tasks import essay_graded_send

    # Written in the learner's language: it is their inbox.
    with in_language_of(attempt.learner.locale):
        lesson = attempt.quiz.lesson
        if results_visible_to_learner(attempt=attempt, now=now):
            body = _("You earned %(points_awarded)s of %(points)s points.") % {
                "points_awarded": answer.points_awarded,
                "points": question.points,
            }
        else:
            body = _("Your essay has been graded.")
        notification_send(
            recipient_id=attempt.learner_id,
            kind=NotificationKind.GRADED,
            title=_("Your essay in %(title)s was graded") % {"title": lesson.title},
            body=body,
            link=f"/courses/{attempt.quiz.course_id}/lessons/{lesson.pk}/",
        )
    answer_id = answer.pk
    after_commit(lambda: essay_graded_send.delay(answer_id))


def answer_points_override(
    *, answer: Answer, actor: User, points: Decimal | int, reason: str
) -> Answer:
    """Change the points of a graded answer (any kind), giving a reason; audited as
    `grade.overridden` with the points and the attempt's score before and after. A graded
    attempt gets its new score at once (`assessment.graded` again, with `override`), and
    passes the lesson if it now counts and passes; a lesson already done stays done. The
    same points again change nothing. 409 while the attempt runs or the answer (an essay)
    awaits its first grade."""
    errors: list[FieldError] = []
    reason = text_field(errors, "reason", reason, limit=REASON_MAX)
    if errors:
        raise ValidationFailed(AssessmentErrorCode.INVALID_GRADE, _("Give a reason."), errors)
    points = _clean_points(points, answer.question)
    with transaction.atomic():
        _enrollment, attempt = attempt_lock(answer.attempt_id)
        locked = Answer.objects.select_for_update().get(pk=answer.pk)
        if attempt.status == AttemptStatus.IN_PROGRESS:
            raise _not_submitted()
        if locked.points_awarded is None:
            raise Conflict(
                AssessmentErrorCode.NOT_GRADED_YET, _("Grade this essay before overriding it.")
            )
        if locked.points_awarded == points:
            return locked
        before = {
            "points_awarded": locked.points_awarded,
            "attempt_score_points": attempt.score_points,
            "attempt_passed": attempt.passed,
        }
        now = timezone.now()
        locked.points_awarded = points
        locked.graded_by = actor
        locked.graded_at = now
        locked.save(update_fields=["points_awarded", "graded_by", "graded_at"])
        if attempt.status == AttemptStatus.GRADED:
            attempt_score(attempt)
            attempt.graded_at = now
            attempt.save(update_fields=["graded_at", "score_points", "score_percent", "passed"])
            attempt_announce(EventType.ASSESSMENT_GRADED, attempt, actor, override=True)
            quiz_result_apply(attempt, actor=actor)
        audit_record(
            action=AuditAction.GRADE_OVERRIDDEN,
            actor=actor,
            target=locked,
            before=before,
            after={
                "points_awarded": points,
                "attempt_score_points": attempt.score_points,
                "attempt_passed": attempt.passed,
                "reason": reason,
            },
        )
    return locked
