"""The test-connection trace: an admin starts a test run, the SAML or OIDC round trip
records each step it checks into it (instead of signing anyone in), and the admin reads it
step by step. `None` for `trace` everywhere means a real sign-in: nothing is recorded."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone

from sso.models import ConnectionTest, IdentityProvider, TestRunStatus

# Long values (a whole SAML response) are kept to this many characters in a step.
STEP_DATA_LIMIT = 20_000


def test_run_start(*, provider: IdentityProvider, actor) -> ConnectionTest:
    return ConnectionTest.objects.create(provider=provider, started_by=actor)


def test_run_open(
    test_id: str | uuid.UUID | None, provider: IdentityProvider
) -> ConnectionTest | None:
    """The unfinished test run `test_id` of `provider`, or None (unknown, finished, or of
    another provider: a real sign-in then)."""
    if not test_id:
        return None
    try:
        key = uuid.UUID(str(test_id))
    except ValueError:
        return None
    return ConnectionTest.objects.filter(
        pk=key, provider=provider, status=TestRunStatus.STARTED
    ).first()


def trace_step(
    trace: ConnectionTest | None,
    title: str,
    *,
    ok: bool | None = None,
    detail: str = "",
    data: Any = "",
) -> None:
    """Append one step: what was checked (`title`), whether it passed (None: information),
    why in plain words (`detail`) and what was seen (`data`, e.g. decoded XML or claims)."""
    if trace is None:
        return
    text = data if isinstance(data, str) else _as_text(data)
    trace.steps = [
        *trace.steps,
        {"title": str(title), "ok": ok, "detail": str(detail), "data": text[:STEP_DATA_LIMIT]},
    ]
    trace.save(update_fields=["steps"])


def trace_finish(
    trace: ConnectionTest | None,
    *,
    failure: str = "",
    failure_code: str = "",
    attributes: dict | None = None,
    mapped: dict | None = None,
) -> None:
    if trace is None:
        return
    trace.status = TestRunStatus.FAILED if failure else TestRunStatus.SUCCEEDED
    trace.failure_reason = failure
    trace.failure_code = failure_code
    if attributes is not None:
        trace.attributes = attributes
    if mapped is not None:
        trace.mapped = mapped
    trace.finished_at = timezone.now()
    trace.save(
        update_fields=[
            "status",
            "failure_reason",
            "failure_code",
            "attributes",
            "mapped",
            "finished_at",
        ]
    )


def _as_text(data: Any) -> str:
    import json

    return json.dumps(data, indent=2, sort_keys=True, default=str)
