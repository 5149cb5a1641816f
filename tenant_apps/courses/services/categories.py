"""Course categories and tags."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.errors import Conflict, FieldError, ValidationFailed
from core.validation import (
    text_field,
)
from tenant_apps.courses.errors import CourseErrorCode
from tenant_apps.courses.limits import CATEGORY_NAME_MAX, SLUG_PATTERN
from tenant_apps.courses.models import (
    Category,
    Tag,
)


def _category_slug_taken(slug: str) -> Conflict:
    return Conflict(
        CourseErrorCode.CATEGORY_TAKEN,
        _("A category with the slug '%(slug)s' exists.") % {"slug": slug},
        [FieldError("slug", _("Choose another name or slug."))],
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
        errors.append(FieldError("slug", _("Use letters, digits, hyphens or underscores.")))
    elif name and not slug:
        errors.append(FieldError("slug", _("Give a slug: the name has no letters or digits.")))
    if errors:
        raise ValidationFailed(
            CourseErrorCode.INVALID_COURSE, _("The category is invalid."), errors
        )
    if Category.objects.filter(slug__lower=slug).exists():
        raise _category_slug_taken(slug)
    try:
        with transaction.atomic():
            return Category.objects.create(name=name, slug=slug)
    except IntegrityError as exc:  # a concurrent creation won
        raise _category_slug_taken(slug) from exc


def category_for(category_id: int | None) -> Category | None:
    if category_id is None:
        return None
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise ValidationFailed(
            CourseErrorCode.CATEGORY_NOT_FOUND,
            _("The category does not exist."),
            [
                FieldError(
                    "category_id", _("No category %(category_id)s.") % {"category_id": category_id}
                )
            ],
        )
    return category


def tags_named(names: Sequence[str]) -> list[Tag]:
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
