"""Writes on courses, their sections and lessons, in the schema the connection points at.

Views check who may call these (tenant_apps.people.permissions); the services keep the
course's own rules: field values, status changes, and the order of sections and lessons.

Every change to a course's structure (adding, removing, reordering or moving sections and
lessons) first locks the course row, so such changes to one course run one after another:
positions are always 1..n without gaps or duplicates. The position unique constraints are
DEFERRABLE INITIALLY DEFERRED, so positions can be rewritten in any order inside the
transaction.
"""

from __future__ import annotations

from tenant_apps.courses.services.categories import (
    category_create,
)
from tenant_apps.courses.services.courses import (
    COURSE_FIELDS,
    course_archive,
    course_create,
    course_delete,
    course_payload,
    course_publish,
    course_publish_refusal,
    course_thumbnail_remove,
    course_thumbnail_set,
    course_update,
)
from tenant_apps.courses.services.lesson_files import (
    lesson_attachment_set,
    lesson_video_set,
)
from tenant_apps.courses.services.outline import (
    LESSON_FIELDS,
    lesson_create,
    lesson_delete,
    lesson_move,
    lesson_update,
    lessons_reorder,
    section_create,
    section_delete,
    section_update,
    sections_reorder,
)

__all__ = [
    "COURSE_FIELDS",
    "LESSON_FIELDS",
    "category_create",
    "course_archive",
    "course_create",
    "course_delete",
    "course_payload",
    "course_publish",
    "course_publish_refusal",
    "course_thumbnail_remove",
    "course_thumbnail_set",
    "course_update",
    "lesson_attachment_set",
    "lesson_create",
    "lesson_delete",
    "lesson_move",
    "lesson_update",
    "lesson_video_set",
    "lessons_reorder",
    "section_create",
    "section_delete",
    "section_update",
    "sections_reorder",
]
