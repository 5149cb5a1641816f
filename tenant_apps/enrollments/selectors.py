"""Reads on enrollments. Ids from another tenant are simply not in this schema: 404."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from core.errors import ApplicationError, FieldError, NotFound
from tenant_apps.courses import selectors as course_selectors
from tenant_apps.courses.models import Course, CourseStatus
from tenant_apps.enrollments.errors import EnrollmentErrorCode
from tenant_apps.enrollments.models import Enrollment, EnrollmentStatus
from tenant_apps.enrollments.permissions import (
    managed_enrollments_filter,
    user_manages_all_enrollments,
)
from tenant_apps.people.models import LearnerGroup, User
from tenant_apps.progress.models import LessonProgress
from tenant_apps.progress.selectors import enrollments_with_progress


def _listed(queryset: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    return enrollments_with_progress(queryset.select_related("user", "course")).order_by(
        "-created_at", "-id"
    )


def enrollment_list_of_learner(*, user: User, status: str = "") -> QuerySet[Enrollment]:
    """A person's own enrollments, newest first, with their progress; with `status`, those
    of one "My learning" group (`LEARNING_GROUPS`: an enrollment status, or "in-progress" /
    "not-started" for active ones with / without a lesson touched)."""
    enrollments = Enrollment.objects.filter(user=user)
    if status:
        enrollments = enrollments.filter(_learning_group(status))
    return _listed(enrollments)


def enrollment_list_managed(*, actor: User) -> QuerySet[Enrollment]:
    """The enrollments `actor` manages (see `enrollments.permissions`), with progress."""
    scope = managed_enrollments_filter(actor)
    if scope is None:
        return Enrollment.objects.none()
    return _listed(Enrollment.objects.filter(scope))


def _visible_to(actor: User) -> QuerySet[Enrollment]:
    if user_manages_all_enrollments(actor):
        return Enrollment.objects.all()
    scope = managed_enrollments_filter(actor)
    mine = Q(user=actor)
    return Enrollment.objects.filter(mine | scope if scope is not None else mine)


def enrollment_get(*, actor: User, enrollment_id: int) -> Enrollment:
    """An enrollment `actor` may see (their own, or one they manage), with its progress.
    Any other id, another tenant's included, is 404."""
    enrollment = _listed(_visible_to(actor)).filter(pk=enrollment_id).first()
    if enrollment is None:
        raise NotFound(EnrollmentErrorCode.ENROLLMENT_NOT_FOUND, _("No such enrollment."))
    return enrollment


def enrollment_active_for(*, user: User, course: Course) -> Enrollment | None:
    """The person's active enrollment in the course, if any (e.g. for a quiz attempt)."""
    return Enrollment.objects.filter(
        user=user, course=course, status=EnrollmentStatus.ACTIVE
    ).first()


def _missing(code: EnrollmentErrorCode, message: str, field_name: str | None) -> ApplicationError:
    details = [FieldError(field_name, message)] if field_name else []
    return ApplicationError(code=code, message=message, details=details, status=404)


def course_get(*, course_id: int, field_name: str | None = None) -> Course:
    """A course of this tenant, in any status; 404 (naming `field_name`) if there is none."""
    course = Course.objects.filter(pk=course_id).first()
    if course is None:
        raise _missing(EnrollmentErrorCode.COURSE_NOT_FOUND, _("No such course."), field_name)
    return course


def course_to_enroll_get(*, user: User, course_id: int) -> Course:
    """A course `user` may see, to enrol in. A draft (or archived) course they may not see
    is 404 exactly like an id that does not exist: enrolling must not tell them apart."""
    try:
        return course_selectors.course_get(user=user, course_id=course_id)
    except Http404:
        raise _missing(EnrollmentErrorCode.COURSE_NOT_FOUND, _("No such course."), None) from None


def person_get(*, user_id: int, field_name: str | None = None) -> User:
    person = User.objects.filter(pk=user_id).first()
    if person is None:
        raise _missing(EnrollmentErrorCode.USER_NOT_FOUND, _("No such person."), field_name)
    return person


