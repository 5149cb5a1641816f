"""My learning: one's enrollments, one group (by status) at a time with a count of each,
20 a page, with progress and due dates; nobody else's; a bounded number of queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_apps.enrollments.models import Enrollment, EnrollmentSource, EnrollmentStatus
from tenant_apps.enrollments.services import (
    enrollment_assign,
    enrollment_cancel,
    enrollment_self_enroll,
)
from tenant_apps.progress.services import lesson_progress_record
from tests.builders import course_build, lessons_of

pytestmark = pytest.mark.django_db

GROUPS = {
    "in-progress": "In progress",
    "not-started": "Not started",
    "pending": "Waiting for activation",
    "completed": "Completed",
    "cancelled": "Cancelled",
}


def _tabs(body: str) -> dict[str, int]:
    """Each group's link in the page: its `status` value → the count it shows."""
    links = re.findall(
        r'<a href="\?status=([a-z-]+)"[^>]*>[^<]*<span class="muted">\((\d+)\)', body
    )
    return {key: int(count) for key, count in links}


def _current(body: str) -> str:
    return re.search(r'<a href="\?status=([a-z-]+)"[^>]*aria-current="page"', body).group(1)


def _rows(body: str) -> int:
    return body.count('<th scope="row">')


def _enrollments(user, status: str, count: int, author) -> None:
    """`count` enrollments of `user` in `status`, each in a course of its own, created one
    minute apart (the newest last)."""
    start = timezone.now() - timedelta(days=1)
    for n in range(count):
        Enrollment.objects.create(
            user=user,
            course=course_build(owner=author, title=f"{status} {n:02d}", lessons=["text"]),
            status=status,
            source=EnrollmentSource.SELF,
            created_at=start + timedelta(minutes=n),
            completed_at=timezone.now() if status == EnrollmentStatus.COMPLETED else None,
            cancelled_at=timezone.now() if status == EnrollmentStatus.CANCELLED else None,
        )


@pytest.fixture
def one_of_each(learner, admin, author, tenant_a):
    with schema_context(tenant_a.schema):
        started = course_build(owner=author, title="Started course")
        fresh = course_build(owner=author, title="Fresh course")
        paid = course_build(owner=author, title="Paid course", price="20.00")
        dropped = course_build(owner=author, title="Dropped course")
        done = course_build(owner=author, title="Done course", lessons=["text"])
        enrollment = enrollment_self_enroll(user=learner, course=started)
        lesson_progress_record(
            enrollment=enrollment, lesson=lessons_of(started)[0], learner=learner, completed=True
        )
        enrollment_assign(
            course=fresh, user=learner, actor=admin, due_at=timezone.now() + timedelta(days=3)
        )
        enrollment_self_enroll(user=learner, course=paid)
        cancelled = enrollment_self_enroll(user=learner, course=dropped)
        enrollment_cancel(enrollment=cancelled, actor=learner)
        finished = enrollment_self_enroll(user=learner, course=done)
        lesson_progress_record(
            enrollment=finished, lesson=lessons_of(done)[0], learner=learner, completed=True
        )


def test_each_group_shows_its_enrollments_and_every_group_its_count(portal, learner, one_of_each):
    client = portal(learner)
    body = client.get("/learning/").content.decode()
    assert _tabs(body) == dict.fromkeys(GROUPS, 1)
    assert _current(body) == "in-progress"
    assert "Started course" in body and "50%" in body and "Fresh course" not in body
    expected = {
        "in-progress": "Started course",
        "not-started": "Fresh course",
        "pending": "Paid course",
        "completed": "Done course",
        "cancelled": "Dropped course",
    }
    for key, title in expected.items():
        body = client.get(f"/learning/?status={key}").content.decode()
        assert _current(body) == key
        assert f'<h2 id="group-heading">{GROUPS[key]}' in body
        assert title in body and _rows(body) == 1
        assert all(other not in body for other in expected.values() if other != title)
    body = client.get("/learning/?status=not-started").content.decode()
    assert "Assigned" in body and "Due" in body and "Start<span" in body
    assert "Continue<span" in client.get("/learning/?status=in-progress").content.decode()


def test_the_default_group_is_the_first_that_has_enrollments(portal, learner, author, tenant_a):
    with schema_context(tenant_a.schema):
        _enrollments(learner, EnrollmentStatus.COMPLETED, 2, author)
        _enrollments(learner, EnrollmentStatus.CANCELLED, 1, author)
    body = portal(learner).get("/learning/").content.decode()
    assert _current(body) == "completed"
    assert _tabs(body) == {
        "in-progress": 0,
        "not-started": 0,
        "pending": 0,
        "completed": 2,
        "cancelled": 1,
    }
    assert _rows(body) == 2


def test_an_unknown_status_shows_the_default_group(portal, learner, one_of_each):
    client = portal(learner)
    for query in ("?status=nope", "?status=", "?status=<script>", "?status=active&page=x"):
        response = client.get(f"/learning/{query}")
        assert response.status_code == 200, query
        assert _current(response.content.decode()) == "in-progress", query


