"""Progress tests build courses the way the enrollments tests do (people come from
tests/tenant_apps/conftest.py)."""

from tests.tenant_apps.enrollments.conftest import make_course  # noqa: F401 (fixture)
