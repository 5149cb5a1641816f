"""The periodic sweep in a real Celery worker: from the public schema it reaches every
tenant, and each tenant's overdue attempts are submitted in that tenant's schema."""

from __future__ import annotations

import time

import pytest
from django_tenants.utils import get_public_schema_name, schema_context

from lectern.celery import app
from shared_apps.tenants.tasks import every_tenant_queue
from tenant_apps.assessments import services
from tenant_apps.assessments.models import Attempt
from tests.tenant_apps.assessments.conftest import overdue


@pytest.mark.celery_worker
def test_the_sweep_submits_overdue_attempts_in_every_tenant(
    committed,
    worker,
):
    queue, _mail_dir = worker
    with schema_context(committed.schema):
        attempt, _new = services.attempt_start(quiz=committed.quiz, learner=committed.learner)
        overdue(attempt, seconds_past_deadline=120)
    with schema_context(get_public_schema_name()):  # as the beat schedule runs it
        app.conf.task_always_eager = False
        try:
            every_tenant_queue.apply_async(
                ("tenant_apps.assessments.tasks.overdue_attempts_submit", queue), queue=queue
            )
        finally:
            app.conf.task_always_eager = True

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and committed.attempts() == [(1, "in_progress")]:
        time.sleep(0.2)
    assert committed.attempts() == [(1, "graded")]
    with schema_context(committed.schema):
        attempt = Attempt.objects.get(pk=attempt.pk)
    assert (attempt.auto_submitted, attempt.score_points) == (True, 0)
