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

import codecs
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import SuspiciousFileOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone
from django.utils.text import get_valid_filename, slugify

from core.errors import Conflict, FieldError, NotFound, ValidationFailed
from core.transactions import after_commit
from core.validation import (
    image_upload_extension,
    is_whole_number,
    text_field,
    whole_number_field,
)
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record
from tenant_apps.courses.errors import CourseErrorCode
from tenant_apps.courses.models import (
    Category,
    Course,
    CourseStatus,
    Difficulty,
    Lesson,
    LessonKind,
    Section,
    Tag,
)
from tenant_apps.courses.rendering import markdown_to_html
from tenant_apps.events.models import EventType
from tenant_apps.events.services import record_event
from tenant_apps.people.models import User

TITLE_MAX = 200
SLUG_MAX = 200
DESCRIPTION_MAX = 20_000
LANGUAGE_MAX = 16
TAGS_MAX = 20
TAG_NAME_MAX = 50
CATEGORY_NAME_MAX = 100
ESTIMATED_MINUTES_MAX = 100_000
# DecimalField(max_digits=10, decimal_places=2)
PRICE_MAX = Decimal("99999999.99")
DURATION_SECONDS_MAX = 7 * 24 * 3600
BODY_MARKDOWN_MAX = 100_000
VIDEO_URL_MAX = 500

THUMBNAIL_MAX_BYTES = 2 * 1024 * 1024
THUMBNAIL_TYPES = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
ATTACHMENT_MAX_BYTES = 50 * 1024 * 1024
VIDEO_MAX_BYTES = 500 * 1024 * 1024
STORED_NAME_MAX = 60

CURRENCY_PATTERN = re.compile(r"^[A-Z]{3}$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")

# Document extensions and how their content is recognised.
DOCUMENT_TYPES = {
    "pdf": "pdf",
    "doc": "ole",
    "xls": "ole",
    "ppt": "ole",
    "docx": "ooxml",
    "xlsx": "ooxml",
    "pptx": "ooxml",
    "odt": "odf",
    "ods": "odf",
    "odp": "odf",
    "rtf": "rtf",
    "txt": "text",
    "md": "text",
    "csv": "text",
}
VIDEO_TYPES = {"mp4": "iso", "m4v": "iso", "mov": "iso", "webm": "ebml", "ogv": "ogg"}

COURSE_FIELDS = frozenset(
    {
        "title",
        "slug",
        "description",
        "category_id",
        "tags",
        "difficulty",
        "language",
        "estimated_minutes",
        "price",
        "currency",
        "certificate_enabled",
        "passing_score",
    }
)
LESSON_FIELDS = frozenset(
    {"title", "is_required", "is_preview", "video_url", "duration_seconds", "body_markdown"}
)


# ------------------------------------------------------------------------------------------
# Shared helpers
def _violated_constraint(exc: IntegrityError) -> str | None:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


def _delete_files_after_commit(names: Iterable[str]) -> None:
    """Remove stored files once the rows naming them are gone for good."""
    for name in [n for n in names if n]:
        after_commit(lambda name=name: default_storage.delete(name))


def _lock_lesson(lesson_id: int) -> Lesson:
    try:
        return Lesson.objects.select_for_update().get(pk=lesson_id)
    except Lesson.DoesNotExist as exc:
        raise NotFound(CourseErrorCode.INVALID_LESSON, "The lesson no longer exists.") from exc


def _lock_course(course_id: int) -> Course:
    """Lock a course row: structural changes and status changes of a course take turns."""
    try:
        return Course.objects.select_for_update().get(pk=course_id)
    except Course.DoesNotExist as exc:
        raise NotFound(CourseErrorCode.INVALID_COURSE, "The course no longer exists.") from exc


# ------------------------------------------------------------------------------------------
# Categories and tags
def _category_slug_taken(slug: str) -> Conflict:
    return Conflict(
        CourseErrorCode.CATEGORY_TAKEN,
        f"A category with the slug '{slug}' exists.",
        [FieldError("slug", "Choose another name or slug.")],
    )


