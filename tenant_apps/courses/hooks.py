"""Extension points: apps built on courses tell it who has taken a course, so this app never
imports them (enrollments depend on courses, not the other way round).

Enrollments register their rule from their AppConfig:

    class EnrollmentsConfig(AppConfig):
        def ready(self) -> None:
            from tenant_apps.courses.hooks import lesson_content_grant_register
            from tenant_apps.enrollments.permissions import enrollment_grants_lesson_content

            lesson_content_grant_register(enrollment_grants_lesson_content)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from tenant_apps.people.models import User


class LessonContentGrant(Protocol):
    def __call__(self, *, user: User, course_id: int) -> bool: ...


_grants: list[LessonContentGrant] = []


def lesson_content_grant_register(grant: LessonContentGrant) -> LessonContentGrant:
    """Let `grant(user=..., course_id=...)` open a course's lesson content to a person (for
    enrollments: an active or completed one). Registering the same grant twice has no
    effect."""
    if grant not in _grants:
        _grants.append(grant)
    return grant


def lesson_content_granted(*, user: User, course_id: int) -> bool:
    return any(grant(user=user, course_id=course_id) for grant in _grants)
