"""Who may author, grade and see quizzes, over the product's permission matrix.

* Authoring a course's quizzes (settings and questions, with their answer keys) needs
  CREATE_ASSESSMENTS and the right to edit the course.
* Grading (the essay queue, grades, overrides) and seeing other people's attempts needs
  GRADE_ASSESSMENTS and the right to edit the course.
* Taking a quiz needs an active enrollment in its course (checked by the services).
"""

from __future__ import annotations

from django.db.models import Q

from tenant_apps.courses.models import Course
from tenant_apps.people.models import User
from tenant_apps.people.permissions import Capability, user_can, user_can_edit_course


def user_can_author_quizzes(user: User | None, *, course: Course) -> bool:
    return user_can(user, Capability.CREATE_ASSESSMENTS) and user_can_edit_course(
        user, owner_id=course.owner_id
    )


def user_can_grade(user: User | None, *, course: Course) -> bool:
    return user_can(user, Capability.GRADE_ASSESSMENTS) and user_can_edit_course(
        user, owner_id=course.owner_id
    )


def graded_courses_filter(user: User | None, prefix: str = "") -> Q | None:
    """The courses `user` grades, as a condition on `prefix` + a course's fields; None
    when they grade none. Mirrors `user_can_grade` for lists."""
    if not user_can(user, Capability.GRADE_ASSESSMENTS):
        return None
    if user_can(user, Capability.EDIT_ALL_COURSES):
        return Q()
    if user_can(user, Capability.EDIT_OWN_COURSES):
        return Q(**{f"{prefix}owner_id": user.pk})
    return None
