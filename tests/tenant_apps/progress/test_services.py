"""Recording progress and completing courses through the services, in tenant A's schema."""

from __future__ import annotations

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from core.errors import ApplicationError, NotFound, ValidationFailed
from tenant_apps.courses.models import Lesson, LessonKind
from tenant_apps.enrollments import services as enrollments
from tenant_apps.enrollments.hooks import (
    enrollment_completed_handler_register,
    enrollment_completed_handler_unregister,
)
from tenant_apps.enrollments.models import Enrollment
from tenant_apps.events.models import OutboxEvent
from tenant_apps.progress import services
from tenant_apps.progress.models import LessonProgress
from tenant_apps.progress.selectors import course_progress_of, lesson_progress_lines
from tests.builders import course_build, lessons_of
from tests.tenant_apps.enrollments.conftest import enrollment_rows

VIDEO, TEXT, QUIZ = LessonKind.VIDEO, LessonKind.TEXT, LessonKind.QUIZ


@pytest.fixture
def course(in_tenant_a, instructor):
    """video (required), text (optional), quiz (required), text (required)."""
    return course_build(owner=instructor, lessons=[VIDEO, TEXT, QUIZ, TEXT], optional=[1])


@pytest.fixture
def enrollment(course, learner):
    return enrollments.enrollment_self_enroll(user=learner, course=course)


@pytest.fixture
def lessons(course) -> list[Lesson]:
    return lessons_of(course)


def completed_events(enrollment: Enrollment) -> int:
    return OutboxEvent.objects.filter(
        event_type="course.completed", subject_id=str(enrollment.pk)
    ).count()


def progress_rows() -> list[tuple]:
    return list(
        LessonProgress.objects.order_by("pk").values_list(
            "lesson_id", "completed_at", "time_spent_seconds", "last_position_seconds"
        )
    )


def test_time_accumulates_position_moves_and_the_last_lesson_touched_is_the_resume_point(
    enrollment, lessons, learner
):
    video, text = lessons[0], lessons[3]
    services.lesson_progress_record(
        enrollment=enrollment,
        lesson=video,
        learner=learner,
        time_spent_delta=40,
        last_position_seconds=35,
    )
    services.lesson_progress_record(enrollment=enrollment, lesson=text, learner=learner)
    progress = services.lesson_progress_record(
        enrollment=enrollment,
        lesson=video,
        learner=learner,
        time_spent_delta=25,
        last_position_seconds=61,
    )
    assert (progress.time_spent_seconds, progress.last_position_seconds) == (65, 61)
    assert progress.completed_at is None
    assert course_progress_of(enrollment_id=enrollment.pk).resume_lesson_id == video.pk

    services.lesson_progress_record(
        enrollment=enrollment, lesson=text, learner=learner, time_spent_delta=5
    )
    course = course_progress_of(enrollment_id=enrollment.pk)
    assert (course.resume_lesson_id, course.progress_percent) == (text.pk, 0)
    assert LessonProgress.objects.count() == 2


def test_position_is_kept_within_the_video(enrollment, lessons, learner):
    progress = services.lesson_progress_record(
        enrollment=enrollment, lesson=lessons[0], learner=learner, last_position_seconds=604
    )
    assert progress.last_position_seconds == 600  # the video lasts 600 s
    untouched = services.lesson_progress_record(
        enrollment=enrollment, lesson=lessons[0], learner=learner, time_spent_delta=1
    )
    assert untouched.last_position_seconds == 600


def test_a_lesson_is_completed_once(enrollment, lessons, learner):
    first = services.lesson_progress_record(
        enrollment=enrollment, lesson=lessons[0], learner=learner, completed=True
    )
    again = services.lesson_progress_record(
        enrollment=enrollment, lesson=lessons[0], learner=learner, completed=True
    )
    not_undone = services.lesson_progress_record(
        enrollment=enrollment, lesson=lessons[0], learner=learner, completed=False
    )
    assert first.completed_at is not None
    assert again.completed_at == first.completed_at == not_undone.completed_at
    completed = OutboxEvent.objects.get(event_type="lesson.completed")  # once
    assert (completed.subject_type, completed.subject_id) == ("lesson_progress", str(first.pk))
    assert completed.payload == {
        "id": first.pk,
        "enrollment_id": enrollment.pk,
        "lesson_id": lessons[0].pk,
        "course_id": enrollment.course_id,
        "user_id": learner.pk,
        "completed_at": DjangoJSONEncoder().default(first.completed_at),
    }
    assert completed.actor_id == learner.pk


def test_course_completes_when_every_required_lesson_is_done_and_quizzes_are_passed(
    enrollment, lessons, learner, django_capture_on_commit_callbacks
):
    video, optional_text, quiz, text = lessons
    seen: list[int] = []

    def certificate(*, enrollment: Enrollment) -> None:
        seen.append(enrollment.pk)

    def percent() -> int:
        return course_progress_of(enrollment_id=enrollment.pk).progress_percent

    enrollment_completed_handler_register(certificate)
    try:
        services.lesson_progress_record(
            enrollment=enrollment, lesson=video, learner=learner, completed=True
        )
        assert percent() == 33
        services.lesson_progress_record(
            enrollment=enrollment, lesson=optional_text, learner=learner, completed=True
        )
        assert percent() == 33  # optional lessons do not count
        services.lesson_progress_record(
            enrollment=enrollment, lesson=text, learner=learner, completed=True
        )
        assert percent() == 66
        enrollment.refresh_from_db()
        assert enrollment.status == "active"  # the quiz is not passed yet

        with django_capture_on_commit_callbacks(execute=True):
            services.lesson_mark_passed(enrollment=enrollment, lesson=quiz)
    finally:
        enrollment_completed_handler_unregister(certificate)

    enrollment.refresh_from_db()
    assert enrollment.status == "completed"
    assert enrollment.completed_at is not None
    assert percent() == 100
    assert completed_events(enrollment) == 1
    assert seen == [enrollment.pk]

    # Reporting on a completed enrollment is refused and changes nothing.
    before = enrollment_rows()
    enrollment_completed_handler_register(certificate)
    try:
        with pytest.raises(ApplicationError) as refused:
            services.lesson_mark_passed(enrollment=enrollment, lesson=quiz)
    finally:
        enrollment_completed_handler_unregister(certificate)
    assert refused.value.code.value == "enrollment_not_active"
    assert enrollment_rows() == before
    assert seen == [enrollment.pk]


