"""Who may read a lesson's content, over the product's permission matrix.

A course's outline (sections, lesson titles, kinds, durations) is for everyone who may see
the course (see selectors). A lesson's content (its text, video, attachment, quiz) is for

* the course's staff: whoever may edit it (`people.permissions.user_can_edit_course`:
  its owner, and everyone who may edit all courses, admins included);
* people the course was opened to: registered grants (`courses.hooks`), which for
  enrollments means an active or completed enrollment (not a pending, unpaid one);
* everyone who may see the course, for lessons the author marked as free previews.

Every door onto lesson content (`lessons/<id>`, `lessons/<id>/quiz`) asks
`user_can_read_lesson_content`, through `selectors.lesson_content_get`.
"""

from __future__ import annotations

from tenant_apps.courses.hooks import lesson_content_granted
from tenant_apps.courses.models import Course, Lesson
from tenant_apps.people.models import User
from tenant_apps.people.permissions import user_can_edit_course


def user_can_read_course_content(user: User | None, *, course: Course) -> bool:
    """Whether `user` may read the content of every lesson of `course` (a course they may
    see): its staff, and those it was opened to. Free previews are open besides."""
    if user_can_edit_course(user, owner_id=course.owner_id):
        return True
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return lesson_content_granted(user=user, course_id=course.pk)


def user_can_read_lesson_content(user: User | None, *, lesson: Lesson) -> bool:
    """Whether `user` may read the content of `lesson` (of a course they may see)."""
    return lesson.is_preview or user_can_read_course_content(user, course=lesson.course)
