"""Fixtures for enrollments and progress: courses built with the real services
(tests/builders.py), and what a refused request must leave as it was."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tenant_apps.courses.models import Course
from tenant_apps.enrollments.models import Enrollment
from tenant_apps.notifications.models import Notification
from tenant_apps.progress.models import LessonProgress
from tests.builders import course_build
from tests.snapshots import snapshot


def enrollment_rows(tenant=None) -> dict:
    """Every enrollment, progress row and notification of a tenant (else the current
    schema), with its events and audit log."""
    return snapshot(Enrollment, LessonProgress, Notification, tenant=tenant)


@pytest.fixture
def make_course(tenant_a, instructor):
    """Build a course in a tenant (tenant A unless told), owned by the instructor unless
    told."""

    def make(tenant=None, **options) -> Course:
        options.setdefault("owner", instructor)
        with schema_context((tenant or tenant_a).schema):
            return course_build(**options)

    return make