@transaction.atomic
def category_create(*, name: str, slug: str = "") -> Category:
    """Add a course category. Its slug comes from the name unless given; it is unique in the
    tenant regardless of case."""
    errors: list[FieldError] = []
    name = text_field(errors, "name", name, limit=CATEGORY_NAME_MAX, required=True)
    given = text_field(errors, "slug", slug or "", limit=CATEGORY_NAME_MAX, required=False)
    slug = given.lower() or slugify(name)[:CATEGORY_NAME_MAX].strip("-_")
    if given and not SLUG_PATTERN.match(slug):
        errors.append(FieldError("slug", "Use letters, digits, hyphens or underscores."))
    elif name and not slug:
        errors.append(FieldError("slug", "Give a slug: the name has no letters or digits."))
    if errors:
        raise ValidationFailed(CourseErrorCode.INVALID_COURSE, "The category is invalid.", errors)
    if Category.objects.filter(slug__lower=slug).exists():
        raise _category_slug_taken(slug)
    try:
        with transaction.atomic():
            return Category.objects.create(name=name, slug=slug)
    except IntegrityError as exc:  # a concurrent creation won
        raise _category_slug_taken(slug) from exc


def _category_for(category_id: int | None) -> Category | None:
    if category_id is None:
        return None
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise ValidationFailed(
            CourseErrorCode.CATEGORY_NOT_FOUND,
            "The category does not exist.",
            [FieldError("category_id", f"No category {category_id}.")],
        )
    return category


def _tags_named(names: Sequence[str]) -> list[Tag]:
    """The tags with these names (any case), created on the fly; the first spelling wins."""
    wanted: dict[str, str] = {}
    for name in names:
        cleaned = " ".join(name.split())
        if cleaned:
            wanted.setdefault(cleaned.lower(), cleaned)
    if not wanted:
        return []
    # ON CONFLICT DO NOTHING: a tag created concurrently by someone else is simply reused.
    Tag.objects.bulk_create([Tag(name=name) for name in wanted.values()], ignore_conflicts=True)
    return list(Tag.objects.filter(name__lower__in=list(wanted)))


# ------------------------------------------------------------------------------------------
# Courses
def course_payload(course: Course) -> dict[str, Any]:
    """What events say about a course."""
    category = course.category
    return {
        "id": course.pk,
        "title": course.title,
        "slug": course.slug,
        "status": course.status,
        "owner_id": course.owner_id,
        "category": (
            {"id": category.pk, "name": category.name, "slug": category.slug} if category else None
        ),
        "tags": sorted(course.tags.values_list("name", flat=True)),
        "difficulty": course.difficulty,
        "language": course.language,
        "estimated_minutes": course.estimated_minutes,
        "price": course.price,
        "currency": course.currency,
        "is_free": course.is_free,
        "certificate_enabled": course.certificate_enabled,
        "passing_score": course.passing_score,
        "lesson_count": course.lessons.count(),
        "published_at": course.published_at,
        "archived_at": course.archived_at,
    }


