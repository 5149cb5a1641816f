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

import pytest

from tests.api_fuzzing import run_schemathesis, seed_fuzz_tenant
from tests.live import live_server, server_env

# Examples per operation and phase: the run stays well under three minutes on two cores.
MAX_EXAMPLES = 8


@pytest.fixture
def fuzzed_tenant(committed_tenant, django_db_blocker):
    tenant = committed_tenant("contract", "Fuzzed contract")
    with django_db_blocker.unblock():
        return seed_fuzz_tenant(tenant)


@pytest.mark.timeout(600)
def test_every_operation_does_what_the_document_says(fuzzed_tenant, tmp_path):
    with live_server(server_env(), tmp_path / "server.log") as base_url:
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
