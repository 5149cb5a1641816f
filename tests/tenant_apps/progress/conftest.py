"""Progress tests use the enrollments fixtures: people of each role and built courses."""

from tests.tenant_apps.enrollments.conftest import (  # noqa: F401 (fixtures)
    admin,
    instructor,
    learner,
    make_course,
)
