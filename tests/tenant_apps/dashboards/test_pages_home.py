"""The learner's home: continue where you left off, due soon, progress; empty states."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_apps.enrollments.services import enrollment_assign, enrollment_self_enroll
from tenant_apps.progress.services import lesson_progress_record
from tests.builders import course_build, lessons_of

pytestmark = pytest.mark.django_db


def test_home_is_at_the_root_and_where_sign_in_leads(settings):
    assert reverse("home") == "/"
    assert settings.LOGIN_REDIRECT_URL == "home"


def test_an_empty_home_points_to_the_catalogue(portal, learner):
    response = portal(learner).get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "You are not taking a course yet." in body and 'href="/courses/"' in body
    assert 'href="/" aria-current="page">Home' in body


def test_home_shows_where_to_continue_and_what_is_due(portal, learner, admin, author, tenant_a):
    with schema_context(tenant_a.schema):
        course = course_build(owner=author, title="Owls <b>at</b> night")
        video = lessons_of(course)[0]
        enrollment = enrollment_self_enroll(user=learner, course=course)
        lesson_progress_record(
            enrollment=enrollment, lesson=video, learner=learner, last_position_seconds=30
        )
        due = course_build(owner=author, title="Fire safety")
        enrollment_assign(
            course=due, user=learner, actor=admin, due_at=timezone.now() + timedelta(days=2)
        )
    body = portal(learner).get("/").content.decode()
    assert f'href="/courses/{course.pk}/lessons/{video.pk}/"' in body
    assert "Owls &lt;b&gt;at&lt;/b&gt; night" in body
    due_part = body[body.index("Due soon") :]
    assert "Fire safety" in due_part
    assert f'href="/courses/{due.pk}/continue/"' in body


def test_signed_out_people_sign_in_first(portal):
    response = portal().get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_home_runs_a_bounded_number_of_queries(
    portal, learner, author, tenant_a, django_assert_max_num_queries
):
    with schema_context(tenant_a.schema):
        for _n in range(40):
            course = course_build(owner=author)
            enrollment = enrollment_self_enroll(user=learner, course=course)
            lesson_progress_record(
                enrollment=enrollment, lesson=lessons_of(course)[0], learner=learner
            )
    client = portal(learner)
    with django_assert_max_num_queries(10):
        assert client.get("/").status_code == 200