def _clean_course_values(values: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise the course fields present in `values`; one 400 names them all."""
    errors: list[FieldError] = []
    cleaned: dict[str, Any] = {}
    for field, value in values.items():
        if field == "title":
            cleaned[field] = text_field(errors, field, value, limit=TITLE_MAX, required=True)
        elif field == "slug":
            slug = text_field(errors, field, value or "", limit=SLUG_MAX, required=False)
            slug = slug.lower()
            if slug and not SLUG_PATTERN.match(slug):
                errors.append(FieldError(field, "Use letters, digits, hyphens or underscores."))
            cleaned[field] = slug
        elif field == "description":
            cleaned[field] = text_field(errors, field, value, limit=DESCRIPTION_MAX, required=False)
        elif field == "category_id":
            if value is not None and not is_whole_number(value):
                errors.append(FieldError(field, "Use a category id or null."))
            cleaned[field] = value
        elif field == "tags":
            if isinstance(value, str) or not isinstance(value, Sequence):
                errors.append(FieldError(field, "Use a list of tag names."))
                value = []
            if len(value) > TAGS_MAX:
                errors.append(FieldError(field, f"Use at most {TAGS_MAX} tags."))
            for name in value:
                if not isinstance(name, str) or not name.strip():
                    errors.append(FieldError(field, "Each tag needs a name."))
                elif len(name.strip()) > TAG_NAME_MAX:
                    errors.append(
                        FieldError(field, f"Tag names have at most {TAG_NAME_MAX} characters.")
                    )
            cleaned[field] = list(value)
        elif field == "difficulty":
            if value not in Difficulty.values:
                errors.append(FieldError(field, f"Use one of {', '.join(Difficulty.values)}."))
            cleaned[field] = value
        elif field == "language":
            if not isinstance(value, str) or not (
                len(value) <= LANGUAGE_MAX and LANGUAGE_PATTERN.match(value)
            ):
                errors.append(FieldError(field, "Use a language tag such as en or pt-BR."))
            cleaned[field] = value
        elif field == "estimated_minutes":
            cleaned[field] = whole_number_field(
                errors, field, value, low=0, high=ESTIMATED_MINUTES_MAX
            )
        elif field == "price":
            if not isinstance(value, Decimal | int) or isinstance(value, bool):
                errors.append(FieldError(field, "Use a decimal amount."))
            elif not (Decimal(value).is_finite() and 0 <= value <= PRICE_MAX):
                errors.append(FieldError(field, f"Use an amount from 0 to {PRICE_MAX}."))
            elif Decimal(value) != Decimal(value).quantize(Decimal("0.01")):
                errors.append(FieldError(field, "Use at most two decimal places."))
            else:
                cleaned[field] = Decimal(value).quantize(Decimal("0.01"))
        elif field == "currency":
            if not isinstance(value, str) or not CURRENCY_PATTERN.match(value):
                errors.append(
                    FieldError(field, "Use an ISO 4217 code of three upper-case letters.")
                )
            cleaned[field] = value
        elif field == "certificate_enabled":
            if not isinstance(value, bool):
                errors.append(FieldError(field, "Use true or false."))
            cleaned[field] = value
        elif field == "passing_score":
            cleaned[field] = whole_number_field(errors, field, value, low=0, high=100)
        else:
            raise TypeError(f"{field} is not a course field")
    if errors:
        raise ValidationFailed(CourseErrorCode.INVALID_COURSE, "The course is invalid.", errors)
    return cleaned


def _slug_taken(slug: str) -> Conflict:
    return Conflict(
        CourseErrorCode.SLUG_TAKEN,
        f"Another course uses the slug '{slug}'.",
        [FieldError("slug", "Choose another slug.")],
    )


def _free_slug(base: str) -> str:
    """`base`, or `base-2`, `base-3`, ... whichever no course uses yet."""
    pattern = rf"^{re.escape(base)}(-[0-9]+)?$"
    taken = set(Course.objects.filter(slug__iregex=pattern).values_list("slug__lower", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _save_with_slug(course: Course, wanted: str) -> None:
    """Save `course` under the slug asked for (409 when taken) or, without one, under a free
    slug derived from its title (retrying when a concurrent course takes it first)."""
    if wanted:
        course.slug = wanted
        if Course.objects.filter(slug__lower=wanted).exclude(pk=course.pk).exists():
            raise _slug_taken(wanted)
        try:
            with transaction.atomic():
                course.save()
        except IntegrityError as exc:
            if _violated_constraint(exc) == "course_slug_ci_unique":
                raise _slug_taken(wanted) from exc
            raise
        return
    # Leave room for a "-NNN" suffix.
    base = slugify(course.title)[: SLUG_MAX - 10].strip("-_") or "course"
    for _attempt in range(5):
        course.slug = _free_slug(base)
        try:
            with transaction.atomic():
                course.save()
            return
        except IntegrityError as exc:
            if _violated_constraint(exc) != "course_slug_ci_unique":
                raise
    raise _slug_taken(base)


@transaction.atomic
def course_create(
    *,
    owner: User,
    title: str,
    slug: str = "",
    description: str = "",
    category_id: int | None = None,
    tags: Sequence[str] = (),
    difficulty: str = Difficulty.BEGINNER,
    language: str = "en",
    estimated_minutes: int = 0,
    price: Decimal | int = Decimal("0.00"),
    currency: str = "USD",
    certificate_enabled: bool = False,
    passing_score: int = 70,
) -> Course:
    """Create a draft course owned by its creator.

    Without a slug, one is derived from the title and made unique in the tenant; a slug
    given explicitly must be free (409 `slug_taken`). Tags are named; missing ones are
    created."""
    values = _clean_course_values(
        {
            "title": title,
            "slug": slug,
            "description": description,
            "category_id": category_id,
            "tags": tags,
            "difficulty": difficulty,
            "language": language,
            "estimated_minutes": estimated_minutes,
            "price": price,
            "currency": currency,
            "certificate_enabled": certificate_enabled,
            "passing_score": passing_score,
        }
    )
    category = _category_for(values.pop("category_id"))
    tag_names = values.pop("tags")
    wanted_slug = values.pop("slug")
    course = Course(owner=owner, category=category, status=CourseStatus.DRAFT, **values)
    _save_with_slug(course, wanted_slug)
    course.tags.set(_tags_named(tag_names))
    return course


@transaction.atomic
def course_update(*, course: Course, **changes: Any) -> Course:
    """Change a course's details (any of COURSE_FIELDS). `tags` replaces the whole set;
    `category_id=None` removes the category; the slug changes only when given."""
    values = _clean_course_values(changes)
    if "slug" in values and not values["slug"]:
        raise ValidationFailed(
            CourseErrorCode.INVALID_COURSE,
            "The course is invalid.",
            [FieldError("slug", "This field may not be blank.")],
        )
    locked = _lock_course(course.pk)
    if "category_id" in values:
        locked.category = _category_for(values.pop("category_id"))
    tag_names = values.pop("tags", None)
    wanted_slug = values.pop("slug", None)
    for field, value in values.items():
        setattr(locked, field, value)
    if wanted_slug is not None and wanted_slug != locked.slug.lower():
        _save_with_slug(locked, wanted_slug)
    else:
        locked.save()
    if tag_names is not None:
        locked.tags.set(_tags_named(tag_names))
    return locked


def _course_files(course: Course) -> list[str]:
    names = [course.thumbnail.name]
    for video, attachment in Lesson.objects.filter(course=course).values_list(
        "video_file", "attachment"
    ):
        names += [video, attachment]
    return names


@transaction.atomic
def course_delete(*, course: Course) -> None:
    """Delete a draft course with its sections, lessons and files. Published and archived
    courses stay (learners' records point at them); archive a published course instead."""
    locked = _lock_course(course.pk)
    if locked.status != CourseStatus.DRAFT:
        raise Conflict(
            CourseErrorCode.COURSE_NOT_DRAFT,
            "Only draft courses can be deleted; archive a published course instead.",
            [FieldError("status", f"The course is {locked.status}.")],
        )
    files = _course_files(locked)
    try:
        with transaction.atomic():
            locked.delete()
    except ProtectedError as exc:  # e.g. enrollments or certificates refer to it
        raise Conflict(
            CourseErrorCode.COURSE_IN_USE,
            "Other records refer to this course; archive it instead.",
        ) from exc
    _delete_files_after_commit(files)


@transaction.atomic
def course_publish(*, course: Course, actor: User | None) -> Course:
    """Make a draft course visible in the catalogue. It needs at least one required lesson
    (completing a course means doing its required lessons, so without one nobody could).

    An archived course cannot be published again: it is retired, and learners' records
    may refer to it as it was; copy its content into a new course instead."""
    locked = _lock_course(course.pk)
    if locked.status != CourseStatus.DRAFT:
        message = (
            "The course is already published."
            if locked.status == CourseStatus.PUBLISHED
            else "An archived course cannot be published again."
        )
        raise Conflict(
            CourseErrorCode.INVALID_STATUS_TRANSITION,
            message,
            [FieldError("status", f"The course is {locked.status}.")],
        )
    lessons = Lesson.objects.filter(course=locked)
    if not lessons.exists():
        raise Conflict(
            CourseErrorCode.COURSE_HAS_NO_LESSONS,
            "A course needs at least one lesson to be published.",
            [FieldError("lessons", "Add a lesson first.")],
        )
    if not lessons.filter(is_required=True).exists():
        raise Conflict(
            CourseErrorCode.COURSE_HAS_NO_REQUIRED_LESSON,
            "A course needs at least one required lesson to be published: learners "
            "complete a course by doing its required lessons.",
            [FieldError("lessons", "Make at least one lesson required.")],
        )
    before = locked.status
    locked.status = CourseStatus.PUBLISHED
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "published_at", "updated_at"])
    _announce_status_change(
        locked, actor, before, AuditAction.COURSE_PUBLISHED, EventType.COURSE_PUBLISHED
    )
    return locked