def test_an_empty_group_says_so(portal, learner, author, tenant_a):
    with schema_context(tenant_a.schema):
        _enrollments(learner, EnrollmentStatus.COMPLETED, 1, author)
    body = portal(learner).get("/learning/?status=pending").content.decode()
    assert _current(body) == "pending"
    assert "You have no enrollments in this group." in body and _rows(body) == 0


def test_a_long_group_is_paged_twenty_at_a_time_keeping_the_status(
    portal, learner, author, tenant_a
):
    with schema_context(tenant_a.schema):
        _enrollments(learner, EnrollmentStatus.COMPLETED, 45, author)
    client = portal(learner)
    first = client.get("/learning/?status=completed").content.decode()
    assert _rows(first) == 20 and "Page 1 of 3" in first
    assert "completed 44" in first and "completed 25" in first and "completed 24" not in first
    assert 'href="?status=completed&amp;page=2"' in first
    second = client.get("/learning/?status=completed&page=2").content.decode()
    assert _rows(second) == 20 and "Page 2 of 3" in second
    assert 'href="?status=completed&amp;page=1"' in second
    assert 'href="?status=completed&amp;page=3"' in second
    last = client.get("/learning/?status=completed&page=3").content.decode()
    assert _rows(last) == 5 and "Page 3 of 3" in last and "completed 00" in last
    past_the_end = client.get("/learning/?status=completed&page=99").content.decode()
    assert "Page 3 of 3" in past_the_end


def test_htmx_gets_the_region_alone(portal, learner, one_of_each):
    response = portal(learner).get(
        "/learning/?status=completed",
        headers={"HX-Request": "true", "HX-Target": "learning-region"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "Done course" in body and _current(body) == "completed"
    assert "HX-Request" in response["Vary"]
    restored = portal(learner).get(
        "/learning/?status=completed",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restored.content.decode()


def test_nobody_elses_enrollments_show(portal, learner, make_person, author, tenant_a):
    other = make_person(email="olga@example.com")
    with schema_context(tenant_a.schema):
        course = course_build(owner=author, title="Olga's course")
        enrollment_self_enroll(user=other, course=course)
        _enrollments(other, EnrollmentStatus.COMPLETED, 3, author)
    client = portal(learner)
    body = client.get("/learning/").content.decode()
    assert "Olga&#x27;s course" not in body and "Olga's course" not in body
    assert "You are not enrolled in any course yet." in body
    assert 'href="/courses/"' in body
    for key in GROUPS:
        body = client.get(f"/learning/?status={key}").content.decode()
        assert "Olga" not in body and "completed 0" not in body
        assert "You are not enrolled in any course yet." in body
    with schema_context(tenant_a.schema):
        _enrollments(learner, EnrollmentStatus.COMPLETED, 1, author)
    body = client.get("/learning/?status=completed").content.decode()
    assert _tabs(body)["completed"] == 1 and _rows(body) == 1


def test_a_script_title_shows_as_text(portal, learner, author, tenant_a):
    with schema_context(tenant_a.schema):
        enrollment_self_enroll(
            user=learner, course=course_build(owner=author, title="<script>alert(1)</script>")
        )
    body = portal(learner).get("/learning/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


# The shell's own queries (up to 7 today, on a client's first request: tenant, session,
# person, branding, the notifications badge...) plus two: the five counts in one aggregate
# and the chosen page of enrollments with their progress.
QUERY_CEILING = 9


def test_my_learning_runs_a_bounded_number_of_queries(
    portal, learner, admin, author, tenant_a, django_assert_max_num_queries
):
    with schema_context(tenant_a.schema):
        for n in range(15):
            course = course_build(owner=author, lessons=["text", "text"])
            enrollment = enrollment_self_enroll(user=learner, course=course)
            if n % 2:
                lesson_progress_record(
                    enrollment=enrollment,
                    lesson=lessons_of(course)[0],
                    learner=learner,
                    completed=True,
                )
        for n in range(10):
            enrollment_assign(
                course=course_build(owner=author, lessons=["text"]),
                user=learner,
                actor=admin,
                due_at=timezone.now() + timedelta(days=n + 1),
            )
        for _n in range(5):
            enrollment_self_enroll(
                user=learner, course=course_build(owner=author, price="20.00", lessons=["text"])
            )
        _enrollments(learner, EnrollmentStatus.COMPLETED, 25, author)
        _enrollments(learner, EnrollmentStatus.CANCELLED, 5, author)
    client = portal(learner)
    counts = {"in-progress": 7, "not-started": 18, "pending": 5, "completed": 25, "cancelled": 5}
    for key, count in counts.items():
        for page in (1, 2):
            with django_assert_max_num_queries(QUERY_CEILING):
                response = client.get(f"/learning/?status={key}&page={page}")
            assert response.status_code == 200
            body = response.content.decode()
            assert _tabs(body) == counts
            assert _rows(body) == (count - 20 if count > 20 and page == 2 else min(count, 20))
    with CaptureQueriesContext(connection) as queries:
        client.get("/learning/?status=completed&page=2")
    enrollment_queries = [
        query["sql"] for query in queries if 'FROM "enrollments_enrollment"' in query["sql"]
    ]
    assert len(enrollment_queries) == 2, enrollment_queries
