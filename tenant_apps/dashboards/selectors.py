"""Dashboard figures. Each dashboard costs a fixed number of queries, however many courses,
people or enrollments there are: counts are grouped in the database, never per row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from tenant_apps.assessments.models import Attempt, AttemptStatus
from tenant_apps.courses.models import Course, CourseStatus, Lesson
from tenant_apps.enrollments.models import Enrollment, EnrollmentStatus
from tenant_apps.people.models import Role, User
from tenant_apps.people.permissions import Capability, user_can
from tenant_apps.progress.models import LessonProgress
from tenant_apps.progress.selectors import enrollments_with_progress

ACTIVE_WINDOW = timedelta(days=30)
DUE_SOON_WINDOW = timedelta(days=14)
STARTED = (EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)


def _subquery_count(queryset: QuerySet, by: str) -> Coalesce:
    counted = queryset.order_by().values(by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _active_learners(course_filter: Q, since: datetime) -> int:
    """People who touched a lesson since `since`. The person of each recent progress row
    is looked up by its enrollment's key (a correlated subquery), not by joining every
    enrollment of the tenant: the work follows recent activity, not the table's size."""
    person_of = Enrollment.objects.filter(pk=OuterRef("enrollment_id")).values("user_id")[:1]
    return LessonProgress.objects.filter(course_filter, last_touched_at__gte=since).aggregate(
        people=Count(Subquery(person_of), distinct=True)
    )["people"]


@dataclass(frozen=True)
class CourseFigures:
    course_id: int
    title: str
    status: str
    enrollments: int
    completed: int
    completion_rate: float | None  # completed / started, None before anyone started
    average_quiz_score: float | None  # mean percent of graded attempts
    active_learners_30d: int


@dataclass(frozen=True)
class InstructorDashboard:
    courses_total: int
    courses_published: int
    courses_draft: int
    courses_archived: int
    enrollments: int
    learners_active_30d: int
    courses: list[CourseFigures] = field(default_factory=list)


def instructor_dashboard(*, user: User, now: datetime | None = None) -> InstructorDashboard:
    """The courses `user` owns, with their enrollments, completion and quiz scores."""
    since = (now or timezone.now()) - ACTIVE_WINDOW
    live = Enrollment.objects.filter(course=OuterRef("pk")).exclude(
        status=EnrollmentStatus.CANCELLED
    )
    average = (
        Attempt.objects.filter(quiz__lesson__course=OuterRef("pk"), status=AttemptStatus.GRADED)
        .order_by()
        .values("quiz__lesson__course")
        .annotate(mean=Avg("score_percent"))
        .values("mean")
    )
    active = (
        LessonProgress.objects.filter(lesson__course=OuterRef("pk"), last_touched_at__gte=since)
        .order_by()
        .values("lesson__course")
        .annotate(n=Count("enrollment__user_id", distinct=True))
        .values("n")
    )
    rows = (
        Course.objects.filter(owner=user)
        .annotate(
            enrollment_count=_subquery_count(live, "course"),
            completed_count=_subquery_count(
                live.filter(status=EnrollmentStatus.COMPLETED), "course"
            ),
            started_count=_subquery_count(live.filter(status__in=STARTED), "course"),
            average_score=Subquery(average, output_field=DecimalField()),
            active_count=Coalesce(Subquery(active, output_field=IntegerField()), Value(0)),
        )
        .order_by("title", "id")
        .values(
            "id",
            "title",
            "status",
            "enrollment_count",
            "completed_count",
            "started_count",
            "average_score",
            "active_count",
        )
    )
    courses = [
        CourseFigures(
            course_id=row["id"],
            title=row["title"],
            status=row["status"],
            enrollments=row["enrollment_count"],
            completed=row["completed_count"],
            completion_rate=(
                round(row["completed_count"] / row["started_count"], 4)
                if row["started_count"]
                else None
            ),
            average_quiz_score=(
                round(float(row["average_score"]), 2) if row["average_score"] is not None else None
            ),
            active_learners_30d=row["active_count"],
        )
        for row in rows
    ]
    by_status = {status: sum(1 for c in courses if c.status == status) for status in CourseStatus}
    return InstructorDashboard(
        courses_total=len(courses),
        courses_published=by_status[CourseStatus.PUBLISHED],
        courses_draft=by_status[CourseStatus.DRAFT],
        courses_archived=by_status[CourseStatus.ARCHIVED],
        enrollments=sum(c.enrollments for c in courses),
        learners_active_30d=_active_learners(Q(lesson__course__owner=user), since),
        courses=courses,
    )


