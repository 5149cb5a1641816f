"""Reads on progress. Course progress is derived from the course's required lessons each time
it is read, so lessons added or made optional later count at once; a completed enrollment
stays at 100 %."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from core.errors import NotFound
from tenant_apps.courses.models import Lesson
from tenant_apps.enrollments.models import Enrollment, EnrollmentStatus
from tenant_apps.progress.errors import ProgressErrorCode
from tenant_apps.progress.models import LessonProgress


def _count(queryset: QuerySet, by: str) -> Coalesce:
    counted = queryset.order_by().values(by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def enrollments_with_progress(queryset: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    """Annotate each enrollment with `required_lessons`, `completed_required_lessons`,
    `progress_percent` (whole percent, rounded down) and `resume_lesson_id` (the lesson
    touched last, or None), in the same query."""
    required = _count(
        Lesson.objects.filter(course=OuterRef("course_id"), is_required=True), "course"
    )
    done = _count(
        LessonProgress.objects.filter(
            enrollment=OuterRef("pk"), lesson__is_required=True, completed_at__isnull=False
        ),
        "enrollment",
    )
    resume = Subquery(
        LessonProgress.objects.filter(enrollment=OuterRef("pk"))
        .order_by("-last_touched_at", "-id")
        .values("lesson_id")[:1]
    )
    return queryset.annotate(
        required_lessons=required,
        completed_required_lessons=done,
        resume_lesson_id=resume,
    ).annotate(
        progress_percent=Case(
            When(status=EnrollmentStatus.COMPLETED, then=Value(100)),
            When(required_lessons=0, then=Value(0)),
            default=F("completed_required_lessons") * 100 / F("required_lessons"),
            output_field=IntegerField(),
        )
    )


def course_progress_of(*, enrollment_id: int) -> Enrollment:
    """One enrollment with its course progress (see `enrollments_with_progress`)."""
    return enrollments_with_progress(
        Enrollment.objects.select_related("user", "course").filter(pk=enrollment_id)
    ).get()


@dataclass(frozen=True)
class LessonProgressLine:
    """A lesson of the course with what the learner did in it (zeros when untouched)."""

    lesson_id: int
    title: str
    kind: str
    section_id: int
    section_position: int
    position: int
    is_required: bool
    completed: bool
    completed_at: datetime | None
    time_spent_seconds: int
    last_position_seconds: int
    last_touched_at: datetime | None


def lesson_progress_lines(*, enrollment: Enrollment) -> list[LessonProgressLine]:
    """Every lesson of the enrollment's course in course order, with its progress, in one
    query."""
    rows = (
        Lesson.objects.filter(course_id=enrollment.course_id)
        .annotate(
            mine=FilteredRelation(
                "progress_records", condition=Q(progress_records__enrollment=enrollment.pk)
            )
        )
        .order_by("section__position", "position", "pk")
        .values(
            "pk",
            "title",
            "kind",
            "section_id",
            "section__position",
            "position",
            "is_required",
            "mine__completed_at",
            "mine__time_spent_seconds",
            "mine__last_position_seconds",
            "mine__last_touched_at",
        )
    )
    return [
        LessonProgressLine(
            lesson_id=row["pk"],
            title=row["title"],
            kind=row["kind"],
            section_id=row["section_id"],
            section_position=row["section__position"],
            position=row["position"],
            is_required=row["is_required"],
            completed=row["mine__completed_at"] is not None,
            completed_at=row["mine__completed_at"],
            time_spent_seconds=row["mine__time_spent_seconds"] or 0,
            last_position_seconds=row["mine__last_position_seconds"] or 0,
            last_touched_at=row["mine__last_touched_at"],
        )
        for row in rows
    ]


def lesson_of_enrollment(*, enrollment: Enrollment, lesson_id: int) -> Lesson:
    """A lesson of the enrollment's course; any other id (another course's, another
    tenant's) is 404."""
    lesson = Lesson.objects.filter(pk=lesson_id, course_id=enrollment.course_id).first()
    if lesson is None:
        raise NotFound(ProgressErrorCode.LESSON_NOT_FOUND, "No such lesson in this course.")
    return lesson