@transaction.atomic
def course_archive(*, course: Course, actor: User | None) -> Course:
    """Retire a published course from the catalogue; it stays readable to its editors.
    Drafts are deleted rather than archived."""
    locked = _lock_course(course.pk)
    if locked.status != CourseStatus.PUBLISHED:
        message = (
            "The course is already archived."
            if locked.status == CourseStatus.ARCHIVED
            else "Only published courses can be archived; delete a draft instead."
        )
        raise Conflict(
            CourseErrorCode.INVALID_STATUS_TRANSITION,
            message,
            [FieldError("status", f"The course is {locked.status}.")],
        )
    before = locked.status
    locked.status = CourseStatus.ARCHIVED
    locked.archived_at = timezone.now()
    locked.save(update_fields=["status", "archived_at", "updated_at"])
    _announce_status_change(
        locked, actor, before, AuditAction.COURSE_ARCHIVED, EventType.COURSE_ARCHIVED
    )
    return locked


def _announce_status_change(
    course: Course,
    actor: User | None,
    before: str,
    action: AuditAction,
    event_type: EventType,
) -> None:
    audit_record(
        action=action,
        actor=actor,
        target=course,
        before={"status": before},
        after={"status": course.status},
    )
    record_event(
        event_type=event_type,
        subject_type="course",
        subject_id=course.pk,
        payload=course_payload(course),
        actor_id=getattr(actor, "pk", None),
    )


