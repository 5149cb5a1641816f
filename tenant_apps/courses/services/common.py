"""Helpers the course services share: row locks, constraint names, file clean-up."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from core.errors import NotFound
from core.transactions import after_commit
from tenant_apps.courses.errors import CourseErrorCode
from tenant_apps.courses.models import (
    Course,
    Lesson,
)


def delete_files_after_commit(names: Iterable[str]) -> None:
    """Remove stored files once the rows naming them are gone for good."""
    for name in [n for n in names if n]:
        after_commit(lambda name=name: default_storage.delete(name))


def lock_lesson(lesson_id: int) -> Lesson:
    try:
        return Lesson.objects.select_for_update().get(pk=lesson_id)
    except Lesson.DoesNotExist as exc:
        raise NotFound(CourseErrorCode.INVALID_LESSON, _("The lesson no longer exists.")) from exc


def lock_course(course_id: int) -> Course:
    """Lock a course row: structural changes and status changes of a course take turns."""
    try:
        return Course.objects.select_for_update().get(pk=course_id)
    except Course.DoesNotExist as exc:
        raise NotFound(CourseErrorCode.INVALID_COURSE, _("The course no longer exists.")) from exc