@dataclass(frozen=True)
class LearnerCourseLine:
    enrollment_id: int
    course_id: int
    course_title: str
    status: str
    progress_percent: int
    due_at: datetime | None
    resume_lesson_id: int | None


@dataclass(frozen=True)
class LearnerDashboard:
    active: int
    completed: int
    pending: int
    courses: list[LearnerCourseLine]
    due_soon: list[LearnerCourseLine]


def learner_dashboard(*, user: User, now: datetime | None = None) -> LearnerDashboard:
    """One's own courses with progress, and what is due in the next two weeks."""
    now = now or timezone.now()
    enrollments = enrollments_with_progress(
        Enrollment.objects.filter(user=user)
        .exclude(status=EnrollmentStatus.CANCELLED)
        .select_related("course")
        .order_by("-created_at", "-id")
    )
    lines = [
        LearnerCourseLine(
            enrollment_id=e.pk,
            course_id=e.course_id,
            course_title=e.course.title,
            status=e.status,
            progress_percent=e.progress_percent,
            due_at=e.due_at,
            resume_lesson_id=e.resume_lesson_id,
        )
        for e in enrollments
    ]
    due_soon = sorted(
        (
            line
            for line in lines
            if line.status == EnrollmentStatus.ACTIVE
            and line.due_at is not None
            and line.due_at <= now + DUE_SOON_WINDOW
        ),
        key=lambda line: line.due_at,
    )
    return LearnerDashboard(
        active=sum(1 for line in lines if line.status == EnrollmentStatus.ACTIVE),
        completed=sum(1 for line in lines if line.status == EnrollmentStatus.COMPLETED),
        pending=sum(1 for line in lines if line.status == EnrollmentStatus.PENDING),
        courses=lines,
        due_soon=due_soon,
    )


@dataclass(frozen=True)
class ActivityLine:
    """Something a learner did lately: enrolled in (or was assigned) a course, or finished it."""

    at: datetime
    kind: str  # "enrolled" or "completed"
    enrollment_id: int
    person: str  # name, else e-mail
    course_title: str


@dataclass(frozen=True)
class AdminDashboard:
    users_by_role: dict[str, dict[str, int]]  # role → {"active": n, "inactive": n}
    courses_by_status: dict[str, int]
    enrollments_by_status: dict[str, int]
    completions_by_day: list[tuple[date, int]]
    people_active: int = 0
    learners_active_30d: int = 0  # people who touched a lesson in the last 30 days
    enrollments_by_day: list[tuple[date, int]] = field(default_factory=list)
    recent_activity: list[ActivityLine] = field(default_factory=list)


RECENT_ACTIVITY = 10


