"""Courses, their ordered sections and lessons."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.money import Money


class CourseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Difficulty(models.TextChoices):
    BEGINNER = "beginner", _("Beginner")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class Category(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"
        constraints = [models.UniqueConstraint(Lower("slug"), name="category_slug_ci_unique")]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="tag_name_ci_unique")]

    def __str__(self) -> str:
        return self.name


def course_thumbnail_path(course: Course, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"courses/{course.pk or 'new'}/thumbnail.{extension}"


class Course(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    description = models.TextField(blank=True)
    thumbnail = models.ImageField(upload_to=course_thumbnail_path, blank=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="courses"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="courses")
    difficulty = models.CharField(
        max_length=16, choices=Difficulty.choices, default=Difficulty.BEGINNER
    )
    language = models.CharField(max_length=16, default="en")
    estimated_minutes = models.PositiveIntegerField(default=0)
    # 0 means free. Integer minor units of `currency` (4990 EUR is 49.90 EUR; JPY has no
    # minor unit, KWD three decimals): see core/money.py.
    price_amount = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3, default="USD")
    status = models.CharField(
        max_length=16, choices=CourseStatus.choices, default=CourseStatus.DRAFT
    )
    certificate_enabled = models.BooleanField(default=False)
    # Percentage a learner must score on each required quiz to pass it.
    passing_score = models.PositiveSmallIntegerField(
        default=70, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_courses"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(Lower("slug"), name="course_slug_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(price_amount__gte=0), name="course_price_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(passing_score__lte=100), name="course_passing_score_range"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in CourseStatus]),
                name="course_status_valid",
            ),
            # ISO 4217: three upper-case letters.
            models.CheckConstraint(
                condition=models.Q(currency__regex=r"^[A-Z]{3}$"), name="course_currency_iso"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "title", "id"], name="course_catalogue_idx"),
            # The catalogue's "newest first".
            models.Index(fields=["status", "-published_at", "-id"], name="course_newest_idx"),
            models.Index(fields=["owner", "status"], name="course_owner_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_free(self) -> bool:
        return self.price_amount == 0

    @property
    def price(self) -> Money:
        """The price as Money (integer minor units + currency)."""
        return Money(self.price_amount, self.currency)

    @property
    def price_display(self) -> str:
        """The price for the current language: '€49.90', '¥1,500'."""
        return self.price.display()


class Section(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["course", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "position"],
                name="section_position_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=models.Q(position__gte=1), name="section_position_min"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class LessonKind(models.TextChoices):
    VIDEO = "video", _("Video")
    TEXT = "text", _("Text")
    FILE = "file", _("File or document")
    QUIZ = "quiz", _("Quiz")


def lesson_file_path(lesson: Lesson, filename: str) -> str:
    # Lessons are saved before their files are uploaded, so the id is known.
    return f"courses/{lesson.course_id}/lessons/{lesson.pk}/{filename}"


class Lesson(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="lessons")
    # Denormalised from the section so course-wide reads need no join.
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, choices=LessonKind.choices)
    position = models.PositiveIntegerField()
    is_required = models.BooleanField(default=True)
    # A free preview: its content is open to everyone who sees the course, enrolled or not.
    is_preview = models.BooleanField(default=False)
    # video
    video_url = models.URLField(max_length=500, blank=True)
    video_file = models.FileField(upload_to=lesson_file_path, blank=True)
    duration_seconds = models.PositiveIntegerField(default=0)
    # text: Markdown as written, and its sanitised HTML rendering
    body_markdown = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    # file / document
    attachment = models.FileField(upload_to=lesson_file_path, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["section", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "position"],
                name="lesson_position_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(condition=models.Q(position__gte=1), name="lesson_position_min"),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in LessonKind]),
                name="lesson_kind_valid",
            ),
        ]
        indexes = [models.Index(fields=["course", "is_required"], name="lesson_course_idx")]

    def __str__(self) -> str:
        return self.title