def test_lesson_complete_counts_for_any_kind_of_lesson(enrollment, lessons):
    for lesson in lessons:
        services.lesson_complete(enrollment=enrollment, lesson=lesson)
    enrollment.refresh_from_db()
    assert enrollment.status == "completed"
    assert completed_events(enrollment) == 1


def test_learners_cannot_mark_a_quiz_done(enrollment, lessons, learner):
    before = enrollment_rows()
    with pytest.raises(ValidationFailed) as refused:
        services.lesson_progress_record(
            enrollment=enrollment, lesson=lessons[2], learner=learner, completed=True
        )
    assert refused.value.code.value == "quiz_needs_pass"
    assert [d.field for d in refused.value.details] == ["completed"]
    assert enrollment_rows() == before
    # Time spent in a quiz lesson is recorded like any other.
    services.lesson_progress_record(
        enrollment=enrollment, lesson=lessons[2], learner=learner, time_spent_delta=90
    )
    assert progress_rows() == [(lessons[2].pk, None, 90, 0)]


def test_only_quizzes_are_passed(enrollment, lessons):
    before = enrollment_rows()
    with pytest.raises(ValidationFailed) as refused:
        services.lesson_mark_passed(enrollment=enrollment, lesson=lessons[0])
    assert refused.value.code.value == "not_a_quiz"
    assert enrollment_rows() == before


def test_only_the_enrolled_learner_records(enrollment, lessons, make_person, admin):
    others = (make_person(), admin)
    before = enrollment_rows()
    for someone in others:
        with pytest.raises(ApplicationError) as refused:
            services.lesson_progress_record(
                enrollment=enrollment, lesson=lessons[0], learner=someone, time_spent_delta=5
            )
        assert (refused.value.status, refused.value.code.value) == (403, "not_your_enrollment")
    assert enrollment_rows() == before


@pytest.mark.parametrize("state", ["pending", "cancelled", "completed"])
def test_only_an_active_enrollment_records(in_tenant_a, instructor, learner, state):
    course = course_build(owner=instructor, price="9.00" if state == "pending" else "0.00")
    enrollment = enrollments.enrollment_self_enroll(user=learner, course=course)
    if state == "cancelled":
        enrollments.enrollment_cancel(enrollment=enrollment, actor=learner)
    if state == "completed":
        enrollments.enrollment_complete(enrollment=enrollment, actor=learner)
    before = enrollment_rows()
    with pytest.raises(ApplicationError) as refused:
        services.lesson_progress_record(
            enrollment=enrollment,
            lesson=lessons_of(course)[0],
            learner=learner,
            time_spent_delta=5,
            completed=True,
        )
    assert (refused.value.status, refused.value.code.value) == (403, "enrollment_not_active")
    assert enrollment_rows() == before


def test_a_lesson_of_another_course_is_not_found(enrollment, instructor, learner):
    other = course_build(owner=instructor)
    before = enrollment_rows()
    with pytest.raises(NotFound):
        services.lesson_progress_record(
            enrollment=enrollment, lesson=lessons_of(other)[0], learner=learner
        )
    with pytest.raises(NotFound):
        services.lesson_complete(enrollment=enrollment, lesson=lessons_of(other)[0])
    assert enrollment_rows() == before


def test_negative_times_are_refused_naming_the_fields(enrollment, lessons, learner):
    before = enrollment_rows()
    with pytest.raises(ValidationFailed) as refused:
        services.lesson_progress_record(
            enrollment=enrollment,
            lesson=lessons[0],
            learner=learner,
            time_spent_delta=-1,
            last_position_seconds=-5,
        )
    assert [d.field for d in refused.value.details] == ["time_spent_delta", "last_position_seconds"]
    assert enrollment_rows() == before


def test_lines_follow_the_course_order_with_progress(in_tenant_a, instructor, learner):
    course = course_build(owner=instructor, lessons=[VIDEO, TEXT, QUIZ, TEXT], sections=2)
    enrollment = enrollments.enrollment_self_enroll(user=learner, course=course)
    built = lessons_of(course)  # sections alternate: 0 and 2 in part 1, 1 and 3 in part 2
    services.lesson_progress_record(
        enrollment=enrollment,
        lesson=built[1],
        learner=learner,
        time_spent_delta=12,
        completed=True,
    )
    lines = lesson_progress_lines(enrollment=enrollment)
    assert [(line.lesson_id, line.section_position, line.position) for line in lines] == [
        (built[0].pk, 1, 1),
        (built[2].pk, 1, 2),
        (built[1].pk, 2, 1),
        (built[3].pk, 2, 2),
    ]
    assert [(line.completed, line.time_spent_seconds) for line in lines] == [
        (False, 0),
        (False, 0),
        (True, 12),
        (False, 0),
    ]
