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
from django.utils.translation import gettext as _

from core.errors import NotFound
from tenant_apps.courses import selectors as course_selectors
from tenant_apps.courses.models import Course, Lesson, Section
from tenant_apps.courses.permissions import user_can_read_course_content
from tenant_apps.enrollments.models import LIVE_STATUSES, Enrollment, EnrollmentStatus
from tenant_apps.people.models import User
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
        raise NotFound(ProgressErrorCode.LESSON_NOT_FOUND, _("No such lesson in this course."))
    return lesson


# ------------------------------------------------------------------------------------------
# The learner's pages: a course and its player
@dataclass(frozen=True)
class OutlineLesson:
    """A lesson as the course page and the player's outline show it."""

    lesson: Lesson
    completed: bool
    # Whether its content is open to the viewer (enrolled, staff, or a free preview).
    open: bool


@dataclass(frozen=True)
class OutlineSection:
    section: Section
    lessons: list[OutlineLesson]


@dataclass(frozen=True)
class CoursePage:
    """A course as one learner sees it: its outline with what they did, their live
    enrollment (pending, active or completed; with `progress_percent`), and where to go
    next."""

    course: Course
    sections: list[OutlineSection]
    enrollment: Enrollment | None
    content_open: bool
    total_video_seconds: int

    @property
    def lessons(self) -> list[OutlineLesson]:
        return [line for part in self.sections for line in part.lessons]

    @property
    def next_lesson(self) -> OutlineLesson | None:
        """Where "Continue" leads: the first open lesson not done yet, else the first one."""
        lines = [line for line in self.lessons if line.open]
        for line in lines:
            if not line.completed:
                return line
        return lines[0] if lines else None


def enrollment_live_of(*, user: User, course_id: int) -> Enrollment | None:
    """The person's pending, active or completed enrollment in the course (at most one),
    with its progress."""
    if not getattr(user, "is_authenticated", False):
        return None
    return enrollments_with_progress(
        Enrollment.objects.filter(user=user, course_id=course_id, status__in=LIVE_STATUSES)
    ).first()


def course_page(*, user: User, course_id: int) -> CoursePage:
    """The course `user` may see (404 otherwise, another tenant's id included) with its
    outline and their enrollment and progress, in a fixed number of queries."""
    course = course_selectors.course_detail(user=user, course_id=course_id)
    enrollment = enrollment_live_of(user=user, course_id=course.pk)
    done: set[int] = set()
    if enrollment is not None:
        done = set(
            LessonProgress.objects.filter(
                enrollment=enrollment, completed_at__isnull=False
            ).values_list("lesson_id", flat=True)
        )
    content_open = user_can_read_course_content(user, course=course)
    sections = []
    total = 0
    for section in course.sections.all():
        lines = []
        for lesson in section.lessons.all():
            lesson.course = course
            total += lesson.duration_seconds
            lines.append(
                OutlineLesson(
                    lesson=lesson,
                    completed=lesson.pk in done,
                    open=content_open or lesson.is_preview,
                )
            )
        sections.append(OutlineSection(section=section, lessons=lines))
    return CoursePage(
        course=course,
        sections=sections,
        enrollment=enrollment,
        content_open=content_open,
        total_video_seconds=total,
    )


@dataclass(frozen=True)
class PlayerPage:
    """One lesson in the player: the course page's outline, the lesson, its neighbours,
    and the learner's record of it (the video position to resume from)."""

    page: CoursePage
    current: OutlineLesson
    previous: OutlineLesson | None
    next: OutlineLesson | None
    progress: LessonProgress | None

    @property
    def lesson(self) -> Lesson:
        return self.current.lesson

    @property
    def attachment_name(self) -> str:
        name = self.lesson.attachment.name if self.lesson.attachment else ""
        return name.rsplit("/", 1)[-1]

    @property
    def records_progress(self) -> bool:
        enrollment = self.page.enrollment
        return enrollment is not None and enrollment.status == EnrollmentStatus.ACTIVE


def lesson_player(*, user: User, course_id: int, lesson_id: int) -> PlayerPage:
    """A lesson of a course `user` may see, in the player; 404 for a lesson of another
    course (or tenant). Whether its content may be shown: `current.open` (the rule of
    courses.permissions)."""
    page = course_page(user=user, course_id=course_id)
    lines = page.lessons
    index = next((i for i, line in enumerate(lines) if line.lesson.pk == lesson_id), None)
    if index is None:
        raise NotFound(ProgressErrorCode.LESSON_NOT_FOUND, _("No such lesson in this course."))
    progress = None
    if page.enrollment is not None:
        progress = LessonProgress.objects.filter(
            enrollment=page.enrollment, lesson_id=lesson_id
        ).first()
    return PlayerPage(
        page=page,
        current=lines[index],
        previous=lines[index - 1] if index > 0 else None,
        next=lines[index + 1] if index + 1 < len(lines) else None,
        progress=progress,
    )
