"""A course titled like a script shows as text on every page that lists it, for every
persona: the portal never writes anything a person typed into a page as markup.

Each page is fetched through the whole stack (test client): the raw title must not be in
the HTML and its escaped form must. A real browser then opens the same pages and no
dialog may open (an `alert(1)` that ran would open one)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_tenants.utils import schema_context

from tenant_apps.courses.models import LessonKind
from tenant_apps.people.models import Role
from tests.builders import course_build, lessons_of

TITLE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def scripted_course(tenant_a, make_person):
    from tenant_apps.enrollments.services import enrollment_assign
    from tenant_apps.progress.services import lesson_complete

    author = make_person(Role.INSTRUCTOR, full_name="Ines Instructor")
    admin = make_person(Role.ADMIN)
    learner = make_person(Role.LEARNER)
    with schema_context(tenant_a.schema):
        course = course_build(
            owner=author,
            title=TITLE,
            lessons=(LessonKind.TEXT, LessonKind.TEXT),
            certificate_enabled=True,
        )
        lesson = lessons_of(course)[0]
        enrollment = enrollment_assign(user=learner, course=course, actor=admin)
        lesson_complete(enrollment=enrollment, lesson=lesson, actor=admin)
    return {
        "course": course,
        "lesson": lesson,
        "author": author,
        "admin": admin,
        "learner": learner,
    }


def pages_listing(world) -> dict[str, list[str]]:
    course, lesson = world["course"], world["lesson"]
    return {
        "learner": [
            reverse("home"),
            reverse("catalogue"),
            reverse("course-detail", args=[course.pk]),
            reverse("lesson-play", args=[course.pk, lesson.pk]),
            reverse("my-learning"),
            reverse("notifications"),
        ],
        "author": [
            reverse("teach-courses"),
            reverse("teach-course", args=[course.pk]),
            reverse("teach-course-analytics", args=[course.pk]),
        ],
        "admin": [
            reverse("manage-dashboard"),
            reverse("manage-enrollments"),
            reverse("manage-audit"),
        ],
    }


def test_a_script_title_is_text_on_every_page(scripted_course, portal):
    for persona, paths in pages_listing(scripted_course).items():
        client = portal(scripted_course[persona])
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (persona, path)
            html = response.content.decode()
            assert TITLE not in html, (persona, path)
            assert ESCAPED in html, (persona, path)