def group_get(*, group_id: int, field_name: str | None = None) -> LearnerGroup:
    group = LearnerGroup.objects.filter(pk=group_id).first()
    if group is None:
        raise _missing(EnrollmentErrorCode.GROUP_NOT_FOUND, _("No such group."), field_name)
    return group


def enrollment_list_for_admin(
    *,
    actor: User,
    course_id: int | None = None,
    status: str = "",
    person: str = "",
    group_id: int | None = None,
) -> QuerySet[Enrollment]:
    """The enrollments `actor` manages (all of them, for an admin) with progress, newest
    first, narrowed by course, status, person (text in their e-mail or name) and group (the
    group it was assigned through, or any group the person is in)."""
    enrollments = enrollment_list_managed(actor=actor)
    if course_id is not None:
        enrollments = enrollments.filter(course_id=course_id)
    if status:
        enrollments = enrollments.filter(status=status)
    if person:
        enrollments = enrollments.filter(
            Q(user__email__icontains=person) | Q(user__full_name__icontains=person)
        )
    if group_id is not None:
        member = LearnerGroup.members.through.objects.filter(
            learnergroup_id=group_id, user_id=OuterRef("user_id")
        )
        enrollments = enrollments.filter(Q(group_id=group_id) | Q(Exists(member)))
    return enrollments.select_related("group")


def courses_for_assignment() -> QuerySet[Course]:
    """Published courses, by title: what can be assigned."""
    return Course.objects.filter(status=CourseStatus.PUBLISHED).order_by("title", "id")


def courses_for_filter() -> list[tuple[int, str]]:
    """Every course (id, title) by title, for the enrollment list's course filter."""
    return list(Course.objects.order_by("title", "id").values_list("id", "title"))


# The groups of "My learning", in the order the page shows them (its `?status=` values).
LEARNING_GROUPS = ("in-progress", "not-started", "pending", "completed", "cancelled")


def _started() -> Exists:
    """The enrollment has a lesson touched (what gives it a `resume_lesson_id`)."""
    return Exists(LessonProgress.objects.filter(enrollment=OuterRef("pk")))


def _learning_group(group: str) -> Q:
    if group == "in-progress":
        return Q(status=EnrollmentStatus.ACTIVE) & Q(_started())
    if group == "not-started":
        return Q(status=EnrollmentStatus.ACTIVE) & ~Q(_started())
    return Q(status=group)


class _Counted:
    """A queryset whose length is already known: the paginator slices it (one query for the
    page) without counting it again."""

    def __init__(self, queryset: QuerySet[Enrollment], count: int) -> None:
        self.queryset = queryset
        self.ordered = queryset.ordered
        self._count = count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self.queryset[index]


@dataclass(frozen=True)
class MyLearning:
    """One's enrollments as "My learning" shows them: how many in each group (by
    `LEARNING_GROUPS`), the group shown ("" when there is none) and its enrollments, newest
    first with their progress, sized for the paginator (`core.pages.page_of`)."""

    counts: dict[str, int]
    group: str
    enrollments: _Counted


def learning_group_counts(*, user: User) -> dict[str, int]:
    """How many of the person's enrollments are in each "My learning" group, in one query."""
    counts = Enrollment.objects.filter(user=user).aggregate(
        **{
            group.replace("-", "_"): Count("pk", filter=_learning_group(group))
            for group in LEARNING_GROUPS
        }
    )
    return {group: counts[group.replace("-", "_")] for group in LEARNING_GROUPS}


def my_learning(*, user: User, group: str = "") -> MyLearning:
    """The "My learning" page of `user`: the count of each group (one query) and, lazily,
    the enrollments of `group` (`enrollment_list_of_learner`, one query per page). An
    unknown (or empty) `group` is the first group that has enrollments; none when the
    person has no enrollment at all."""
    counts = learning_group_counts(user=user)
    if not any(counts.values()):
        group = ""
    elif group not in LEARNING_GROUPS:
        group = next(name for name in LEARNING_GROUPS if counts[name])
    if not group:
        return MyLearning(
            counts=counts, group="", enrollments=_Counted(Enrollment.objects.none(), 0)
        )
    enrollments = enrollment_list_of_learner(user=user, status=group)
    return MyLearning(counts=counts, group=group, enrollments=_Counted(enrollments, counts[group]))
