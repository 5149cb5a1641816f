"""Progress reported at the same moment, for real: separate connections that commit."""

from __future__ import annotations

from django_tenants.utils import schema_context

from tenant_apps.courses.models import LessonKind
from tenant_apps.enrollments import services as enrollments
from tenant_apps.enrollments.models import Enrollment
from tenant_apps.events.models import OutboxEvent
from tenant_apps.people.models import Role
from tenant_apps.progress import services
from tenant_apps.progress.models import LessonProgress
from tests.builders import lessons_of
from tests.concurrency import in_schema, race
from tests.tenant_apps.enrollments.concurrency import committed  # noqa: F401 (fixture)


def enrolled(world, lessons: list[str], learners: int = 1):
    """Learners enrolled in one new course: [(learner, enrollment)], and its lessons."""
    owner = world.person(Role.INSTRUCTOR)
    course = world.course(owner=owner, lessons=lessons)
    people = [world.person() for _ in range(learners)]
    with schema_context(world.schema):
        pairs = [
            (person, enrollments.enrollment_self_enroll(user=person, course=course))
            for person in people
        ]
        return pairs, lessons_of(course)


def test_finishing_the_last_two_lessons_at_once_completes_the_course_once(committed):  # noqa: F811
    # Several rounds: a lost completion shows up in most runs, not only in a lucky one.
    pairs, lessons = enrolled(committed, [LessonKind.TEXT, LessonKind.TEXT], learners=8)

    for learner, enrollment in pairs:
        results = race(
            [
                in_schema(
                    committed.schema,
                    lambda lesson=lesson, learner=learner, enrollment=enrollment: (
                        services.lesson_progress_record(
                            enrollment=enrollment, lesson=lesson, learner=learner, completed=True
                        )
                    ),
                )
                for lesson in lessons
            ]
        )
        assert all(not isinstance(r, Exception) for r in results), results

    with schema_context(committed.schema):
        for _learner, enrollment in pairs:
            finished = Enrollment.objects.get(pk=enrollment.pk)
            assert (finished.status, finished.completed_at is not None) == ("completed", True)
            assert (
                OutboxEvent.objects.filter(
                    event_type="course.completed", subject_id=str(enrollment.pk)
                ).count()
                == 1
            )


def test_simultaneous_reports_add_up(committed):  # noqa: F811
    [(learner, enrollment)], lessons = enrolled(committed, [LessonKind.VIDEO])

    results = race(
        [
            in_schema(
                committed.schema,
                lambda: services.lesson_progress_record(
                    enrollment=enrollment, lesson=lessons[0], learner=learner, time_spent_delta=15
                ),
            )
            for _ in range(6)
        ]
    )

    assert all(not isinstance(r, Exception) for r in results), results
    with schema_context(committed.schema):
        (progress,) = LessonProgress.objects.filter(enrollment=enrollment)
    assert progress.time_spent_seconds == 90
