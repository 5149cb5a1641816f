"""What events and the audit log say about attempts."""

from __future__ import annotations

from typing import Any

from tenant_apps.assessments.models import (
    Attempt,
)
from tenant_apps.events.models import EventType
from tenant_apps.events.services import record_event
from tenant_apps.people.models import User


def attempt_payload(attempt: Attempt) -> dict[str, Any]:
    """What events say about an attempt."""
    return {
        "id": attempt.pk,
        "quiz_id": attempt.quiz_id,
        "lesson_id": attempt.quiz.lesson_id,
        "course_id": attempt.quiz.course_id,
        "enrollment_id": attempt.enrollment_id,
        "learner_id": attempt.learner_id,
        "number": attempt.number,
        "status": attempt.status,
        "started_at": attempt.started_at,
        "submitted_at": attempt.submitted_at,
        "auto_submitted": attempt.auto_submitted,
        "graded_at": attempt.graded_at,
        "max_points": attempt.max_points,
        "score_points": attempt.score_points,
        "score_percent": attempt.score_percent,
        "passed": attempt.passed,
    }


def attempt_announce(
    event_type: EventType, attempt: Attempt, actor: User | None, **extra: Any
) -> None:
    record_event(
        event_type=event_type,
        subject_type="attempt",
        subject_id=attempt.pk,
        payload={**attempt_payload(attempt), **extra},
        actor_id=getattr(actor, "pk", None),
    )
