"""The progress API on tenant A's host, with real bearer tokens."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tenant_apps.courses.models import LessonKind
from tenant_apps.enrollments import services as enrollments
from tenant_apps.events.models import OutboxEvent
from tenant_apps.people.models import Role
from tests.builders import lessons_of
from tests.tenant_apps.enrollments.conftest import enrollment_rows

VIDEO, TEXT, QUIZ = LessonKind.VIDEO, LessonKind.TEXT, LessonKind.QUIZ


def in_a(tenant, action):
    with schema_context(tenant.schema):
        return action()


@pytest.fixture
def course(make_course):
    return make_course(lessons=[VIDEO, TEXT, QUIZ])


@pytest.fixture
def lessons(course, tenant_a):
    return in_a(tenant_a, lambda: lessons_of(course))


@pytest.fixture
def enrollment(course, learner, tenant_a):
    return in_a(tenant_a, lambda: enrollments.enrollment_self_enroll(user=learner, course=course))


def url(enrollment, lesson) -> str:
    return f"/api/v1/enrollments/{enrollment.pk}/lessons/{lesson.pk}/progress"


def test_learner_reports_time_and_position(api, learner, enrollment, lessons):
    client = api(learner)
    first = client.put(
        url(enrollment, lessons[0]), {"time_spent_delta": 30, "last_position_seconds": 28}
    )
    assert first.status_code == 200
    body = first.json()
    assert body == {
        "lesson_id": lessons[0].pk,
        "completed": False,
        "completed_at": None,
        "time_spent_seconds": 30,
        "last_position_seconds": 28,
        "last_touched_at": body["last_touched_at"],
        "course": {
            "enrollment_id": enrollment.pk,
            "status": "active",
            "completed_at": None,
            "progress_percent": 0,
            "required_lessons": 3,
            "completed_required_lessons": 0,
            "resume_lesson_id": lessons[0].pk,
        },
    }
    second = client.patch(
        url(enrollment, lessons[0]), {"time_spent_delta": 15, "last_position_seconds": 43}
    )
    assert (second.json()["time_spent_seconds"], second.json()["last_position_seconds"]) == (
        45,
        43,
    )


def test_completing_lessons_then_the_quiz_completes_the_course(
    api, learner, enrollment, lessons, tenant_a
):
    client = api(learner)
    done = client.patch(url(enrollment, lessons[0]), {"completed": True})
    assert done.json()["completed"] is True
    assert done.json()["course"]["progress_percent"] == 33
    text = client.patch(url(enrollment, lessons[1]), {"completed": True, "time_spent_delta": 60})
    assert (text.json()["course"]["progress_percent"], text.json()["course"]["status"]) == (
        66,
        "active",
    )

    before = enrollment_rows(tenant_a)
    quiz = client.patch(url(enrollment, lessons[2]), {"completed": True})
    assert quiz.status_code == 400
    assert quiz.json()["error"] == {
        "code": "quiz_needs_pass",
        "message": "A quiz lesson is done when its quiz is passed.",
        "details": [{"field": "completed", "message": "Pass the quiz to complete this lesson."}],
    }
    assert enrollment_rows(tenant_a) == before

    from tenant_apps.progress.services import lesson_mark_passed

    in_a(tenant_a, lambda: lesson_mark_passed(enrollment=enrollment, lesson=lessons[2]))
    progress = client.get(f"/api/v1/enrollments/{enrollment.pk}/progress").json()
    assert (progress["status"], progress["progress_percent"]) == ("completed", 100)
    assert progress["completed_at"] is not None
    with schema_context(tenant_a.schema):
        assert (
            OutboxEvent.objects.filter(
                event_type="course.completed", subject_id=str(enrollment.pk)
            ).count()
            == 1
        )
    # A completed enrollment's progress is frozen.
    before = enrollment_rows(tenant_a)
    frozen = client.patch(url(enrollment, lessons[0]), {"time_spent_delta": 5})
    assert frozen.status_code == 403
    assert frozen.json()["error"]["code"] == "enrollment_not_active"
    assert enrollment_rows(tenant_a) == before


def test_progress_overview_lists_lessons_and_the_resume_point(
    api, learner, admin, instructor, enrollment, lessons
):
    client = api(learner)
    client.put(url(enrollment, lessons[1]), {"time_spent_delta": 20, "completed": True})
    client.put(url(enrollment, lessons[0]), {"time_spent_delta": 7, "last_position_seconds": 7})
    response = client.get(f"/api/v1/enrollments/{enrollment.pk}/progress")
    assert response.status_code == 200
    body = response.json()
    assert {k: v for k, v in body.items() if k != "lessons"} == {
        "enrollment_id": enrollment.pk,
        "status": "active",
        "completed_at": None,
        "progress_percent": 33,
        "required_lessons": 3,
        "completed_required_lessons": 1,
        "resume_lesson_id": lessons[0].pk,
    }
    assert [
        (
            line["lesson_id"],
            line["kind"],
            line["is_required"],
            line["completed"],
            line["time_spent_seconds"],
            line["last_position_seconds"],
        )
        for line in body["lessons"]
    ] == [
        (lessons[0].pk, "video", True, False, 7, 7),
        (lessons[1].pk, "text", True, True, 20, 0),
        (lessons[2].pk, "quiz", True, False, 0, 0),
    ]
    assert body["lessons"][2]["last_touched_at"] is None
    # Those who manage the enrollment read it too.
    assert api(admin).get(f"/api/v1/enrollments/{enrollment.pk}/progress").json() == body
    assert api(instructor).get(f"/api/v1/enrollments/{enrollment.pk}/progress").json() == body


def test_others_cannot_record_and_nothing_changes(
    api, admin, instructor, make_person, enrollment, lessons, tenant_a
):
    strangers = make_person(), make_person()
    before = enrollment_rows(tenant_a)
    stranger = api(strangers[0]).put(url(enrollment, lessons[0]), {"time_spent_delta": 5})
    assert stranger.status_code == 404
    assert api(strangers[1]).get(f"/api/v1/enrollments/{enrollment.pk}/progress").status_code == (
        404
    )
    for manager in (admin, instructor):  # they see it, but it is not their progress
        refused = api(manager).put(url(enrollment, lessons[0]), {"completed": True})
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "not_your_enrollment"
    anonymous = api().put(url(enrollment, lessons[0]), {"time_spent_delta": 5})
    assert anonymous.status_code == 401
    assert enrollment_rows(tenant_a) == before


@pytest.mark.parametrize("state", ["pending", "cancelled"])
def test_a_pending_or_cancelled_enrollment_records_nothing(
    api, learner, make_course, tenant_a, state
):
    course = make_course(price="9.00" if state == "pending" else "0.00")

    def arrange():
        enrollment = enrollments.enrollment_self_enroll(user=learner, course=course)
        if state == "cancelled":
            enrollments.enrollment_cancel(enrollment=enrollment, actor=learner)
        return enrollment, lessons_of(course)[0]

    enrollment, lesson = in_a(tenant_a, arrange)
    client = api(learner)
    before = enrollment_rows(tenant_a)
    response = client.put(url(enrollment, lesson), {"completed": True})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "enrollment_not_active"
    assert enrollment_rows(tenant_a) == before


def test_lessons_of_other_courses_or_tenants_are_404(
    api, learner, enrollment, make_course, make_person, tenant_a, tenant_b
):
    other = make_course()
    other_lesson = in_a(tenant_a, lambda: lessons_of(other)[0])
    course_b = make_course(tenant=tenant_b, owner=make_person(Role.INSTRUCTOR, tenant=tenant_b))
    lesson_b = in_a(tenant_b, lambda: lessons_of(course_b)[0])
    before = enrollment_rows(tenant_a)
    client = api(learner)
    for lesson in (other_lesson, lesson_b):
        response = client.put(url(enrollment, lesson), {"time_spent_delta": 5})
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "lesson_not_found"
    huge = client.put(
        f"/api/v1/enrollments/{enrollment.pk}/lessons/99999999999999999999/progress", {}
    )
    assert huge.status_code == 404
    assert enrollment_rows(tenant_a) == before


def test_other_tenants_enrollment_is_404(api, make_person, make_course, tenant_a, tenant_b):
    learner_b = make_person(tenant=tenant_b)
    course_b = make_course(tenant=tenant_b, owner=make_person(Role.INSTRUCTOR, tenant=tenant_b))

    def arrange():
        enrollment = enrollments.enrollment_self_enroll(user=learner_b, course=course_b)
        return enrollment, lessons_of(course_b)[0]

    enrollment_b, lesson_b = in_a(tenant_b, arrange)
    client = api(make_person())
    before_a, before_b = enrollment_rows(tenant_a), enrollment_rows(tenant_b)
    assert client.put(url(enrollment_b, lesson_b), {"time_spent_delta": 5}).status_code == 404
    assert client.get(f"/api/v1/enrollments/{enrollment_b.pk}/progress").status_code == 404
    assert (enrollment_rows(tenant_a), enrollment_rows(tenant_b)) == (before_a, before_b)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"time_spent_delta": -1}, "time_spent_delta"),
        ({"time_spent_delta": "a while"}, "time_spent_delta"),
        ({"time_spent_delta": 86_401}, "time_spent_delta"),
        ({"time_spent_delta": 10**30}, "time_spent_delta"),
        ({"last_position_seconds": -3}, "last_position_seconds"),
        ({"last_position_seconds": 2**31}, "last_position_seconds"),
        ({"last_position_seconds": [1]}, "last_position_seconds"),
        ({"completed": "perhaps"}, "completed"),
    ],
)
def test_bad_input_is_400_naming_the_field(
    api, learner, enrollment, lessons, tenant_a, payload, field
):
    client = api(learner)
    before = enrollment_rows(tenant_a)
    response = client.patch(url(enrollment, lessons[0]), payload, format="json")
    assert response.status_code == 400
    assert [d["field"] for d in response.json()["error"]["details"]] == [field]
    assert enrollment_rows(tenant_a) == before


def test_non_object_bodies_are_400_not_500(api, learner, enrollment, lessons, tenant_a):
    client = api(learner)
    before = enrollment_rows(tenant_a)
    for raw in ("[1, 2]", '"text"', "not json"):
        response = client.generic(
            "PATCH", url(enrollment, lessons[0]), raw, content_type="application/json"
        )
        assert response.status_code == 400, raw
    assert enrollment_rows(tenant_a) == before
