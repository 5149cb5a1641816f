"""My learning: one's enrollments by status with progress and due dates; nobody else's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_apps.enrollments.services import (
    enrollment_assign,
    enrollment_cancel,
    enrollment_self_enroll,
)
from tenant_apps.progress.services import lesson_progress_record
from tests.builders import course_build, lessons_of

pytestmark = pytest.mark.django_db


def _section(body: str, heading: str) -> str:
    start = body.index(heading)
    end = body.find("<section", start)
    return body[start : end if end != -1 else None]


def test_enrollments_are_grouped_by_status(portal, learner, admin, author, tenant_a):
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
    body = portal(learner).get("/learning/").content.decode()
    assert "Started course" in _section(body, ">In progress")
    assert "50%" in _section(body, ">In progress")
    fresh_part = _section(body, ">Not started")
    assert "Fresh course" in fresh_part and "Assigned" in fresh_part and "Due" in body
    assert "Paid course" in _section(body, ">Waiting for activation")
    assert "Done course" in _section(body, ">Completed")
    assert "Dropped course" in _section(body, ">Cancelled")


def test_nobody_elses_enrollments_show(portal, learner, make_person, author, tenant_a):
    other = make_person(email="olga@example.com")
    with schema_context(tenant_a.schema):
        course = course_build(owner=author, title="Olga's course")
        enrollment_self_enroll(user=other, course=course)
    body = portal(learner).get("/learning/").content.decode()
    assert "Olga&#x27;s course" not in body and "Olga's course" not in body
    assert "You are not enrolled in any course yet." in body


def test_my_learning_runs_a_bounded_number_of_queries(
    portal, learner, author, tenant_a, django_assert_max_num_queries
):
    with schema_context(tenant_a.schema):
        for _n in range(40):
            enrollment_self_enroll(user=learner, course=course_build(owner=author))
    client = portal(learner)
    with django_assert_max_num_queries(8):
        assert client.get("/learning/").status_code == 200