def _day_start(day: date) -> datetime:
    """Midnight at the start of `day` in the current time zone (a bound an index can use)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _per_day(queryset: QuerySet, moment: str, first_day: date, days: int) -> list[tuple[date, int]]:
    """How many rows of `queryset` fall on each of `days` days from `first_day`, in the
    current time zone; days without any count 0."""
    counted = dict(
        queryset.filter(**{f"{moment}__gte": _day_start(first_day)})
        .order_by()
        .annotate(day=TruncDate(moment))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    return [
        (first_day + timedelta(days=offset), counted.get(first_day + timedelta(days=offset), 0))
        for offset in range(days)
    ]


def _recent_activity() -> list[ActivityLine]:
    """The latest enrollments and completions, newest first (two bounded queries)."""
    lines = []
    for kind, moment, rows in (
        ("enrolled", "created_at", Enrollment.objects.all()),
        ("completed", "completed_at", Enrollment.objects.filter(completed_at__isnull=False)),
    ):
        latest = rows.select_related("user", "course").order_by(f"-{moment}", "-id")
        lines.extend(
            ActivityLine(
                at=getattr(e, moment),
                kind=kind,
                enrollment_id=e.pk,
                person=e.user.full_name or e.user.email,
                course_title=e.course.title,
            )
            for e in latest[:RECENT_ACTIVITY]
        )
    lines.sort(key=lambda line: (line.at, line.kind == "completed"), reverse=True)
    return lines[:RECENT_ACTIVITY]


def admin_dashboard(*, days: int = 30, now: datetime | None = None) -> AdminDashboard:
    """The whole tenant: people (and those active lately), courses, enrollments, new
    enrollments and completions per day, and the latest learner activity."""
    now = now or timezone.now()
    users: dict[str, dict[str, int]] = {role: {"active": 0, "inactive": 0} for role in Role}
    for row in User.objects.order_by().values("role", "is_active").annotate(n=Count("pk")):
        users[row["role"]]["active" if row["is_active"] else "inactive"] = row["n"]
    courses = dict.fromkeys(CourseStatus, 0)
    courses.update(
        (row["status"], row["n"])
        for row in Course.objects.order_by().values("status").annotate(n=Count("pk"))
    )
    enrollments = dict.fromkeys(EnrollmentStatus, 0)
    enrollments.update(
        (row["status"], row["n"])
        for row in Enrollment.objects.order_by().values("status").annotate(n=Count("pk"))
    )
    first_day = timezone.localdate(now) - timedelta(days=days - 1)
    completions = _per_day(
        Enrollment.objects.filter(status=EnrollmentStatus.COMPLETED),
        "completed_at",
        first_day,
        days,
    )
    return AdminDashboard(
        users_by_role=users,
        courses_by_status={str(k): v for k, v in courses.items()},
        enrollments_by_status={str(k): v for k, v in enrollments.items()},
        completions_by_day=completions,
        people_active=sum(counts["active"] for counts in users.values()),
        learners_active_30d=_active_learners(Q(), now - ACTIVE_WINDOW),
        enrollments_by_day=_per_day(Enrollment.objects.all(), "created_at", first_day, days),
        recent_activity=_recent_activity(),
    )


# ------------------------------------------------------------------------------------------
# Authors' pages: their courses, and one course's analytics
def courses_to_edit(*, user: User) -> QuerySet[Course]:
    """The courses `user` may edit (every course for those who may edit all, else their
    own), most recently changed first, each with `enrollment_count` (enrollments not
    cancelled): one query per page, however many enrollments."""
    if user_can(user, Capability.EDIT_ALL_COURSES):
        courses = Course.objects.all()
    elif user_can(user, Capability.EDIT_OWN_COURSES):
        courses = Course.objects.filter(owner=user)
    else:
        return Course.objects.none()
    live = Enrollment.objects.filter(course=OuterRef("pk")).exclude(
        status=EnrollmentStatus.CANCELLED
    )
    return (
        courses.select_related("owner")
        .only("id", "title", "status", "updated_at", "owner", "owner__full_name", "owner__email")
        .annotate(enrollment_count=_subquery_count(live, "course"))
        .order_by("-updated_at", "-id")
    )


@dataclass(frozen=True)
class DayCount:
    day: date
    count: int


@dataclass(frozen=True)
class FunnelStep:
    key: str
    count: int


@dataclass(frozen=True)
class QuizScore:
    lesson_id: int
    title: str
    graded_attempts: int
    average_percent: float | None


@dataclass(frozen=True)
class LessonReach:
    lesson_id: int
    section_title: str
    title: str
    started: int  # learners who opened it
    completed: int  # learners who completed it


@dataclass(frozen=True)
class CourseAnalytics:
    enrollments_by_day: list[DayCount]
    funnel: list[FunnelStep]  # enrolled, active, started, completed
    average_quiz_score: float | None
    quiz_scores: list[QuizScore]
    lessons: list[LessonReach]


def course_analytics(
    *, course: Course, days: int = 30, now: datetime | None = None
) -> CourseAnalytics:
    """One course's figures for its analytics page, in five queries whatever its size:
    new enrollments per day over `days` days, the completion funnel (enrolled, activated,
    started a lesson, completed), the average score of graded quiz attempts (overall and per
    quiz lesson), and how far learners got lesson by lesson (the drop-off)."""
    now = now or timezone.now()
    first_day = (timezone.localtime(now) - timedelta(days=days - 1)).date()
    # From the start of the first day in the viewer's zone: a plain bound on the column.
    since = timezone.make_aware(datetime.combine(first_day, time.min))
    live = Enrollment.objects.filter(course=course).exclude(status=EnrollmentStatus.CANCELLED)
    per_day = dict(
        live.filter(created_at__gte=since)
        .order_by()
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    counts = live.order_by().aggregate(
        # The join with progress repeats enrollments: every count is of distinct ones.
        enrolled=Count("pk", distinct=True),
        active=Count("pk", filter=Q(status__in=STARTED), distinct=True),
        completed=Count("pk", filter=Q(status=EnrollmentStatus.COMPLETED), distinct=True),
        started=Count("pk", filter=Q(lesson_progress__isnull=False), distinct=True),
    )
    graded = Attempt.objects.filter(quiz__course=course, status=AttemptStatus.GRADED)
    per_quiz = list(
        graded.order_by()
        .values(
            "quiz__lesson_id",
            "quiz__lesson__title",
            "quiz__lesson__section__position",
            "quiz__lesson__position",
        )
        .annotate(n=Count("pk"), mean=Avg("score_percent"))
        .order_by("quiz__lesson__section__position", "quiz__lesson__position")
    )
    overall = graded.aggregate(mean=Avg("score_percent"))["mean"]
    progress = LessonProgress.objects.filter(lesson=OuterRef("pk"), enrollment__status__in=STARTED)
    lessons = (
        Lesson.objects.filter(course=course)
        .annotate(
            started_count=_subquery_count(progress, "lesson"),
            completed_count=_subquery_count(progress.filter(completed_at__isnull=False), "lesson"),
        )
        .order_by("section__position", "position")
        .values("pk", "title", "section__title", "started_count", "completed_count")
    )
    return CourseAnalytics(
        enrollments_by_day=[
            DayCount(first_day + timedelta(days=n), per_day.get(first_day + timedelta(days=n), 0))
            for n in range(days)
        ],
        funnel=[
            FunnelStep("enrolled", counts["enrolled"]),
            FunnelStep("active", counts["active"]),
            FunnelStep("started", counts["started"]),
            FunnelStep("completed", counts["completed"]),
        ],
        average_quiz_score=round(float(overall), 2) if overall is not None else None,
        quiz_scores=[
            QuizScore(
                lesson_id=row["quiz__lesson_id"],
                title=row["quiz__lesson__title"],
                graded_attempts=row["n"],
                average_percent=round(float(row["mean"]), 2) if row["mean"] is not None else None,
            )
            for row in per_quiz
        ],
        lessons=[
            LessonReach(
                lesson_id=row["pk"],
                section_title=row["section__title"],
                title=row["title"],
                started=row["started_count"],
                completed=row["completed_count"],
            )
            for row in lessons
        ],
    )


@dataclass(frozen=True)
class ResumePoint:
    """The lesson one touched last in a course one is taking."""

    course_id: int
    course_title: str
    lesson_id: int
    lesson_title: str
    lesson_kind: str
    touched_at: datetime


@dataclass(frozen=True)
class LearnerHome:
    dashboard: LearnerDashboard
    resume: ResumePoint | None

    @property
    def in_progress(self) -> list[LearnerCourseLine]:
        return [line for line in self.dashboard.courses if line.status == EnrollmentStatus.ACTIVE]


def learner_home(*, user: User, now: datetime | None = None) -> LearnerHome:
    """The learner's home: their dashboard (`learner_dashboard`, as the API gives it) and
    where to continue: the lesson touched last in an active enrollment. Two queries."""
    resume = (
        LessonProgress.objects.filter(
            enrollment__user=user, enrollment__status=EnrollmentStatus.ACTIVE
        )
        .order_by("-last_touched_at", "-id")
        .values(
            "lesson_id",
            "lesson__title",
            "lesson__kind",
            "lesson__course_id",
            "lesson__course__title",
            "last_touched_at",
        )
        .first()
    )
    return LearnerHome(
        dashboard=learner_dashboard(user=user, now=now),
        resume=ResumePoint(
            course_id=resume["lesson__course_id"],
            course_title=resume["lesson__course__title"],
            lesson_id=resume["lesson_id"],
            lesson_title=resume["lesson__title"],
            lesson_kind=resume["lesson__kind"],
            touched_at=resume["last_touched_at"],
        )
        if resume
        else None,
    )
