"""A long import applied by a real Celery worker on the real Redis, its progress stored on
the run as it goes."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from tenant_apps.imports.models import ImportRun, RunStatus
from tenant_apps.imports.services.applying import run_apply_queue
from tenant_apps.imports.services.mapping import mapping_save
from tenant_apps.imports.services.planning import run_plan, run_upload
from tenant_apps.people.models import User
from tests.tenant_apps.imports.conftest import STANDARD_COLUMNS, csv_upload, people_csv

pytestmark = pytest.mark.celery_worker

ROWS = 1500


def test_a_long_import_runs_in_the_worker_with_progress(
    committed_tenant, django_db_blocker, celery_eager_off, worker, settings
):
    queue, _mail = worker
    settings.IMPORTS_TASK_QUEUE = queue
    tenant = committed_tenant("importworker")
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        admin = User.objects.get(email="admin@importworker.example.com")
        mapping_save(
            values={
                "columns": STANDARD_COLUMNS,
                "key": "email",
                "groups_separator": ";",
                "full_sync": False,
                "deactivate_threshold_percent": 10,
                "change_threshold_percent": 30,
            },
            actor=admin,
        )
        rows = [(f"w{i}@example.com", f"W {i}", f"W{i}", "", "Ops", "", "") for i in range(ROWS)]
        run = run_plan(
            run=run_upload(upload=csv_upload(people_csv(rows)), actor=admin), actor=admin
        )
        assert run.counts["create"] == ROWS
        run_apply_queue(run=run, actor=admin)  # autocommit: queued at once
        seen_progress = set()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            run.refresh_from_db()
            seen_progress.add(run.progress_done)
            if run.status in {RunStatus.APPLIED, RunStatus.FAILED}:
                break
            time.sleep(0.2)
        assert run.status == RunStatus.APPLIED, run.failure
        assert run.progress_done == run.progress_total == ROWS
        # Progress was visible part-way (batches of 250).
        assert any(0 < done < ROWS for done in seen_progress), seen_progress
        assert (
            User.objects.filter(email__startswith="w", external_id__startswith="W").count() == ROWS
        )
        assert ImportRun.objects.get(pk=run.pk).changes.count() == ROWS
        connection.set_schema_to_public()
