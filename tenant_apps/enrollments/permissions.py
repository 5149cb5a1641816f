"""Who may manage whose enrollments, over the product's permission matrix.

The rule, in one place:

* A learner sees and follows their own enrollments, and may cancel the ones they made
  themselves. An enrollment assigned to them (by a person or through a group) is mandatory:
  only someone who manages it may cancel it.
* Admins manage every enrollment: they list, assign, cancel, change due dates and activate
  pending ones (granting a paid course).
* Instructors manage the enrollments of *their* courses: the ones they own, and only as long
  as `people.permissions.user_can_edit_course` lets them edit that course. The matrix lets
  instructors edit every course; assigning and reporting stay narrower on purpose, so an
  instructor never creates an enrollment they cannot then see in their list.
* Content creators and learners manage no one's enrollments.
"""

from __future__ import annotations

from django.db.models import Q

from tenant_apps.courses.models import Course
from tenant_apps.enrollments.models import Enrollment, EnrollmentSource, EnrollmentStatus
from tenant_apps.people.models import Role, User
from tenant_apps.people.permissions import Capability, user_can, user_can_edit_course


def user_manages_all_enrollments(user: User | None) -> bool:
    """Admins: every course, and the only ones who may activate a pending enrollment."""
    return user_can(user, Capability.MANAGE_USERS)


def user_can_manage_course_enrollments(user: User | None, *, course: Course) -> bool:
    if user_manages_all_enrollments(user):
        return True
    return (
        user is not None
        and user.role == Role.INSTRUCTOR
        and course.owner_id == user.pk
        and user_can_edit_course(user, owner_id=course.owner_id)
    )


def user_manages_some_enrollments(user: User | None) -> bool:
    """Whether the staff list of enrollments is open to `user` at all."""
    return user_manages_all_enrollments(user) or (
        user is not None
        and user.role == Role.INSTRUCTOR
        and user_can(user, Capability.EDIT_OWN_COURSES)
    )


def managed_enrollments_filter(user: User | None) -> Q | None:
    """The enrollments `user` manages, as a filter; None when they manage none."""
    if user_manages_all_enrollments(user):
        return Q()
    if user_manages_some_enrollments(user):
        return Q(course__owner_id=user.pk)
    return None


def user_can_cancel_enrollment(user: User | None, *, enrollment: Enrollment) -> bool:
    if user_can_manage_course_enrollments(user, course=enrollment.course):
        return True
    return (
        user is not None
        and enrollment.user_id == user.pk
        and enrollment.source == EnrollmentSource.SELF
        and user.is_active
    )


def enrollment_grants_lesson_content(*, user: User, course_id: int) -> bool:
    """An active or completed enrollment opens the course's lesson content (a pending one,
    not yet paid, does not). Registered with `courses.hooks` by EnrollmentsConfig."""
    return Enrollment.objects.filter(
        user=user,
        course_id=course_id,
        status__in=[EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED],
    ).exists()
