"""Fixtures for certificates: people of each role, courses with certificates on, and
certificates earned the real way (enrol, finish every lesson)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django_tenants.utils import schema_context

from tenant_apps.certificates.models import Certificate
from tenant_apps.courses.models import Course
from tenant_apps.enrollments.models import Enrollment
from tenant_apps.enrollments.services import enrollment_self_enroll
from tenant_apps.notifications.models import Notification
from tenant_apps.people.models import User
from tenant_apps.progress.services import lesson_complete
from tests.builders import course_build, lessons_of
from tests.snapshots import snapshot

CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")


def in_tenant(tenant, action: Callable[[], Any]) -> Any:
    with schema_context(tenant.schema):
        return action()


def certificate_rows(tenant) -> dict:
    """Every certificate, enrollment and notification of a tenant, with its events and audit
    log: a refused request changes none of them."""
    return snapshot(Certificate, Enrollment, Notification, tenant=tenant)


def course_finish(*, learner: User, course: Course) -> Enrollment:
    """Enrol in a course and complete every lesson, in the current schema."""
    enrollment = enrollment_self_enroll(user=learner, course=course)
    for lesson in lessons_of(course):
        lesson_complete(enrollment=enrollment, lesson=lesson, actor=learner)
    enrollment.refresh_from_db()
    return enrollment


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path) -> None:
    """Stored PDFs (and logos) go to a folder of the test's own."""
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def make_course(tenant_a, instructor):
    """A published course (tenant A unless told), certificates on unless told, owned by the
    instructor unless told."""

    def make(tenant=None, certificate_enabled: bool = True, **options) -> Course:
        options.setdefault("owner", instructor)
        with schema_context((tenant or tenant_a).schema):
            return course_build(certificate_enabled=certificate_enabled, **options)

    return make


@pytest.fixture
def course(make_course) -> Course:
    return make_course(title="Safety Basics")


@pytest.fixture
def earn(tenant_a, django_capture_on_commit_callbacks):
    """Finish a course as a learner (tenant A unless told) and return their certificate; the
    work queued after commit (PDF, e-mail) runs only with `after_commit=True`."""

    def finish(learner: User, course: Course, tenant=None, after_commit: bool = False):
        with schema_context((tenant or tenant_a).schema):
            if after_commit:
                with django_capture_on_commit_callbacks(execute=True):
                    enrollment = course_finish(learner=learner, course=course)
            else:
                enrollment = course_finish(learner=learner, course=course)
            return Certificate.objects.get(enrollment=enrollment)

    return finish


@pytest.fixture
def certificate(earn, learner, course) -> Certificate:
    """Lena's certificate for Safety Basics, its PDF not rendered yet."""
    return earn(learner, course)
