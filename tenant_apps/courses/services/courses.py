"""Courses: create, change, delete, publish, archive, thumbnails."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.entitlements import entitlement_require
from core.errors import Conflict, FieldError, ValidationFailed
from core.storage import ImageRule, image_replace
from core.transactions import violated_constraint
from core.validation import (
    FieldCleaner,
    flag_field,
    is_whole_number,
    text_field,
    whole_number_field,
)
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record
from tenant_apps.courses.catalogue_cache import catalogue_changed
from tenant_apps.courses.errors import CourseErrorCode
from tenant_apps.courses.limits import (
    CURRENCY_PATTERN,
    DESCRIPTION_MAX,
    ESTIMATED_MINUTES_MAX,
    LANGUAGE_MAX,
    LANGUAGE_PATTERN,
    PRICE_AMOUNT_MAX,
    SLUG_MAX,
    SLUG_PATTERN,
    TAG_NAME_MAX,
    TAGS_MAX,
    THUMBNAIL_MAX_BYTES,
    THUMBNAIL_TYPES,
    TITLE_MAX,
)
from tenant_apps.courses.models import (
    Course,
    CourseStatus,
    Difficulty,
    Lesson,
)
from tenant_apps.courses.services.categories import category_for, tags_named
from tenant_apps.courses.services.common import (
    delete_files_after_commit,
    lock_course,
)
from tenant_apps.events.models import EventType
from tenant_apps.events.services import record_event
from tenant_apps.people.models import User


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
        "price_amount": course.price_amount,
        "currency": course.currency,
        "is_free": course.is_free,
        "certificate_enabled": course.certificate_enabled,
        "passing_score": course.passing_score,
        "lesson_count": course.lessons.count(),
        "published_at": course.published_at,
        "archived_at": course.archived_at,
    }


def _clean_slug(errors: list[FieldError], field: str, value: Any) -> str:
    slug = text_field(errors, field, value or "", limit=SLUG_MAX, required=False).lower()
    if slug and not SLUG_PATTERN.match(slug):
        errors.append(FieldError(field, _("Use letters, digits, hyphens or underscores.")))
    return slug


def _clean_category_id(errors: list[FieldError], field: str, value: Any) -> int | None:
    if value is not None and not is_whole_number(value):
        errors.append(FieldError(field, _("Use a category id or null.")))
    return value


def _clean_tags(errors: list[FieldError], field: str, value: Any) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        errors.append(FieldError(field, _("Use a list of tag names.")))
        return []
    if len(value) > TAGS_MAX:
        errors.append(FieldError(field, _("Use at most %(limit)s tags.") % {"limit": TAGS_MAX}))
    for name in value:
        if not isinstance(name, str) or not name.strip():
            errors.append(FieldError(field, _("Each tag needs a name.")))
        elif len(name.strip()) > TAG_NAME_MAX:
            errors.append(
                FieldError(
                    field,
                    _("Tag names have at most %(limit)s characters.") % {"limit": TAG_NAME_MAX},
                )
            )
    return list(value)


def _clean_difficulty(errors: list[FieldError], field: str, value: Any) -> str:
    if value not in Difficulty.values:
        errors.append(
            FieldError(
                field, _("Use one of %(choices)s.") % {"choices": ", ".join(Difficulty.values)}
            )
        )
    return value


def _clean_language(errors: list[FieldError], field: str, value: Any) -> str:
    if not (
        isinstance(value, str) and len(value) <= LANGUAGE_MAX and LANGUAGE_PATTERN.match(value)
    ):
        errors.append(FieldError(field, _("Use a language tag such as en or pt-BR.")))
    return value


def _clean_price_amount(errors: list[FieldError], field: str, value: Any) -> int:
    if not is_whole_number(value):
        errors.append(FieldError(field, _("Use a whole number of minor units (cents).")))
    elif not 0 <= value <= PRICE_AMOUNT_MAX:
        errors.append(
            FieldError(field, _("Use an amount from 0 to %(most)s.") % {"most": PRICE_AMOUNT_MAX})
        )
    return value


def _clean_currency(errors: list[FieldError], field: str, value: Any) -> str:
    if not isinstance(value, str) or not CURRENCY_PATTERN.match(value):
        errors.append(FieldError(field, _("Use an ISO 4217 code of three upper-case letters.")))
    return value


# How each course field is checked and normalised: one entry per field of COURSE_FIELDS.
_COURSE_FIELD_CLEANERS: dict[str, FieldCleaner] = {
    "title": partial(text_field, limit=TITLE_MAX, required=True),
    "slug": _clean_slug,
    "description": partial(text_field, limit=DESCRIPTION_MAX, required=False),
    "category_id": _clean_category_id,
    "tags": _clean_tags,
    "difficulty": _clean_difficulty,
    "language": _clean_language,
    "estimated_minutes": partial(whole_number_field, low=0, high=ESTIMATED_MINUTES_MAX),
    "price_amount": _clean_price_amount,
    "currency": _clean_currency,
    "certificate_enabled": flag_field,
    "passing_score": partial(whole_number_field, low=0, high=100),
}
COURSE_FIELDS = frozenset(_COURSE_FIELD_CLEANERS)


def _clean_course_values(values: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise the course fields present in `values`; one 400 names them all."""
    errors: list[FieldError] = []
    cleaned: dict[str, Any] = {}
    for field, value in values.items():
        if field not in _COURSE_FIELD_CLEANERS:
            raise TypeError(f"{field} is not a course field")
        cleaned[field] = _COURSE_FIELD_CLEANERS[field](errors, field, value)
    if errors:
        raise ValidationFailed(CourseErrorCode.INVALID_COURSE, _("The course is invalid."), errors)
    return cleaned


