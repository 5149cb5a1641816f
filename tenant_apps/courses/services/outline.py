"""A course's outline: its sections and lessons, their order and moves."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core.errors import Conflict, FieldError, NotFound, ValidationFailed
from core.validation import (
    FieldCleaner,
    flag_field,
    is_whole_number,
    text_field,
    whole_number_field,
)
from tenant_apps.courses.catalogue_cache import catalogue_changed
from tenant_apps.courses.errors import CourseErrorCode
from tenant_apps.courses.limits import (
    BODY_MARKDOWN_MAX,
    DURATION_SECONDS_MAX,
    TITLE_MAX,
    VIDEO_URL_MAX,
)
from tenant_apps.courses.models import (
    Course,
    CourseStatus,
    Lesson,
    LessonKind,
    Section,
)
from tenant_apps.courses.rendering import markdown_to_html
from tenant_apps.courses.services.common import delete_files_after_commit, lock_course, lock_lesson


def _order_mismatch(field: str, current: list[int], given: list[int]) -> Conflict:
    missing = sorted(set(current) - set(given))
    unknown = sorted(set(given) - set(current))
    repeated = sorted(i for i, times in Counter(given).items() if times > 1)
    details = (
        [FieldError(field, _("Missing: %(missing)s.") % {"missing": missing})] if missing else []
    )
    details += (
        [FieldError(field, _("Not here: %(unknown)s.") % {"unknown": unknown})] if unknown else []
    )
    details += (
        [FieldError(field, _("Given twice: %(repeated)s.") % {"repeated": repeated})]
        if repeated
        else []
    )
    return Conflict(
        CourseErrorCode.ORDER_MISMATCH,
        _(
            "The order must list each of the %(count)s current ids exactly once; "
            "reload and try again."
        )
        % {"count": len(current)},
        details,
    )


def _check_title(title: str, kind: CourseErrorCode) -> str:
    errors: list[FieldError] = []
    title = text_field(errors, "title", title, limit=TITLE_MAX, required=True)
    if errors:
        raise ValidationFailed(kind, _("The title is invalid."), errors)
    return title


@transaction.atomic
def section_create(*, course: Course, title: str) -> Section:
    """Add a section at the end of a course."""
    title = _check_title(title, CourseErrorCode.INVALID_SECTION)
    locked = lock_course(course.pk)
    last = Section.objects.filter(course=locked).aggregate(last=Max("position"))["last"] or 0
    return Section.objects.create(course=locked, title=title, position=last + 1)


@transaction.atomic
def section_update(*, section: Section, title: str) -> Section:
    """Rename a section."""
    section.title = _check_title(title, CourseErrorCode.INVALID_SECTION)
    Section.objects.filter(pk=section.pk).update(title=section.title)
    return section


def _check_published_keeps_a_lesson(course: Course, removed: Iterable[int]) -> None:
    """A published course keeps at least one lesson, and a required one, once the lessons
    `removed` are gone. Call with the course locked."""
    if course.status != CourseStatus.PUBLISHED:
        return
    if not Lesson.objects.filter(course=course).exclude(pk__in=list(removed)).exists():
        raise Conflict(
            CourseErrorCode.LAST_LESSON_OF_PUBLISHED_COURSE,
            _("A published course needs at least one lesson; archive the course instead."),
        )
    _check_published_keeps_a_required_lesson(course, removed)


def _check_published_keeps_a_required_lesson(course: Course, no_longer: Iterable[int]) -> None:
    """A published course keeps a required lesson besides `no_longer` (lessons going away
    or becoming optional): without one nobody could complete it. Course locked."""
    if course.status != CourseStatus.PUBLISHED:
        return
    required = Lesson.objects.filter(course=course, is_required=True)
    if not required.exclude(pk__in=list(no_longer)).exists():
        raise Conflict(
            CourseErrorCode.LAST_REQUIRED_LESSON_OF_PUBLISHED_COURSE,
            _(
                "A published course needs at least one required lesson, or nobody could "
                "complete it; make another lesson required first."
            ),
            [FieldError("is_required", _("This is the course's last required lesson."))],
        )


def _section_in(course: Course, section_id: int) -> Section:
    section = Section.objects.filter(pk=section_id, course=course).first()
    if section is None:
        raise NotFound(CourseErrorCode.INVALID_SECTION, _("The section no longer exists."))
    return section


@transaction.atomic
def section_delete(*, section: Section) -> None:
    """Delete a section with its lessons; the sections after it move up."""
    catalogue_changed()
    course = lock_course(section.course_id)
    section = _section_in(course, section.pk)
    lessons = list(
        Lesson.objects.filter(section=section).values_list("pk", "video_file", "attachment")
    )
    _check_published_keeps_a_lesson(course, [pk for pk, _video, _attachment in lessons])
    section.delete()
    _renumber(Section, Section.objects.filter(course=course).values_list("pk", flat=True))
    delete_files_after_commit(name for _pk, *files in lessons for name in files)


def _renumber(model: type[Section] | type[Lesson], ordered_ids: Iterable[int]) -> None:
    """Give rows positions 1..n in the order given, in one UPDATE. Querysets passed here
    come in the model's order, by position."""
    rows = [model(pk=pk, position=position) for position, pk in enumerate(ordered_ids, 1)]
    if rows:
        model.objects.bulk_update(rows, ["position"])


