"""The course builder and its lesson editors (`/teach/`): who may open them, what each form
does through the course services, refusals shown beside their fields, and a fixed number
of queries however large the course."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tenant_apps.courses.models import Course, CourseStatus, Lesson, LessonKind, Section
from tests.tenant_apps.courses.conftest import build, course_rows, image_upload

pytestmark = pytest.mark.django_db


def lesson_titles(section: Section) -> list[str]:
    return list(
        Lesson.objects.filter(section=section).order_by("position").values_list("title", flat=True)
    )


def test_the_builder_shows_the_outline_and_forms(portal, author, tenant_a):
    with schema_context(tenant_a.schema):
        course = build(author, title="Intro to Python", sections=2, lessons=2)
    response = portal(author).get(f"/teach/courses/{course.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Intro to Python" in html
    assert html.count('data-id="') == 2 + 4
    assert "vendor/Sortable.min.js" in html
    assert "Move up" in html and "Move down" in html
