"""The API document tells the truth: schemathesis, every check, against the real WSGI app.

A tenant with the demo content (courses, sections, lessons, a quiz, enrollments, progress,
a department) is made through the real services and committed; gunicorn serves
`lectern.wsgi` on a free loopback port against the test database; schemathesis loads
`/api/v1/schema/` from the tenant's host and fuzzes every operation as the tenant's admin,
deterministically (the same requests on every run), a bounded number of examples each.
Any failure of any check fails the test, listed. The tenant is purged afterwards.
See tests/api_fuzzing.py for the run and benchmarks/fuzz.py for the longer one.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.db import connection

from tests.api_fuzzing import drop_fuzz_tenant, live_server, run_schemathesis, seed_fuzz_tenant
from tests.databases import database_url

SLUG = "contract"
# Examples per operation and phase: the run stays well under three minutes on two cores.
MAX_EXAMPLES = 8


@pytest.fixture
def fuzzed_tenant(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        drop_fuzz_tenant(SLUG)  # left by an interrupted run
        target = seed_fuzz_tenant(SLUG)
        connection.set_schema_to_public()
        try:
            yield target
        finally:
            connection.set_schema_to_public()
            drop_fuzz_tenant(SLUG)


@pytest.mark.timeout(600)
def test_every_operation_does_what_the_document_says(fuzzed_tenant, tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lectern.settings.test",
        "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
        "REDIS_URL": settings.REDIS_URL,
    }
    with live_server(env, tmp_path / "server.log") as base_url:
        result = run_schemathesis(
            base_url=base_url,
            target=fuzzed_tenant,
            out_dir=tmp_path,
            max_examples=MAX_EXAMPLES,
            timeout=480,
        )
    assert result.cases > 1000, result.output[-3000:]
    assert result.server_errors == 0, "\n".join(result.failure_lines)
    assert result.failures == 0, "\n".join(result.failure_lines)
