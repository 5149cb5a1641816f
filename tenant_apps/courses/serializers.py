from __future__ import annotations

from datetime import datetime, tzinfo

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from tenant_apps.courses import limits
from tenant_apps.courses.models import (
    Category,
    Course,
    Difficulty,
    Lesson,
    LessonKind,
    Section,
)
from tenant_apps.people.models import User

ID_MAX = 2**63 - 1  # bigint


def _id_field(**options) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=ID_MAX, **options)


def _choice_errors(values: list[str]) -> dict[str, str]:
    # DRF's default message repeats the input, which may not even be encodable (a lone
    # surrogate would turn the 400 into a 500 while rendering).
    return {"invalid_choice": _("Use one of %(choices)s.") % {"choices": ", ".join(values)}}


def _refuse_fields(serializer: serializers.Serializer, reasons: dict[str, str]) -> None:
    """Name fields a client may send by mistake instead of silently ignoring them."""
    initial = getattr(serializer, "initial_data", None)
    if not hasattr(initial, "keys"):
        return
    sent = {name: reason for name, reason in reasons.items() if name in initial}
    if sent:
        raise serializers.ValidationError(sent)


# ------------------------------------------------------------------------------------------
# Output


def _moment(value: datetime | None, zone: tzinfo) -> str | None:
    """A time as DRF's DateTimeField writes it: in `zone`, ISO 8601, "Z" for UTC."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class CategoryOutput(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug"]


class OwnerOutput(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "full_name"]


class CourseOutput(serializers.ModelSerializer):
    """A course as lists show it."""

    category = CategoryOutput(allow_null=True)
    tags = serializers.SerializerMethodField()
    owner = OwnerOutput()
    thumbnail_url = serializers.SerializerMethodField()
    price_amount = serializers.IntegerField(
        min_value=0,
        help_text="The price in integer minor units of `currency` (4990 EUR is 49.90 EUR; "
        "1500 JPY is 1500 yen; 1250 KWD is 1.250 dinars). 0 means free.",
    )
    price_display = serializers.CharField(
        help_text="The price formatted for the request's language, e.g. '€49.90'. "
        "For people to read, not to parse."
    )
    is_free = serializers.BooleanField()
    lesson_count = serializers.IntegerField()

    class Meta:
        model = Course
        fields = [
            "id",
            "title",
            "slug",
            "description",
            "thumbnail_url",
            "category",
            "tags",
            "difficulty",
            "language",
            "estimated_minutes",
            "price_amount",
            "currency",
            "price_display",
            "is_free",
            "status",
            "certificate_enabled",
            "passing_score",
            "owner",
            "lesson_count",
            "published_at",
            "archived_at",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, course: Course) -> dict:
        # Written out field by field: DRF's generic loop (building the fields from the model
        # for every response, then a lookup chain, a skip check and a call per field, and
        # nested serializers for category and owner) costs more than the rest of a
        # catalogue page's Python.
        # The declared fields above still describe the output (OpenAPI);
        # tests/tenant_apps/courses/test_serializers.py checks that this gives exactly
        # what the generic loop gives. The category's and owner's columns come with the
        # course's row (see selectors.course_catalogue).
        zone = timezone.get_current_timezone()
        category_id = course.category_id
        return {
            "id": course.id,
            "title": course.title,
            "slug": course.slug,
            "description": course.description,
            "thumbnail_url": self.get_thumbnail_url(course),
            "category": None
            if category_id is None
            else {"id": category_id, "name": course.category_name, "slug": course.category_slug},
            "tags": self.get_tags(course),
            "difficulty": course.difficulty,
            "language": course.language,
            "estimated_minutes": course.estimated_minutes,
            "price_amount": course.price_amount,
            "currency": course.currency,
            "price_display": course.price_display,
            "is_free": course.is_free,
            "status": course.status,
            "certificate_enabled": course.certificate_enabled,
            "passing_score": course.passing_score,
            "owner": {"id": course.owner_id, "full_name": course.owner_name},
            "lesson_count": course.lesson_count,
            "published_at": _moment(course.published_at, zone),
            "archived_at": _moment(course.archived_at, zone),
            "created_at": _moment(course.created_at, zone),
            "updated_at": _moment(course.updated_at, zone),
        }

    def get_tags(self, course: Course) -> list[str]:
        names = getattr(course, "tag_names", None)  # selectors.course_catalogue's
        if names is not None:
            return list(names)
        return [tag.name for tag in course.tags.all()]

    def get_thumbnail_url(self, course: Course) -> str | None:
        return course.thumbnail.url if course.thumbnail else None


class LessonOutlineOutput(serializers.ModelSerializer):
    """What everyone who sees a course sees of each lesson in its outline."""

    class Meta:
        model = Lesson
        fields = [
            "id",
            "title",
            "kind",
            "position",
            "is_required",
            "is_preview",
            "duration_seconds",
        ]


class SectionOutput(serializers.ModelSerializer):
    lessons = LessonOutlineOutput(many=True)

    class Meta:
        model = Section
        fields = ["id", "course_id", "title", "position", "lessons"]


class CourseDetailOutput(CourseOutput):
    """A course with its outline: sections and their lessons, in order."""

    sections = SectionOutput(many=True)

    class Meta(CourseOutput.Meta):
        fields = [*CourseOutput.Meta.fields, "sections"]

    def to_representation(self, course: Course) -> dict:
        return {
            **super().to_representation(course),
            "sections": SectionOutput(course.sections.all(), many=True).data,
        }


class LessonOutput(serializers.ModelSerializer):
    """A lesson with its content."""

    video_file_url = serializers.SerializerMethodField()
    attachment_url = serializers.SerializerMethodField()
    attachment_name = serializers.SerializerMethodField()

    class Meta:
        model = Lesson
        fields = [
            "id",
            "course_id",
            "section_id",
            "title",
            "kind",
            "position",
            "is_required",
            "is_preview",
            "duration_seconds",
            "video_url",
            "video_file_url",
            "body_markdown",
            "body_html",
            "attachment_url",
            "attachment_name",
            "created_at",
            "updated_at",
        ]

    def get_video_file_url(self, lesson: Lesson) -> str | None:
        return lesson.video_file.url if lesson.video_file else None

    def get_attachment_url(self, lesson: Lesson) -> str | None:
        return lesson.attachment.url if lesson.attachment else None

    def get_attachment_name(self, lesson: Lesson) -> str | None:
        return lesson.attachment.name.rsplit("/", 1)[-1] if lesson.attachment else None


# ------------------------------------------------------------------------------------------
# Input
class CategoryInput(serializers.Serializer):
    name = serializers.CharField(max_length=limits.CATEGORY_NAME_MAX)
    slug = serializers.SlugField(
        max_length=limits.CATEGORY_NAME_MAX, required=False, default="", allow_blank=True
    )


class CourseInput(serializers.Serializer):
    """Creating a course (defaults apply) or, with partial=True, changing some fields."""

    title = serializers.CharField(max_length=limits.TITLE_MAX)
    slug = serializers.SlugField(
        max_length=limits.SLUG_MAX, required=False, default="", allow_blank=True
    )
    description = serializers.CharField(
        max_length=limits.DESCRIPTION_MAX, required=False, default="", allow_blank=True
    )
    category_id = _id_field(required=False, default=None, allow_null=True)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=limits.TAG_NAME_MAX),
        max_length=limits.TAGS_MAX,
        required=False,
        default=list,
    )
    difficulty = serializers.ChoiceField(
        choices=Difficulty.choices,
        default=Difficulty.BEGINNER,
        error_messages=_choice_errors(Difficulty.values),
    )
    language = serializers.RegexField(
        limits.LANGUAGE_PATTERN,
        max_length=limits.LANGUAGE_MAX,
        default="en",
        error_messages={"invalid": _("Use a language tag such as en or pt-BR.")},
    )
    estimated_minutes = serializers.IntegerField(
        min_value=0, max_value=limits.ESTIMATED_MINUTES_MAX, default=0
    )
    price_amount = serializers.IntegerField(
        min_value=0,
        max_value=limits.PRICE_AMOUNT_MAX,
        default=0,
        help_text="The price in integer minor units of `currency` (4990 with EUR is "
        "49.90 EUR; 1500 with JPY is 1500 yen). 0 means free.",
    )
    currency = serializers.RegexField(
        limits.CURRENCY_PATTERN,
        max_length=3,
        default="USD",
        error_messages={"invalid": _("Use an ISO 4217 code of three upper-case letters.")},
    )
    certificate_enabled = serializers.BooleanField(default=False)
    passing_score = serializers.IntegerField(min_value=0, max_value=100, default=70)

    def validate(self, attrs: dict) -> dict:
        _refuse_fields(
            self,
            {
                "status": "Use the publish and archive actions.",
                "owner": "The owner is whoever created the course.",
                "thumbnail": "Upload it with PUT /courses/{id}/thumbnail.",
                "price": "Send price_amount, an integer in minor units (4990 for 49.90).",
            },
        )
        return attrs


class ThumbnailInput(serializers.Serializer):
    thumbnail = serializers.FileField()


class SectionInput(serializers.Serializer):
    title = serializers.CharField(max_length=limits.TITLE_MAX)


class SectionOrderInput(serializers.Serializer):
    section_ids = serializers.ListField(child=_id_field(), max_length=1000, allow_empty=True)


class LessonInput(serializers.Serializer):
    """Creating a lesson or, with partial=True, changing one (its kind stays)."""

    title = serializers.CharField(max_length=limits.TITLE_MAX)
    kind = serializers.ChoiceField(
        choices=LessonKind.choices, error_messages=_choice_errors(LessonKind.values)
    )
    is_required = serializers.BooleanField(default=True)
    is_preview = serializers.BooleanField(default=False)
    video_url = serializers.URLField(
        max_length=limits.VIDEO_URL_MAX, required=False, default="", allow_blank=True
    )
    duration_seconds = serializers.IntegerField(
        min_value=0, max_value=limits.DURATION_SECONDS_MAX, default=0
    )
    body_markdown = serializers.CharField(
        max_length=limits.BODY_MARKDOWN_MAX,
        required=False,
        default="",
        allow_blank=True,
        trim_whitespace=False,
    )

    def validate(self, attrs: dict) -> dict:
        reasons = {
            "video_file": "Upload it with PUT /lessons/{id}/video.",
            "attachment": "Upload it with PUT /lessons/{id}/attachment.",
            "position": "Use the order and move actions.",
        }
        if self.partial:
            reasons["kind"] = "A lesson's kind is fixed; add a new lesson instead."
        _refuse_fields(self, reasons)
        return attrs


class LessonOrderInput(serializers.Serializer):
    lesson_ids = serializers.ListField(child=_id_field(), max_length=1000, allow_empty=True)


class LessonMoveInput(serializers.Serializer):
    section_id = _id_field()
    position = serializers.IntegerField(
        min_value=1, max_value=1_000_000, required=False, allow_null=True, default=None
    )


class AttachmentInput(serializers.Serializer):
    attachment = serializers.FileField()


class VideoInput(serializers.Serializer):
    video_file = serializers.FileField()