def course_thumbnail_set(*, course: Course, upload: UploadedFile) -> Course:
    """Replace a course's thumbnail with a JPEG, PNG or WebP image of at most 2 MB."""
    extension = image_upload_extension(
        upload,
        field="thumbnail",
        max_bytes=THUMBNAIL_MAX_BYTES,
        allowed=THUMBNAIL_TYPES,
        code=CourseErrorCode.THUMBNAIL_INVALID,
        refusal="The thumbnail was refused.",
    )
    with transaction.atomic():
        locked = _lock_course(course.pk)
        old = locked.thumbnail.name
        locked.thumbnail.save(f"thumbnail.{extension}", upload, save=False)
        locked.save(update_fields=["thumbnail", "updated_at"])
        _delete_files_after_commit([old])
    return locked


@transaction.atomic
def course_thumbnail_remove(*, course: Course) -> Course:
    """Remove a course's thumbnail, if it has one."""
    locked = _lock_course(course.pk)
    old = locked.thumbnail.name
    if old:
        locked.thumbnail = ""
        locked.save(update_fields=["thumbnail", "updated_at"])
        _delete_files_after_commit([old])
    return locked


# ------------------------------------------------------------------------------------------
# Sections
def _order_mismatch(field: str, current: list[int], given: list[int]) -> Conflict:
    missing = sorted(set(current) - set(given))
    unknown = sorted(set(given) - set(current))
    repeated = sorted(i for i, times in Counter(given).items() if times > 1)
    details = [FieldError(field, f"Missing: {missing}.")] if missing else []
    details += [FieldError(field, f"Not here: {unknown}.")] if unknown else []
    details += [FieldError(field, f"Given twice: {repeated}.")] if repeated else []
    return Conflict(
        CourseErrorCode.ORDER_MISMATCH,
        f"The order must list each of the {len(current)} current ids exactly once; "
        "reload and try again.",
        details,
    )