@transaction.atomic
def sections_reorder(*, course: Course, section_ids: list[int]) -> list[Section]:
    """Put a course's sections in the order given. The list must name every section of the
    course exactly once (409 `order_mismatch` otherwise: someone changed it meanwhile)."""
    locked = lock_course(course.pk)
    current = list(Section.objects.filter(course=locked).values_list("pk", flat=True))
    if len(section_ids) != len(current) or set(section_ids) != set(current):
        raise _order_mismatch("section_ids", current, list(section_ids))
    _renumber(Section, section_ids)
    return list(Section.objects.filter(course=locked).order_by("position"))


# ------------------------------------------------------------------------------------------
# Lessons
def _video_url_cleaner(kind: str) -> FieldCleaner:
    def clean(errors: list[FieldError], field: str, value: Any) -> str:
        url = text_field(errors, field, value, limit=VIDEO_URL_MAX, required=False)
        if url and kind != LessonKind.VIDEO:
            errors.append(FieldError(field, _("Only video lessons have a video URL.")))
        elif url:
            try:
                URLValidator(schemes=["http", "https"])(url)
            except DjangoValidationError:
                errors.append(FieldError(field, _("Use an http or https URL.")))
        return url

    return clean


def _body_markdown_cleaner(kind: str) -> FieldCleaner:
    def clean(errors: list[FieldError], field: str, value: Any) -> str:
        if not isinstance(value, str):
            errors.append(FieldError(field, _("Must be text.")))
        elif value.strip() and kind != LessonKind.TEXT:
            errors.append(FieldError(field, _("Only text lessons have a body.")))
        elif len(value) > BODY_MARKDOWN_MAX:
            errors.append(
                FieldError(
                    field,
                    _("Use at most %(limit)s characters.") % {"limit": BODY_MARKDOWN_MAX},
                )
            )
        return value

    return clean


def _lesson_field_cleaners(kind: str) -> dict[str, FieldCleaner]:
    """How each lesson field is checked for a lesson of `kind`: one entry per field of
    LESSON_FIELDS."""
    return {
        "title": partial(text_field, limit=TITLE_MAX, required=True),
        "is_required": flag_field,
        "is_preview": flag_field,
        "duration_seconds": partial(whole_number_field, low=0, high=DURATION_SECONDS_MAX),
        "video_url": _video_url_cleaner(kind),
        "body_markdown": _body_markdown_cleaner(kind),
    }


LESSON_FIELDS = frozenset(_lesson_field_cleaners(LessonKind.TEXT))


