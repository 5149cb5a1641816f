"""Fixtures for enrollments and progress: people of each role and published courses with
sections and lessons, built directly with the ORM (the courses services are someone else's
work in progress)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_apps.courses.models import Course, CourseStatus, Lesson, LessonKind, Section
from tenant_apps.people.models import User

_numbers = itertools.count(1)


def course_build(
    *,
    owner: User,
    title: str | None = None,
    price: Decimal | str = "0.00",
    status: str = CourseStatus.PUBLISHED,
    lessons: Sequence[str] = (LessonKind.VIDEO, LessonKind.TEXT),
    optional: Sequence[int] = (),
    sections: int = 1,
) -> Course:
    """A course in the current schema; lesson `i` (0-based) goes to section `i % sections`,
    lessons whose index is in `optional` are not required. Videos last 600 s."""
    number = next(_numbers)
    course = Course.objects.create(
        title=title or f"Course {number}",
        slug=f"course-{number}",
        price=Decimal(price),
        currency="EUR",
        status=status,
        owner=owner,
        published_at=timezone.now() if status == CourseStatus.PUBLISHED else None,
    )
    parts = [
        Section.objects.create(course=course, title=f"Part {n + 1}", position=n + 1)
        for n in range(sections)
    ]
    for index, kind in enumerate(lessons):
        Lesson.objects.create(
            section=parts[index % sections],
            course=course,
            title=f"Lesson {index + 1}",
            kind=kind,
            position=index // sections + 1,
            is_required=index not in optional,
            duration_seconds=600 if kind == LessonKind.VIDEO else 0,
        )
    return course


def lessons_of(course: Course) -> list[Lesson]:
    """The course's lessons in the order they were built."""
    return list(Lesson.objects.filter(course=course).order_by("pk"))


@pytest.fixture
def make_course(tenant_a, instructor):
    """Build a course in a tenant (tenant A unless told), owned by the instructor unless
    told."""

    def make(tenant=None, **options) -> Course:
        options.setdefault("owner", instructor)
        with schema_context((tenant or tenant_a).schema):
            return course_build(**options)

    return make