def _check_title(title: str, kind: CourseErrorCode) -> str:
    errors: list[FieldError] = []
    title = text_field(errors, "title", title, limit=TITLE_MAX, required=True)
    if errors:
        raise ValidationFailed(kind, "The title is invalid.", errors)
    return title


@transaction.atomic
def section_create(*, course: Course, title: str) -> Section:
    """Add a section at the end of a course."""
    title = _check_title(title, CourseErrorCode.INVALID_SECTION)
    locked = _lock_course(course.pk)
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
            "A published course needs at least one lesson; archive the course instead.",
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
            "A published course needs at least one required lesson, or nobody could "
            "complete it; make another lesson required first.",
            [FieldError("is_required", "This is the course's last required lesson.")],
        )


def _section_in(course: Course, section_id: int) -> Section:
    section = Section.objects.filter(pk=section_id, course=course).first()
    if section is None:
        raise NotFound(CourseErrorCode.INVALID_SECTION, "The section no longer exists.")
    return section


@transaction.atomic
def section_delete(*, section: Section) -> None:
    """Delete a section with its lessons; the sections after it move up."""
    course = _lock_course(section.course_id)
    section = _section_in(course, section.pk)
    lessons = list(
        Lesson.objects.filter(section=section).values_list("pk", "video_file", "attachment")
    )
    _check_published_keeps_a_lesson(course, [pk for pk, _video, _attachment in lessons])
    section.delete()
    _renumber(Section, Section.objects.filter(course=course).values_list("pk", flat=True))
    _delete_files_after_commit(name for _pk, *files in lessons for name in files)


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
    locked = _lock_course(course.pk)
    current = list(Section.objects.filter(course=locked).values_list("pk", flat=True))
    if len(section_ids) != len(current) or set(section_ids) != set(current):
        raise _order_mismatch("section_ids", current, list(section_ids))
    _renumber(Section, section_ids)
    return list(Section.objects.filter(course=locked).order_by("position"))