def _clean_lesson_values(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """Check the lesson fields present in `values` for a lesson of `kind`; one 400 names
    them all. Text lessons also get their Markdown rendered to sanitised HTML."""
    cleaners = _lesson_field_cleaners(kind)
    errors: list[FieldError] = []
    cleaned: dict[str, Any] = {}
    for field, value in values.items():
        if field not in cleaners:
            raise TypeError(f"{field} is not a lesson field")
        cleaned[field] = cleaners[field](errors, field, value)
    if errors:
        raise ValidationFailed(CourseErrorCode.INVALID_LESSON, _("The lesson is invalid."), errors)
    if "body_markdown" in cleaned:
        cleaned["body_html"] = markdown_to_html(cleaned["body_markdown"])
    return cleaned


@transaction.atomic
def lesson_create(
    *,
    section: Section,
    title: str,
    kind: str,
    is_required: bool = True,
    is_preview: bool = False,
    video_url: str = "",
    duration_seconds: int = 0,
    body_markdown: str = "",
) -> Lesson:
    """Add a lesson at the end of a section. Text lessons store their Markdown rendered to
    sanitised HTML; video and file lessons get their uploads afterwards."""
    catalogue_changed()
    if kind not in LessonKind.values:
        raise ValidationFailed(
            CourseErrorCode.INVALID_LESSON,
            _("The lesson is invalid."),
            [
                FieldError(
                    "kind", _("Use one of %(choices)s.") % {"choices": ", ".join(LessonKind.values)}
                )
            ],
        )
    values = _clean_lesson_values(
        kind,
        {
            "title": title,
            "is_required": is_required,
            "is_preview": is_preview,
            "video_url": video_url,
            "duration_seconds": duration_seconds,
            "body_markdown": body_markdown,
        },
    )
    course = lock_course(section.course_id)
    section = _section_in(course, section.pk)
    last = Lesson.objects.filter(section=section).aggregate(last=Max("position"))["last"] or 0
    return Lesson.objects.create(
        section=section, course=course, kind=kind, position=last + 1, **values
    )


@transaction.atomic
def lesson_update(*, lesson: Lesson, **changes: Any) -> Lesson:
    """Change a lesson's content (any of LESSON_FIELDS; its kind is fixed). Giving a video
    URL replaces an uploaded video."""
    values = _clean_lesson_values(lesson.kind, changes)
    if values.get("is_required") is False:
        # Course first, as every other change to a course's lessons locks them.
        course = lock_course(lesson.course_id)
        _check_published_keeps_a_required_lesson(course, [_lesson_in(course, lesson.pk).pk])
    locked = lock_lesson(lesson.pk)
    old_video = locked.video_file.name
    for field, value in values.items():
        setattr(locked, field, value)
    if values.get("video_url") and old_video:
        locked.video_file = ""
        delete_files_after_commit([old_video])
    locked.save()
    return locked


def _lesson_in(course: Course, lesson_id: int) -> Lesson:
    lesson = Lesson.objects.filter(pk=lesson_id, course=course).first()
    if lesson is None:
        raise NotFound(CourseErrorCode.INVALID_LESSON, _("The lesson no longer exists."))
    return lesson


@transaction.atomic
def lesson_delete(*, lesson: Lesson) -> None:
    """Delete a lesson and its files; the lessons after it in its section move up. The last
    lesson of a published course stays (409)."""
    catalogue_changed()
    course = lock_course(lesson.course_id)
    lesson = _lesson_in(course, lesson.pk)
    _check_published_keeps_a_lesson(course, [lesson.pk])
    files = [lesson.video_file.name, lesson.attachment.name]
    section_id = lesson.section_id
    lesson.delete()
    _renumber(Lesson, Lesson.objects.filter(section_id=section_id).values_list("pk", flat=True))
    delete_files_after_commit(files)


@transaction.atomic
def lessons_reorder(*, section: Section, lesson_ids: list[int]) -> list[Lesson]:
    """Put a section's lessons in the order given. The list must name every lesson of the
    section exactly once (409 `order_mismatch` otherwise)."""
    course = lock_course(section.course_id)
    section = _section_in(course, section.pk)
    current = list(Lesson.objects.filter(section=section).values_list("pk", flat=True))
    if len(lesson_ids) != len(current) or set(lesson_ids) != set(current):
        raise _order_mismatch("lesson_ids", current, list(lesson_ids))
    _renumber(Lesson, lesson_ids)
    return list(Lesson.objects.filter(section=section).order_by("position"))


@transaction.atomic
def lesson_move(*, lesson: Lesson, section_id: int, position: int | None = None) -> Lesson:
    """Move a lesson to `position` (1-based; the end when omitted or past it) of a section of
    the same course, which may be its own section. Both sections stay numbered 1..n."""
    course = lock_course(lesson.course_id)
    lesson = _lesson_in(course, lesson.pk)
    target = Section.objects.filter(pk=section_id, course=course).first()
    if target is None:
        raise ValidationFailed(
            CourseErrorCode.SECTION_NOT_IN_COURSE,
            _("Lessons move only between sections of their course."),
            [
                FieldError(
                    "section_id",
                    _("No section %(section_id)s in this course.") % {"section_id": section_id},
                )
            ],
        )
    if position is not None and (not is_whole_number(position) or position < 1):
        raise ValidationFailed(
            CourseErrorCode.INVALID_LESSON,
            _("The position is invalid."),
            [FieldError("position", _("Use a position from 1."))],
        )
    source_id = lesson.section_id
    siblings = list(
        Lesson.objects.filter(section=target)
        .exclude(pk=lesson.pk)
        .order_by("position")
        .values_list("pk", flat=True)
    )
    index = len(siblings) if position is None else min(position - 1, len(siblings))
    siblings.insert(index, lesson.pk)
    if source_id != target.pk:
        Lesson.objects.filter(pk=lesson.pk).update(section=target)
        remaining = Lesson.objects.filter(section_id=source_id).order_by("position")
        _renumber(Lesson, remaining.values_list("pk", flat=True))
    _renumber(Lesson, siblings)
    return Lesson.objects.get(pk=lesson.pk)
