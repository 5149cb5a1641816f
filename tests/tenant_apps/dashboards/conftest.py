"""Courses (tests/builders.py), enrollments and progress for dashboards, made through the
services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_apps.courses.models import CourseStatus, LessonKind
from tenant_apps.enrollments.models import Enrollment
from tenant_apps.enrollments.services import enrollment_assign, enrollment_self_enroll
from tenant_apps.people.models import Role, User
from tenant_apps.progress.services import lesson_progress_record
from tests.builders import course_build


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
        basics = course_build(owner=ivan, title="Basics")
        advanced = course_build(owner=ivan, title="Advanced", lessons=[LessonKind.TEXT])
        course_build(owner=ivan, title="Draft ideas", status=CourseStatus.DRAFT)
        coras = course_build(owner=cora, title="Cora's course")
        course_build(
            owner=ivan, title="Old course", lessons=[LessonKind.TEXT], status=CourseStatus.ARCHIVED
        )
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
