"""Courses, enrollments and progress for dashboards, made through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_apps.courses.models import Course, LessonKind
from tenant_apps.courses.services import (
    course_archive,
    course_create,
    course_publish,
    lesson_create,
    section_create,
)
from tenant_apps.enrollments.models import Enrollment
from tenant_apps.enrollments.services import enrollment_assign, enrollment_self_enroll
from tenant_apps.people.models import Role, User
from tenant_apps.progress.services import lesson_progress_record


def course_with_lessons(owner: User, title: str, lessons: int = 2, publish: bool = True) -> Course:
    course = course_create(owner=owner, title=title)
    section = section_create(course=course, title="Part 1")
    for number in range(lessons):
        lesson_create(
            section=section,
            title=f"{title} {number + 1}",
            kind=LessonKind.TEXT,
            body_markdown="Read this.",
        )
    return course_publish(course=course, actor=owner) if publish else course


def finish(enrollment: Enrollment, learner: User, lessons: int | None = None) -> None:
    for lesson in enrollment.course.lessons.order_by("position")[:lessons]:
        lesson_progress_record(
            enrollment=enrollment,
            lesson=lesson,
            learner=learner,
            time_spent_delta=60,
            completed=True,
        )


@pytest.fixture
def school(make_person, tenant_a):
    """Ivan owns two published courses and a draft; Cora owns one course. Lena finished
    Ivan's first course; Sam is half-way; Noor is assigned with a due date."""
    ivan = make_person(Role.INSTRUCTOR, email="ivan@example.com")
    cora = make_person(Role.CONTENT_CREATOR, email="cora@example.com")
    admin = make_person(Role.ADMIN, email="ada@example.com")
    lena = make_person(email="lena@example.com")
    sam = make_person(email="sam@example.com")
    noor = make_person(email="noor@example.com")
    with schema_context(tenant_a.schema):
        basics = course_with_lessons(ivan, "Basics")
        advanced = course_with_lessons(ivan, "Advanced", lessons=1)
        course_with_lessons(ivan, "Draft ideas", publish=False)
        coras = course_with_lessons(cora, "Cora's course")
        old = course_with_lessons(ivan, "Old course", lessons=1)
        course_archive(course=old, actor=ivan)
        finish(enrollment_self_enroll(user=lena, course=basics), lena)
        finish(enrollment_self_enroll(user=sam, course=basics), sam, lessons=1)
        enrollment_assign(
            user=noor, course=advanced, actor=admin, due_at=timezone.now() + timedelta(days=5)
        )
        enrollment_self_enroll(user=lena, course=coras)
    return {
        "ivan": ivan,
        "cora": cora,
        "admin": admin,
        "lena": lena,
        "sam": sam,
        "noor": noor,
        "basics": basics,
        "advanced": advanced,
    }
