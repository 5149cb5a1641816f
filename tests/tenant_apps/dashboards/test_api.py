"""Dashboards for instructors, learners and admins: exact figures, bounded queries."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_apps.people.models import Role
from tests.builders import course_build
from tests.tenant_apps.dashboards.conftest import finish


def test_instructor_sees_own_courses(api, school):
    body = api(school["ivan"]).get("/api/v1/dashboards/instructor").json()
    assert {k: v for k, v in body.items() if k != "courses"} == {
        "courses_total": 4,
        "courses_published": 2,
        "courses_draft": 1,
        "courses_archived": 1,
        "enrollments": 3,
        "learners_active_30d": 2,
    }
    basics = next(c for c in body["courses"] if c["title"] == "Basics")
    assert basics == {
        "course_id": school["basics"].pk,
        "title": "Basics",
        "status": "published",
        "enrollments": 2,
        "completed": 1,
        "completion_rate": 0.5,
        "average_quiz_score": None,
        "active_learners_30d": 2,
    }
    advanced = next(c for c in body["courses"] if c["title"] == "Advanced")
    assert (advanced["enrollments"], advanced["completed"], advanced["completion_rate"]) == (
        1,
        0,
        0.0,
    )
    assert "Cora's course" not in [c["title"] for c in body["courses"]]


def test_learner_sees_progress_and_what_is_due(api, school):
    body = api(school["lena"]).get("/api/v1/dashboards/learner").json()
    assert (body["active"], body["completed"], body["pending"]) == (1, 1, 0)
    assert sorted(
        (c["course_title"], c["status"], c["progress_percent"]) for c in body["courses"]
    ) == [("Basics", "completed", 100), ("Cora's course", "active", 0)]
    assert body["due_soon"] == []

    noor = api(school["noor"]).get("/api/v1/dashboards/learner").json()
    assert [c["course_title"] for c in noor["due_soon"]] == ["Advanced"]


def test_admin_sees_the_whole_tenant(api, school):
    body = api(school["admin"]).get("/api/v1/dashboards/admin?days=7").json()
    assert body["users_by_role"]["learner"] == {"active": 3, "inactive": 0}
    assert body["users_by_role"]["instructor"] == {"active": 1, "inactive": 0}
    assert body["courses_by_status"] == {"draft": 1, "published": 3, "archived": 1}
    assert body["enrollments_by_status"] == {
        "pending": 0,
        "active": 3,
        "completed": 1,
        "cancelled": 0,
    }
    assert len(body["completions_by_day"]) == 7
    assert body["completions_by_day"][-1] == {
        "date": timezone.now().date().isoformat(),
        "completions": 1,
    }


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/api/v1/dashboards/instructor", {Role.ADMIN, Role.INSTRUCTOR, Role.CONTENT_CREATOR}),
        ("/api/v1/dashboards/learner", set(Role)),
        ("/api/v1/dashboards/admin", {Role.ADMIN}),
    ],
)
def test_who_sees_which_dashboard(api, make_person, path, allowed):
    for role in Role:
        status = api(make_person(role)).get(path).status_code
        assert status == (200 if role in allowed else 403), (role, path)


def test_days_is_validated(api, make_person):
    response = api(make_person(Role.ADMIN)).get("/api/v1/dashboards/admin?days=0")
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "days"


def data_queries(counted) -> int:
    """Queries for the dashboard itself: not the search_path the connection may need."""
    return sum(1 for q in counted.captured_queries if not q["sql"].startswith("SET "))


def test_queries_do_not_grow_with_data(
    api, school, tenant_a, make_person, django_assert_max_num_queries
):
    clients = {
        "instructor": api(school["ivan"]),
        "learner": api(school["lena"]),
        "admin": api(school["admin"]),
    }
    before = {}
    for name, client in clients.items():
        client.get(f"/api/v1/dashboards/{name}")  # warms the route map

        with django_assert_max_num_queries(12) as counted:
            client.get(f"/api/v1/dashboards/{name}")
        before[name] = data_queries(counted)

    with schema_context(tenant_a.schema):
        from tenant_apps.enrollments.services import enrollment_self_enroll

        for number in range(6):
            course = course_build(owner=school["ivan"], title=f"More {number}")
            learner = make_person(email=f"extra{number}@example.com")
            finish(enrollment_self_enroll(user=learner, course=course), learner)
            finish(
                enrollment_self_enroll(user=school["lena"], course=course),
                school["lena"],
                lessons=1,
            )
    for name, client in clients.items():
        with django_assert_max_num_queries(12) as counted:
            client.get(f"/api/v1/dashboards/{name}")
        assert data_queries(counted) == before[name], name


def test_average_quiz_score_per_course(api, make_person, tenant_a):
    from tenant_apps.assessments import services as assessments
    from tenant_apps.enrollments.services import enrollment_self_enroll
    from tests.tenant_apps.assessments.conftest import add_single_choice, option_id, quiz_course

    owner = make_person(Role.INSTRUCTOR)
    right, wrong = make_person(), make_person()
    with schema_context(tenant_a.schema):
        setup = quiz_course(owner=owner, title="Geography")
        question = add_single_choice(setup.quiz, points=1)
        for learner, answer in ((right, "Paris"), (wrong, "Lyon")):
            enrollment_self_enroll(user=learner, course=setup.course)
            attempt, _new = assessments.attempt_start(quiz=setup.quiz, learner=learner)
            assessments.attempt_answers_save(
                attempt=attempt,
                learner=learner,
                answers=[
                    {
                        "question_id": question.pk,
                        "response": {"option_id": option_id(question, answer)},
                    }
                ],
            )
            assessments.attempt_submit(attempt=attempt, learner=learner)
    body = api(owner).get("/api/v1/dashboards/instructor").json()
    (geography,) = body["courses"]
    assert geography["average_quiz_score"] == 50.0
    assert (geography["enrollments"], geography["completed"]) == (2, 1)
