"""Courses for tests, built with the real services: a course the tests use is always one the
product could have made (published only with a required lesson, archived only once
published). Every suite builds its courses here."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from core.money import Money
from tenant_apps.courses import services
from tenant_apps.courses.models import Course, CourseStatus, Lesson, LessonKind
from tenant_apps.people.models import User

_numbers = itertools.count(1)


def course_build(
    *,
    owner: User,
    title: str | None = None,
    price: Decimal | str = "0.00",  # major units, as a person types it
    currency: str = "EUR",
    status: str = CourseStatus.PUBLISHED,
    lessons: Sequence[str] = (LessonKind.VIDEO, LessonKind.TEXT),
    optional: Sequence[int] = (),
    sections: int = 1,
    **fields: Any,
) -> Course:
    """A course in the current schema, in `status`, with `sections` sections ("Section s").
    Lesson `i` (0-based) of `lessons` (their kinds) goes to section `i % sections`, titled
    "Lesson s.n" by section and place in it; lessons whose index is in `optional` are not
    required; videos last 600 s. `fields` are further course fields of `course_create`
    (tags, category_id, passing_score, certificate_enabled, ...)."""
    course = services.course_create(
        owner=owner,
        title=title or f"Course {next(_numbers)}",
        price_amount=Money.from_major(price, currency).amount,
        currency=currency,
        **fields,
    )
    parts = [
        services.section_create(course=course, title=f"Section {n + 1}") for n in range(sections)
    ]
    for index, kind in enumerate(lessons):
        place, part = divmod(index, sections)
        services.lesson_create(
            section=parts[part],
            title=f"Lesson {part + 1}.{place + 1}",
            kind=kind,
            is_required=index not in optional,
            duration_seconds=600 if kind == LessonKind.VIDEO else 0,
        )
    if status in (CourseStatus.PUBLISHED, CourseStatus.ARCHIVED):
        course = services.course_publish(course=course, actor=owner)
    if status == CourseStatus.ARCHIVED:
        course = services.course_archive(course=course, actor=owner)
    return course


def lessons_of(course: Course) -> list[Lesson]:
    """The course's lessons in the order they were built."""
    return list(Lesson.objects.filter(course=course).order_by("pk"))
