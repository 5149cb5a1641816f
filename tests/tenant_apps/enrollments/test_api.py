"""The enrollments API on tenant A's host, with real bearer tokens."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from tenant_apps.courses.models import CourseStatus
from tenant_apps.enrollments import services
from tenant_apps.enrollments.models import Enrollment
from tenant_apps.people.models import LearnerGroup, Role
from tenant_apps.progress.services import lesson_progress_record
from tests.builders import lessons_of
from tests.tenant_apps.enrollments.conftest import enrollment_rows

DUE = "2031-06-30T15:00:00Z"
DUE_AT = datetime(2031, 6, 30, 15, 0, tzinfo=UTC)


def in_a(tenant, action):
    with schema_context(tenant.schema):
        return action()


@pytest.fixture
def course(make_course):
    return make_course(title="Safety Basics")


@pytest.fixture
def paid_course(make_course):
    return make_course(title="Advanced Welding", price="49.00")


# ------------------------------------------------------------------------------------------
# Self-enrollment and one's own enrollments
def test_self_enroll_in_a_free_course(
    api, learner, course, tenant_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(learner).post(f"/api/v1/courses/{course.pk}/enroll")
    assert response.status_code == 201
    body = response.json()
    with schema_context(tenant_a.schema):
        enrollment = Enrollment.objects.get()
    assert body == {
        "id": enrollment.pk,
        "status": "active",
        "source": "self",
        "user": {"id": learner.pk, "email": "lena@example.com", "full_name": "Lena Learner"},
        "course": {
            "id": course.pk,
            "title": "Safety Basics",
            "slug": course.slug,
            "status": "published",
            "price_amount": 0,
            "currency": "EUR",
            "price_display": "€0.00",
        },
        "group_id": None,
        "assigned_by_id": None,
        "due_at": None,
        "created_at": body["created_at"],
        "activated_at": body["created_at"],
        "completed_at": None,
        "cancelled_at": None,
        "progress_percent": 0,
        "required_lessons": 2,
        "completed_required_lessons": 0,
        "resume_lesson_id": None,
    }
    assert [m.subject for m in mail.outbox] == [
        "You're enrolled in Safety Basics at Alpha Learning"
    ]


def test_self_enroll_in_a_paid_course_stays_pending_and_the_learner_cannot_activate_it(
    api, learner, paid_course, tenant_a
):
    client = api(learner)
    response = client.post(f"/api/v1/courses/{paid_course.pk}/enroll")
    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    enrollment_id = response.json()["id"]
    before = enrollment_rows(tenant_a)

    activate = client.post(f"/api/v1/enrollments/{enrollment_id}/activate")
    assert activate.status_code == 403
    assert activate.json()["error"]["code"] == "permission_denied"
    patch = client.patch(f"/api/v1/enrollments/{enrollment_id}", {"status": "active"})
    assert patch.status_code == 403
    again = client.post(f"/api/v1/courses/{paid_course.pk}/enroll")
    assert again.status_code == 409
    assert enrollment_rows(tenant_a) == before


def test_enrolling_twice_is_409_and_after_cancelling_works_again(api, learner, course, tenant_a):
    client = api(learner)
    first = client.post(f"/api/v1/courses/{course.pk}/enroll").json()
    before = enrollment_rows(tenant_a)
    second = client.post(f"/api/v1/courses/{course.pk}/enroll")
    assert second.status_code == 409
    assert second.json() == {
        "error": {
            "code": "already_enrolled",
            "message": "Already enrolled in this course.",
            "details": [],
        }
    }
    assert enrollment_rows(tenant_a) == before
    cancelled = client.post(f"/api/v1/enrollments/{first['id']}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    third = client.post(f"/api/v1/courses/{course.pk}/enroll")
    assert third.status_code == 201
    assert third.json()["id"] != first["id"]
    mine = client.get("/api/v1/me/enrollments").json()
    assert [(e["id"], e["status"]) for e in mine["results"]] == [
        (third.json()["id"], "active"),
        (first["id"], "cancelled"),
    ]


@pytest.mark.parametrize("status", [CourseStatus.DRAFT, CourseStatus.ARCHIVED])
def test_a_course_the_learner_may_not_see_is_404_like_an_unknown_id(
    api, learner, make_course, tenant_a, status
):
    course = make_course(status=status)
    client = api(learner)
    before = enrollment_rows(tenant_a)
    hidden = client.post(f"/api/v1/courses/{course.pk}/enroll")
    unknown = client.post(f"/api/v1/courses/{course.pk + 1_000_000}/enroll")
    assert (hidden.status_code, hidden.json()) == (unknown.status_code, unknown.json())
    assert hidden.json() == {
        "error": {"code": "course_not_found", "message": "No such course.", "details": []}
    }
    assert hidden.status_code == 404
    assert enrollment_rows(tenant_a) == before


@pytest.mark.parametrize("status", [CourseStatus.DRAFT, CourseStatus.ARCHIVED])
def test_those_who_see_an_unpublished_course_learn_why_they_cannot_enrol(
    api, instructor, make_course, tenant_a, status
):
    course = make_course(status=status)
    client = api(instructor)
    before = enrollment_rows(tenant_a)
    response = client.post(f"/api/v1/courses/{course.pk}/enroll")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "course_not_published"
    assert enrollment_rows(tenant_a) == before


def test_other_tenants_course_is_404(api, learner, make_course, make_person, tenant_a, tenant_b):
    owner_b = make_person(Role.INSTRUCTOR, tenant=tenant_b)
    course_b = make_course(tenant=tenant_b, owner=owner_b)
    client = api(learner)
    before_a, before_b = enrollment_rows(tenant_a), enrollment_rows(tenant_b)
    response = client.post(f"/api/v1/courses/{course_b.pk}/enroll")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "course_not_found"
    assert (enrollment_rows(tenant_a), enrollment_rows(tenant_b)) == (before_a, before_b)


def test_my_enrollments_show_progress_and_filter_by_status(api, learner, make_course, tenant_a):
    three = make_course(lessons=["video", "text", "text"])
    done = make_course()
    pending = make_course(price="5.00")

    def arrange():
        active = services.enrollment_self_enroll(user=learner, course=three)
        lesson_progress_record(
            enrollment=active, lesson=lessons_of(three)[1], learner=learner, completed=True
        )
        finished = services.enrollment_self_enroll(user=learner, course=done)
        services.enrollment_complete(enrollment=finished, actor=learner)
        waiting = services.enrollment_self_enroll(user=learner, course=pending)
        return active, finished, waiting

    active, finished, waiting = in_a(tenant_a, arrange)
    client = api(learner)
    everything = client.get("/api/v1/me/enrollments").json()
    assert everything["count"] == 3
    assert [
        (e["id"], e["status"], e["progress_percent"], e["resume_lesson_id"])
        for e in everything["results"]
    ] == [
        (waiting.pk, "pending", 0, None),
        (finished.pk, "completed", 100, None),
        (active.pk, "active", 33, lessons_of_in(tenant_a, three)[1].pk),
    ]
    only_active = client.get("/api/v1/me/enrollments?status=active").json()
    assert [e["id"] for e in only_active["results"]] == [active.pk]
    bad = client.get("/api/v1/me/enrollments?status=paused")
    assert bad.status_code == 400
    assert [d["field"] for d in bad.json()["error"]["details"]] == ["status"]


def lessons_of_in(tenant, course):
    return in_a(tenant, lambda: lessons_of(course))


def test_someone_elses_enrollments_are_not_in_mine(api, learner, make_person, course, tenant_a):
    other = make_person()
    in_a(tenant_a, lambda: services.enrollment_self_enroll(user=other, course=course))
    assert api(learner).get("/api/v1/me/enrollments").json()["results"] == []


# ------------------------------------------------------------------------------------------
# The staff list
@pytest.fixture
def two_courses(make_course, make_person, instructor, tenant_a):
    """Ivan's course with two learners, another instructor's course with one."""
    other_instructor = make_person(Role.INSTRUCTOR, email="olga@example.com")
    mine = make_course(title="Ivan's course")
    theirs = make_course(title="Olga's course", owner=other_instructor)
    a, b, c = (make_person(email=f"{n}@example.com") for n in ("a", "b", "c"))

    def arrange():
        return (
            services.enrollment_self_enroll(user=a, course=mine),
            services.enrollment_assign(user=b, course=mine, actor=instructor, due_at=DUE_AT),
            services.enrollment_self_enroll(user=c, course=theirs),
        )

    return mine, theirs, (a, b, c), in_a(tenant_a, arrange)


def test_admin_lists_every_enrollment_instructor_their_courses(api, admin, instructor, two_courses):
    mine, _theirs, _people, (e1, e2, e3) = two_courses
    everyone = api(admin).get("/api/v1/enrollments").json()
    assert [e["id"] for e in everyone["results"]] == [e3.pk, e2.pk, e1.pk]
    ivan = api(instructor).get("/api/v1/enrollments").json()
    assert [e["id"] for e in ivan["results"]] == [e2.pk, e1.pk]
    assert {e["course"]["id"] for e in ivan["results"]} == {mine.pk}


@pytest.mark.parametrize("role", [Role.LEARNER, Role.CONTENT_CREATOR])
def test_learners_and_content_creators_cannot_list_enrollments(api, make_person, two_courses, role):
    response = api(make_person(role)).get("/api/v1/enrollments")
    assert response.status_code == 403


def test_staff_list_filters(api, admin, two_courses):
    _mine, theirs, (_a, b, _c), (e1, e2, e3) = two_courses
    client = api(admin)

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/enrollments?{query}")
        assert response.status_code == 200, response.json()
        return [e["id"] for e in response.json()["results"]]

    assert ids(f"course={theirs.pk}") == [e3.pk]
    assert ids(f"user={b.pk}") == [e2.pk]
    assert ids("status=active") == [e3.pk, e2.pk, e1.pk]
    assert ids("status=completed") == []
    assert ids("due_before=2031-07-01T00:00:00Z") == [e2.pk]
    assert ids("due_before=2031-06-30T15:00:00Z") == []
    # An offset PostgreSQL cannot take (it allows up to 15:59) is compared in UTC.
    assert ids("due_before=2031-07-01T18:15:00%2B18:15") == [e2.pk]
    assert ids("search=olga") == [e3.pk]  # the course title
    assert ids("search=b@example") == [e2.pk]  # the person's e-mail
    assert ids("ordering=created_at") == [e1.pk, e2.pk, e3.pk]
    assert ids("ordering=due_at")[0] == e2.pk  # the others have none


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("due_before=tomorrow", "due_before"),
        ("due_before=0001-01-01T00:00:00%2B18:15", "due_before"),  # before year 1 in UTC
        ("course=abc", "course"),
        ("user=99999999999999999999999", "user"),
        ("status=paused", "status"),
    ],
)
def test_bad_filters_are_400_naming_the_field(api, admin, query, field):
    response = api(admin).get(f"/api/v1/enrollments?{query}")
    assert response.status_code == 400
    assert [d["field"] for d in response.json()["error"]["details"]] == [field]


def assert_bounded(client, url: str, sizes: tuple[int, int], assert_max_queries) -> None:
    """The same number of queries for a page of 5 and a page of 50."""
    client.get(url)  # routing and sign-in caches warm, as in steady state
    with assert_max_queries(4) as small:
        page = client.get(f"{url}?page_size=5")
    assert len(page.json()["results"]) == sizes[0]
    with assert_max_queries(4) as large:
        page = client.get(f"{url}?page_size=50")
    assert len(page.json()["results"]) == sizes[1]
    assert len(small.captured_queries) == len(large.captured_queries)


def test_lists_run_the_same_queries_for_any_page_size(
    api, admin, learner, make_course, make_person, tenant_a, django_assert_max_num_queries
):
    courses = [make_course(lessons=["video", "text", "quiz"]) for _ in range(12)]
    people = [make_person() for _ in range(4)]

    def arrange():
        for n, person in enumerate([*people, learner]):
            for course in courses:
                enrollment = services.enrollment_assign(user=person, course=course, actor=admin)
                if n % 2:
                    lesson_progress_record(
                        enrollment=enrollment,
                        lesson=lessons_of(course)[0],
                        learner=person,
                        time_spent_delta=30,
                        completed=True,
                    )

    in_a(tenant_a, arrange)
    assert_bounded(api(admin), "/api/v1/enrollments", (5, 50), django_assert_max_num_queries)
    assert_bounded(api(learner), "/api/v1/me/enrollments", (5, 12), django_assert_max_num_queries)


# ------------------------------------------------------------------------------------------
# One enrollment
def test_detail_for_the_learner_and_those_who_manage_it_only(
    api, admin, instructor, learner, make_person, course, tenant_a
):
    enrollment = in_a(
        tenant_a, lambda: services.enrollment_self_enroll(user=learner, course=course)
    )
    url = f"/api/v1/enrollments/{enrollment.pk}"
    assert api(learner).get(url).json()["id"] == enrollment.pk
    assert api(admin).get(url).status_code == 200
    assert api(instructor).get(url).status_code == 200  # Ivan owns the course
    other_instructor = make_person(Role.INSTRUCTOR)
    assert api(other_instructor).get(url).status_code == 404
    stranger = api(make_person()).get(url)
    assert stranger.status_code == 404
    assert stranger.json()["error"]["code"] == "enrollment_not_found"
    assert api(learner).get("/api/v1/enrollments/99999999999999999999999").status_code == 404


def test_other_tenants_enrollment_is_404_and_unchanged(
    api, admin, make_person, make_course, tenant_a, tenant_b
):
    learner_b = make_person(tenant=tenant_b)
    course_b = make_course(tenant=tenant_b, owner=make_person(Role.INSTRUCTOR, tenant=tenant_b))
    enrollment_b = in_a(
        tenant_b, lambda: services.enrollment_self_enroll(user=learner_b, course=course_b)
    )
    client = api(admin)
    before_a, before_b = enrollment_rows(tenant_a), enrollment_rows(tenant_b)
    for method, url in [
        ("get", f"/api/v1/enrollments/{enrollment_b.pk}"),
        ("patch", f"/api/v1/enrollments/{enrollment_b.pk}"),
        ("post", f"/api/v1/enrollments/{enrollment_b.pk}/cancel"),
        ("post", f"/api/v1/enrollments/{enrollment_b.pk}/activate"),
    ]:
        assert getattr(client, method)(url, {"due_at": DUE}).status_code == 404, url
    assigned = client.post(
        "/api/v1/enrollments", {"user_id": learner_b.pk, "course_id": course_b.pk}
    )
    assert assigned.status_code == 404
    assert (enrollment_rows(tenant_a), enrollment_rows(tenant_b)) == (before_a, before_b)


def test_due_date_is_changed_by_whoever_manages_it(api, admin, learner, course, tenant_a):
    enrollment = in_a(
        tenant_a, lambda: services.enrollment_assign(user=learner, course=course, actor=admin)
    )
    url = f"/api/v1/enrollments/{enrollment.pk}"
    changed = api(admin).patch(url, {"due_at": DUE})
    assert changed.status_code == 200
    assert changed.json()["due_at"] == DUE
    before = enrollment_rows(tenant_a)
    bad = api(admin).patch(url, {"due_at": "soon"})
    assert bad.status_code == 400
    assert [d["field"] for d in bad.json()["error"]["details"]] == ["due_at"]
    past = api(admin).patch(url, {"due_at": "2001-01-01T00:00:00Z"})
    assert past.status_code == 400
    assert past.json()["error"]["details"] == [
        {"field": "due_at", "message": "Choose a due date in the future."}
    ]
    assert api(learner).patch(url, {"due_at": None}).status_code == 403
    assert enrollment_rows(tenant_a) == before
    cleared = api(admin).patch(url, {"due_at": None})
    assert cleared.json()["due_at"] is None


# ------------------------------------------------------------------------------------------
# Cancelling
def test_learner_drops_a_course_they_chose_but_not_one_assigned(
    api, admin, learner, course, make_course, tenant_a
):
    assigned_course = make_course()

    def arrange():
        return (
            services.enrollment_self_enroll(user=learner, course=course),
            services.enrollment_assign(user=learner, course=assigned_course, actor=admin),
        )

    chosen, assigned = in_a(tenant_a, arrange)
    client = api(learner)
    dropped = client.post(f"/api/v1/enrollments/{chosen.pk}/cancel")
    assert dropped.status_code == 200
    assert dropped.json()["status"] == "cancelled"

    before = enrollment_rows(tenant_a)
    refused = client.post(f"/api/v1/enrollments/{assigned.pk}/cancel")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "not_allowed"
    assert enrollment_rows(tenant_a) == before

    by_admin = api(admin).post(f"/api/v1/enrollments/{assigned.pk}/cancel")
    assert by_admin.json()["status"] == "cancelled"
    assert in_a(tenant_a, lambda: Enrollment.objects.get(pk=assigned.pk).cancelled_by_id) == (
        admin.pk
    )


def test_nobody_else_cancels_and_completed_is_409(
    api, admin, learner, make_person, course, tenant_a
):
    enrollment = in_a(
        tenant_a, lambda: services.enrollment_self_enroll(user=learner, course=course)
    )
    url = f"/api/v1/enrollments/{enrollment.pk}/cancel"
    stranger, other_instructor = api(make_person()), api(make_person(Role.INSTRUCTOR))
    before = enrollment_rows(tenant_a)
    assert stranger.post(url).status_code == 404
    assert other_instructor.post(url).status_code == 404
    assert enrollment_rows(tenant_a) == before

    in_a(tenant_a, lambda: services.enrollment_complete(enrollment=enrollment, actor=learner))
    before = enrollment_rows(tenant_a)
    completed = api(admin).post(url)
    assert completed.status_code == 409
    assert completed.json()["error"]["code"] == "invalid_transition"
    assert enrollment_rows(tenant_a) == before


# ------------------------------------------------------------------------------------------
# Assigning
def test_admin_assigns_a_paid_course_with_a_due_date(
    api, admin, learner, paid_course, tenant_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(admin).post(
            "/api/v1/enrollments",
            {"user_id": learner.pk, "course_id": paid_course.pk, "due_at": DUE},
        )
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["source"], body["due_at"]) == ("active", "assigned", DUE)
    assert (body["user"]["id"], body["assigned_by_id"]) == (learner.pk, admin.pk)
    assert [m.subject for m in mail.outbox] == [
        "Alpha Learning assigned you Advanced Welding, due 30 June 2031, 17:00 CEST"
    ]


def test_instructor_assigns_their_own_course_only(
    api, instructor, learner, course, make_course, make_person, tenant_a
):
    others = make_course(owner=make_person(Role.INSTRUCTOR))
    client = api(instructor)
    ok = client.post("/api/v1/enrollments", {"user_id": learner.pk, "course_id": course.pk})
    assert ok.status_code == 201
    before = enrollment_rows(tenant_a)
    refused = client.post("/api/v1/enrollments", {"user_id": learner.pk, "course_id": others.pk})
    assert refused.status_code == 403
    assert enrollment_rows(tenant_a) == before


@pytest.mark.parametrize("role", [Role.LEARNER, Role.CONTENT_CREATOR])
def test_learners_and_content_creators_cannot_assign(
    api, make_person, learner, course, tenant_a, role
):
    client = api(make_person(role))
    before = enrollment_rows(tenant_a)
    assert (
        client.post("/api/v1/enrollments", {"user_id": learner.pk, "course_id": course.pk})
    ).status_code == 403
    assert (
        client.post(f"/api/v1/courses/{course.pk}/assign-group", {"group_id": 1}).status_code == 403
    )
    assert enrollment_rows(tenant_a) == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "user_id"),
        ({"user_id": "me", "course_id": 1}, "user_id"),
        ({"user_id": 1, "course_id": -4}, "course_id"),
        ({"user_id": 1, "course_id": 2**70}, "course_id"),
        ({"user_id": 1, "course_id": 1, "due_at": "next week"}, "due_at"),
        ({"user_id": 1, "course_id": 1, "due_at": ["2031-01-01"]}, "due_at"),
    ],
)
def test_assignment_input_is_checked_field_by_field(api, admin, tenant_a, payload, field):
    client = api(admin)
    before = enrollment_rows(tenant_a)
    response = client.post("/api/v1/enrollments", payload, format="json")
    assert response.status_code == 400
    assert field in {d["field"] for d in response.json()["error"]["details"]}
    assert enrollment_rows(tenant_a) == before


def test_assignment_of_unknown_people_or_courses_is_404_naming_the_field(
    api, admin, learner, course, tenant_a
):
    client = api(admin)
    before = enrollment_rows(tenant_a)
    nobody = client.post("/api/v1/enrollments", {"user_id": 999_999, "course_id": course.pk})
    assert nobody.status_code == 404
    assert nobody.json()["error"] == {
        "code": "user_not_found",
        "message": "No such person.",
        "details": [{"field": "user_id", "message": "No such person."}],
    }
    nothing = client.post("/api/v1/enrollments", {"user_id": learner.pk, "course_id": 999_999})
    assert nothing.status_code == 404
    assert nothing.json()["error"]["details"][0]["field"] == "course_id"
    past = client.post(
        "/api/v1/enrollments",
        {"user_id": learner.pk, "course_id": course.pk, "due_at": "2001-01-01T00:00:00Z"},
    )
    assert past.status_code == 400
    assert enrollment_rows(tenant_a) == before
    client.post("/api/v1/enrollments", {"user_id": learner.pk, "course_id": course.pk})
    before = enrollment_rows(tenant_a)
    twice = client.post("/api/v1/enrollments", {"user_id": learner.pk, "course_id": course.pk})
    assert twice.status_code == 409
    assert twice.json()["error"]["details"] == [
        {"field": "user_id", "message": "This person is already enrolled."}
    ]
    assert enrollment_rows(tenant_a) == before


def test_assign_a_group(
    api, admin, make_person, course, tenant_a, django_capture_on_commit_callbacks
):
    members = [make_person(email=f"m{n}@example.com") for n in range(3)]

    def arrange():
        group = LearnerGroup.objects.create(name="Night shift")
        group.members.add(*members)
        services.enrollment_self_enroll(user=members[0], course=course)
        return group

    group = in_a(tenant_a, arrange)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(admin).post(
            f"/api/v1/courses/{course.pk}/assign-group", {"group_id": group.pk, "due_at": DUE}
        )
    assert response.status_code == 200
    body = response.json()
    created = in_a(
        tenant_a,
        lambda: sorted(Enrollment.objects.filter(group=group).values_list("pk", flat=True)),
    )
    assert body == {
        "enrolled": 2,
        "activated": 0,
        "already_enrolled": 1,
        "inactive_skipped": 0,
        "enrollment_ids": created,
    }
    assert sorted(m.to[0] for m in mail.outbox) == ["m1@example.com", "m2@example.com"]

    before = enrollment_rows(tenant_a)
    unknown = api(admin).post(f"/api/v1/courses/{course.pk}/assign-group", {"group_id": 999_999})
    assert unknown.status_code == 404
    assert unknown.json()["error"]["details"][0]["field"] == "group_id"
    assert (
        api(admin).post("/api/v1/courses/999999/assign-group", {"group_id": 1}).status_code == 404
    )
    missing = api(admin).post(f"/api/v1/courses/{course.pk}/assign-group", {})
    assert missing.status_code == 400
    assert [d["field"] for d in missing.json()["error"]["details"]] == ["group_id"]
    assert enrollment_rows(tenant_a) == before


# ------------------------------------------------------------------------------------------
# Activating (admins stand in for billing)
def test_admin_activates_a_pending_enrollment(
    api, admin, instructor, learner, paid_course, tenant_a, django_capture_on_commit_callbacks
):
    pending = in_a(
        tenant_a, lambda: services.enrollment_self_enroll(user=learner, course=paid_course)
    )
    url = f"/api/v1/enrollments/{pending.pk}/activate"
    before = enrollment_rows(tenant_a)
    assert api(instructor).post(url).status_code == 403
    assert enrollment_rows(tenant_a) == before

    with django_capture_on_commit_callbacks(execute=True):
        response = api(admin).post(url)
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    assert [m.to for m in mail.outbox] == [["lena@example.com"]]
    assert api(admin).post(url).json()["status"] == "active"

    api(admin).post(f"/api/v1/enrollments/{pending.pk}/cancel")
    before = enrollment_rows(tenant_a)
    cancelled = api(admin).post(url)
    assert cancelled.status_code == 409
    assert cancelled.json()["error"]["code"] == "invalid_transition"
    assert enrollment_rows(tenant_a) == before


def test_schema_documents_the_endpoints(api, admin):
    schema = api(admin).get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in [
        "/api/v1/courses/{course_id}/enroll",
        "/api/v1/courses/{course_id}/assign-group",
        "/api/v1/me/enrollments",
        "/api/v1/enrollments",
        "/api/v1/enrollments/{enrollment_id}",
        "/api/v1/enrollments/{enrollment_id}/cancel",
        "/api/v1/enrollments/{enrollment_id}/activate",
    ]:
        assert path in paths, path


HUGE = "9" * 30


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("post", f"/api/v1/courses/{HUGE}/enroll", None),
        ("post", f"/api/v1/courses/{HUGE}/assign-group", {"group_id": 1}),
        ("get", f"/api/v1/enrollments/{HUGE}", None),
        ("post", f"/api/v1/enrollments/{HUGE}/cancel", None),
        ("post", f"/api/v1/enrollments/{HUGE}/activate", None),
        ("post", "/api/v1/enrollments", [1, 2]),
        ("post", "/api/v1/enrollments", "text"),
        ("post", "/api/v1/enrollments", {"user_id": None, "course_id": True}),
        ("post", "/api/v1/enrollments", {"user_id": 1.5, "course_id": "1e3"}),
        ("post", "/api/v1/enrollments", {"user_id": 1, "course_id": 1, "due_at": 12}),
        ("get", f"/api/v1/enrollments?course={HUGE}&page=abc", None),
        ("get", "/api/v1/enrollments?due_before=2031-13-45T99:00:00Z", None),
        ("get", "/api/v1/enrollments?ordering=user__password", None),
        ("get", "/api/v1/me/enrollments?course=-1&status=", None),
        ("get", "/api/v1/me/enrollments?page_size=100000", None),
    ],
)
def test_no_input_gives_a_server_error(api, admin, course, tenant_a, method, path, payload):
    before = enrollment_rows(tenant_a)
    response = getattr(api(admin), method)(path, payload, format="json")
    assert response.status_code < 500
    assert "error" in response.json() or response.status_code == 200
    assert enrollment_rows(tenant_a) == before