THUMBNAIL_RULE = ImageRule(
    field="thumbnail",
    max_bytes=THUMBNAIL_MAX_BYTES,
    allowed=THUMBNAIL_TYPES,
    code=CourseErrorCode.THUMBNAIL_INVALID,
    refusal=gettext_lazy("The thumbnail was refused."),
)


def _slug_taken(slug: str) -> Conflict:
    return Conflict(
        CourseErrorCode.SLUG_TAKEN,
        _("Another course uses the slug '%(slug)s'.") % {"slug": slug},
        [FieldError("slug", _("Choose another slug."))],
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
            if violated_constraint(exc) == "course_slug_ci_unique":
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
            if violated_constraint(exc) != "course_slug_ci_unique":
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
    price_amount: int = 0,
    currency: str = "USD",
    certificate_enabled: bool = False,
    passing_score: int = 70,
) -> Course:
    """Create a draft course owned by its creator.

    Without a slug, one is derived from the title and made unique in the tenant; a slug
    given explicitly must be free (409 `slug_taken`). Tags are named; missing ones are
    created. Refused (PlanLimitReached) beyond the courses the tenant's plan allows."""
    entitlement_require("courses")
    catalogue_changed()
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
            "price_amount": price_amount,
            "currency": currency,
            "certificate_enabled": certificate_enabled,
            "passing_score": passing_score,
        }
    )
    category = category_for(values.pop("category_id"))
    tag_names = values.pop("tags")
    wanted_slug = values.pop("slug")
    course = Course(owner=owner, category=category, status=CourseStatus.DRAFT, **values)
    _save_with_slug(course, wanted_slug)
    course.tags.set(tags_named(tag_names))
    return course


