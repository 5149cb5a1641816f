"""Fixtures for enrollments and progress: courses built with the real services
(tests/builders.py)."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tenant_apps.courses.models import Course
from tests.builders import course_build


@pytest.fixture
def make_course(tenant_a, instructor):
    """Build a course in a tenant (tenant A unless told), owned by the instructor unless
    told."""

    def make(tenant=None, **options) -> Course:
        options.setdefault("owner", instructor)
        with schema_context((tenant or tenant_a).schema):
            return course_build(**options)

    return make