# ------------------------------------------------------------------------------------------
# Lessons
def _clean_lesson_values(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """Check the lesson fields present in `values` for a lesson of `kind`."""
    errors: list[FieldError] = []
    cleaned: dict[str, Any] = {}
    for field, value in values.items():
        if field == "title":
            cleaned[field] = text_field(errors, field, value, limit=TITLE_MAX, required=True)
        elif field in ("is_required", "is_preview"):
            if not isinstance(value, bool):
                errors.append(FieldError(field, "Use true or false."))
            cleaned[field] = value
        elif field == "duration_seconds":
            cleaned[field] = whole_number_field(
                errors, field, value, low=0, high=DURATION_SECONDS_MAX
            )
        elif field == "video_url":
            url = text_field(errors, field, value, limit=VIDEO_URL_MAX, required=False)
            if url and kind != LessonKind.VIDEO:
                errors.append(FieldError(field, "Only video lessons have a video URL."))
            elif url:
                try:
                    URLValidator(schemes=["http", "https"])(url)
                except DjangoValidationError:
                    errors.append(FieldError(field, "Use an http or https URL."))
            cleaned[field] = url
        elif field == "body_markdown":
            if not isinstance(value, str):
                errors.append(FieldError(field, "Must be text."))
            elif value.strip() and kind != LessonKind.TEXT:
                errors.append(FieldError(field, "Only text lessons have a body."))
            elif len(value) > BODY_MARKDOWN_MAX:
                errors.append(FieldError(field, f"Use at most {BODY_MARKDOWN_MAX} characters."))
            else:
                cleaned[field] = value
                cleaned["body_html"] = markdown_to_html(value)
        else:
            raise TypeError(f"{field} is not a lesson field")
    if errors:
        raise ValidationFailed(CourseErrorCode.INVALID_LESSON, "The lesson is invalid.", errors)
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
    if kind not in LessonKind.values:
        raise ValidationFailed(
            CourseErrorCode.INVALID_LESSON,
            "The lesson is invalid.",
            [FieldError("kind", f"Use one of {', '.join(LessonKind.values)}.")],
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
    course = _lock_course(section.course_id)
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
        course = _lock_course(lesson.course_id)
        _check_published_keeps_a_required_lesson(course, [_lesson_in(course, lesson.pk).pk])
    locked = _lock_lesson(lesson.pk)
    old_video = locked.video_file.name
    for field, value in values.items():
        setattr(locked, field, value)
    if values.get("video_url") and old_video:
        locked.video_file = ""
        _delete_files_after_commit([old_video])
    locked.save()
    return locked


def _lesson_in(course: Course, lesson_id: int) -> Lesson:
    lesson = Lesson.objects.filter(pk=lesson_id, course=course).first()
    if lesson is None:
        raise NotFound(CourseErrorCode.INVALID_LESSON, "The lesson no longer exists.")
    return lesson


@transaction.atomic
def lesson_delete(*, lesson: Lesson) -> None:
    """Delete a lesson and its files; the lessons after it in its section move up. The last
    lesson of a published course stays (409)."""
    course = _lock_course(lesson.course_id)
    lesson = _lesson_in(course, lesson.pk)
    _check_published_keeps_a_lesson(course, [lesson.pk])
    files = [lesson.video_file.name, lesson.attachment.name]
    section_id = lesson.section_id
    lesson.delete()
    _renumber(Lesson, Lesson.objects.filter(section_id=section_id).values_list("pk", flat=True))
    _delete_files_after_commit(files)


@transaction.atomic
def lessons_reorder(*, section: Section, lesson_ids: list[int]) -> list[Lesson]:
    """Put a section's lessons in the order given. The list must name every lesson of the
    section exactly once (409 `order_mismatch` otherwise)."""
    course = _lock_course(section.course_id)
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
    course = _lock_course(lesson.course_id)
    lesson = _lesson_in(course, lesson.pk)
    target = Section.objects.filter(pk=section_id, course=course).first()
    if target is None:
        raise ValidationFailed(
            CourseErrorCode.SECTION_NOT_IN_COURSE,
            "Lessons move only between sections of their course.",
            [FieldError("section_id", f"No section {section_id} in this course.")],
        )
    if position is not None and (not is_whole_number(position) or position < 1):
        raise ValidationFailed(
            CourseErrorCode.INVALID_LESSON,
            "The position is invalid.",
            [FieldError("position", "Use a position from 1.")],
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


# ------------------------------------------------------------------------------------------
# Lesson files
def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _stored_name(name: str, fallback: str) -> str:
    """A safe, short file name keeping the author's name where possible."""
    extension = _extension(name)
    root = name.rsplit(".", 1)[0] if extension else name
    try:
        root = get_valid_filename(root.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
    except SuspiciousFileOperation:
        root = fallback
    return f"{root[:STORED_NAME_MAX]}.{extension}"


def _read_head(upload: UploadedFile, size: int) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _document_content_matches(upload: UploadedFile, family: str) -> bool:
    """Whether the bytes look like the document type its extension claims."""
    head = _read_head(upload, 64 * 1024)
    if family == "pdf":
        return head.startswith(b"%PDF-")
    if family == "ole":  # legacy Office (Compound File Binary)
        return head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    if family == "rtf":
        return head.startswith(b"{\\rtf")
    if family in {"ooxml", "odf"}:
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return False
        finally:
            upload.seek(0)
        return ("[Content_Types].xml" if family == "ooxml" else "mimetype") in names
    # Plain text: UTF-8 without NUL bytes (a multi-byte character may be cut at the end).
    if b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _video_content_matches(upload: UploadedFile, family: str) -> bool:
    head = _read_head(upload, 12)
    if family == "iso":  # MP4 and QuickTime: a box such as "ftyp" after the size
        return head[4:8] in {b"ftyp", b"moov", b"mdat", b"wide", b"free"}
    if family == "ebml":  # WebM
        return head.startswith(b"\x1a\x45\xdf\xa3")
    return head.startswith(b"OggS")


def _lesson_of_kind(lesson: Lesson, kind: LessonKind, field: str, code: CourseErrorCode) -> None:
    if lesson.kind != kind:
        raise ValidationFailed(
            code,
            f"Only {kind.label.lower()} lessons take this upload.",
            [FieldError(field, f"This is a {lesson.kind} lesson.")],
        )


def lesson_attachment_set(*, lesson: Lesson, upload: UploadedFile) -> Lesson:
    """Attach a document (PDF, Office, OpenDocument, RTF, text, Markdown or CSV; at most
    50 MB) to a file lesson, replacing any earlier one."""
    code = CourseErrorCode.ATTACHMENT_INVALID
    _lesson_of_kind(lesson, LessonKind.FILE, "attachment", code)

    def refuse(message: str) -> ValidationFailed:
        return ValidationFailed(
            code, "The attachment was refused.", [FieldError("attachment", message)]
        )

    if upload.size is None or upload.size > ATTACHMENT_MAX_BYTES:
        raise refuse(f"Use a file of at most {ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB.")
    extension = _extension(upload.name or "")
    if extension not in DOCUMENT_TYPES:
        raise refuse(f"Use one of these types: {', '.join(sorted(DOCUMENT_TYPES))}.")
    if not _document_content_matches(upload, DOCUMENT_TYPES[extension]):
        raise refuse(f"The file's content is not a .{extension} document.")
    return _lesson_file_store(lesson, "attachment", upload, _stored_name(upload.name, "attachment"))


def lesson_video_set(*, lesson: Lesson, upload: UploadedFile) -> Lesson:
    """Upload the video of a video lesson (MP4, MOV, WebM or Ogg; at most 500 MB). It
    replaces the lesson's video URL."""
    code = CourseErrorCode.VIDEO_INVALID
    _lesson_of_kind(lesson, LessonKind.VIDEO, "video_file", code)

    def refuse(message: str) -> ValidationFailed:
        return ValidationFailed(code, "The video was refused.", [FieldError("video_file", message)])

    if upload.size is None or upload.size > VIDEO_MAX_BYTES:
        raise refuse(f"Use a video of at most {VIDEO_MAX_BYTES // (1024 * 1024)} MB.")
    extension = _extension(upload.name or "")
    if extension not in VIDEO_TYPES:
        raise refuse(f"Use one of these types: {', '.join(sorted(VIDEO_TYPES))}.")
    if not _video_content_matches(upload, VIDEO_TYPES[extension]):
        raise refuse(f"The file's content is not a .{extension} video.")
    return _lesson_file_store(lesson, "video_file", upload, _stored_name(upload.name, "video"))


def _lesson_file_store(lesson: Lesson, field: str, upload: UploadedFile, name: str) -> Lesson:
    upload.seek(0)
    with transaction.atomic():
        locked = _lock_lesson(lesson.pk)
        stored = getattr(locked, field)
        old = stored.name
        stored.save(name, upload, save=False)
        changed = [field, "updated_at"]
        if field == "video_file":
            locked.video_url = ""
            changed.append("video_url")
        locked.save(update_fields=changed)
        _delete_files_after_commit([old])
    return locked