@transaction.atomic
def course_update(*, course: Course, actor: User | None = None, **changes: Any) -> Course:
    """Change a course's details (any of COURSE_FIELDS). `tags` replaces the whole set;
    `category_id=None` removes the category; the slug changes only when given. Announced as
    `course.updated`, naming the fields given."""
    catalogue_changed()
    values = _clean_course_values(changes)
    if "slug" in values and not values["slug"]:
        raise ValidationFailed(
            CourseErrorCode.INVALID_COURSE,
            _("The course is invalid."),
            [FieldError("slug", _("This field may not be blank."))],
        )
    locked = lock_course(course.pk)
    if "category_id" in values:
        locked.category = category_for(values.pop("category_id"))
    tag_names = values.pop("tags", None)
    wanted_slug = values.pop("slug", None)
    for field, value in values.items():
        setattr(locked, field, value)
    if wanted_slug is not None and wanted_slug != locked.slug.lower():
        _save_with_slug(locked, wanted_slug)
    else:
        locked.save()
    if tag_names is not None:
        locked.tags.set(tags_named(tag_names))
    if changes:
        record_event(
            event_type=EventType.COURSE_UPDATED,
            subject_type="course",
            subject_id=locked.pk,
            payload={
                "id": locked.pk,
                "title": locked.title,
                "slug": locked.slug,
                "status": locked.status,
                "changed": sorted(changes),
            },
            actor_id=getattr(actor, "pk", None),
        )
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
    catalogue_changed()
    locked = lock_course(course.pk)
    if locked.status != CourseStatus.DRAFT:
        raise Conflict(
            CourseErrorCode.COURSE_NOT_DRAFT,
            _("Only draft courses can be deleted; archive a published course instead."),
            [FieldError("status", _("The course is %(status)s.") % {"status": locked.status})],
        )
    files = _course_files(locked)
    try:
        with transaction.atomic():
            locked.delete()
    except ProtectedError as exc:  # e.g. enrollments or certificates refer to it
        raise Conflict(
            CourseErrorCode.COURSE_IN_USE,
            _("Other records refer to this course; archive it instead."),
        ) from exc
    delete_files_after_commit(files)


def course_publish_refusal(*, course: Course) -> Conflict | None:
    """Why a draft course cannot be published yet (the error `course_publish` would
    raise), or None when it can: pages show it before anyone tries."""
    lessons = Lesson.objects.filter(course=course)
    if not lessons.exists():
        return Conflict(
            CourseErrorCode.COURSE_HAS_NO_LESSONS,
            _("A course needs at least one lesson to be published."),
            [FieldError("lessons", _("Add a lesson first."))],
        )
    if not lessons.filter(is_required=True).exists():
        return Conflict(
            CourseErrorCode.COURSE_HAS_NO_REQUIRED_LESSON,
            _(
                "A course needs at least one required lesson to be published: learners "
                "complete a course by doing its required lessons."
            ),
            [FieldError("lessons", _("Make at least one lesson required."))],
        )
    return None


@transaction.atomic
def course_publish(*, course: Course, actor: User | None) -> Course:
    """Make a draft course visible in the catalogue. It needs at least one required lesson
    (completing a course means doing its required lessons, so without one nobody could).

    An archived course cannot be published again: it is retired, and learners' records
    may refer to it as it was; copy its content into a new course instead."""
    catalogue_changed()
    locked = lock_course(course.pk)
    if locked.status != CourseStatus.DRAFT:
        message = (
            _("The course is already published.")
            if locked.status == CourseStatus.PUBLISHED
            else _("An archived course cannot be published again.")
        )
        raise Conflict(
            CourseErrorCode.INVALID_STATUS_TRANSITION,
            message,
            [FieldError("status", _("The course is %(status)s.") % {"status": locked.status})],
        )
    refusal = course_publish_refusal(course=locked)
    if refusal is not None:
        raise refusal
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
    catalogue_changed()
    locked = lock_course(course.pk)
    if locked.status != CourseStatus.PUBLISHED:
        message = (
            _("The course is already archived.")
            if locked.status == CourseStatus.ARCHIVED
            else _("Only published courses can be archived; delete a draft instead.")
        )
        raise Conflict(
            CourseErrorCode.INVALID_STATUS_TRANSITION,
            message,
            [FieldError("status", _("The course is %(status)s.") % {"status": locked.status})],
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
    with transaction.atomic():
        catalogue_changed()
        return image_replace(
            upload=upload,
            rule=THUMBNAIL_RULE,
            lock=lambda: lock_course(course.pk),
            stored_name="thumbnail",
            also_update=("updated_at",),
        )


@transaction.atomic
def course_thumbnail_remove(*, course: Course) -> Course:
    """Remove a course's thumbnail, if it has one."""
    catalogue_changed()
    locked = lock_course(course.pk)
    old = locked.thumbnail.name
    if old:
        locked.thumbnail = ""
        locked.save(update_fields=["thumbnail", "updated_at"])
        delete_files_after_commit([old])
    return locked
