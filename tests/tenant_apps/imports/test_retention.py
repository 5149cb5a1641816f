"""Imports forget the HR data they were given once its retention is over: the file and the
dry run's rows of a finished run go (counts, rows in error and the changes made stay, and
rollback still works); a run never applied goes whole; a recent or running one stays."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tenant_apps.imports.models import ImportChange, ImportRun, RunStatus
from tenant_apps.imports.services.applying import (
    run_apply,
    run_apply_queue,
    run_rollback,
    run_rollback_queue,
)
from tenant_apps.imports.services.planning import run_plan, run_upload
from tenant_apps.imports.services.retention import import_data_prune
from tenant_apps.people.models import User
from tests.tenant_apps.imports.conftest import csv_upload, people_csv

ROWS = [
    ("new1@example.com", "New One", "N1", "", "", "", ""),
    ("bad-address", "Bad", "N8", "", "", "", ""),
]


@pytest.fixture
def planned(in_tenant_a, admin, standard_mapping):
    standard_mapping()

    def plan() -> ImportRun:
        upload = csv_upload(people_csv(ROWS))
        return run_plan(run=run_upload(upload=upload, actor=admin), actor=admin)

    return plan


def _age(run: ImportRun, days: int) -> None:
    then = timezone.now() - datetime.timedelta(days=days)
    ImportRun.objects.filter(pk=run.pk).update(created_at=then)
    if run.applied_at:
        ImportRun.objects.filter(pk=run.pk).update(applied_at=then)


def _applied(run: ImportRun, admin) -> ImportRun:
    run_apply_queue(run=run, actor=admin)
    return run_apply(run_id=run.pk, actor_id=admin.pk)


def test_a_finished_run_past_retention_keeps_its_results_but_not_the_file(
    planned, admin, settings, django_capture_on_commit_callbacks
):
    settings.IMPORTS_FILE_RETENTION_DAYS = 30
    run = _applied(planned(), admin)
    storage, name = run.file.storage, run.file.name
    assert storage.exists(name) and run.diff
    _age(run, 31)
    with django_capture_on_commit_callbacks(execute=True):
        assert import_data_prune() == 1
    pruned = ImportRun.objects.get(pk=run.pk)
    assert (pruned.file.name, pruned.diff) == ("", [])
    assert not storage.exists(name)
    assert pruned.counts["create"] == 1 and pruned.counts["errors"] == 1
    assert [error["line"] for error in pruned.errors] == [3]
    assert ImportChange.objects.filter(run=run).count() == 1
    # Nothing more to forget the next day; rollback needs only the changes, and still works.
    assert import_data_prune() == 0
    run_rollback_queue(run=pruned, actor=admin)
    assert run_rollback(run_id=run.pk, actor_id=admin.pk).status == RunStatus.ROLLED_BACK
    assert not User.objects.get(email="new1@example.com").is_active


def test_a_run_never_applied_is_deleted_whole_after_retention(
    planned, settings, django_capture_on_commit_callbacks
):
    settings.IMPORTS_FILE_RETENTION_DAYS = 7
    stale, fresh = planned(), planned()
    storage, stale_file = stale.file.storage, stale.file.name
    _age(stale, 8)
    _age(fresh, 6)
    with django_capture_on_commit_callbacks(execute=True):
        assert import_data_prune() == 1
    assert list(ImportRun.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not storage.exists(stale_file) and storage.exists(fresh.file.name)


def test_recent_and_running_runs_are_left_alone(planned, admin, settings):
    settings.IMPORTS_FILE_RETENTION_DAYS = 30
    recent = _applied(planned(), admin)
    running = planned()
    run_apply_queue(run=running, actor=admin)  # queued, not yet applied by a worker
    _age(running, 90)
    assert import_data_prune() == 0
    assert ImportRun.objects.get(pk=recent.pk).file.name == recent.file.name
    assert ImportRun.objects.get(pk=running.pk).status == RunStatus.QUEUED


def test_the_run_page_says_the_file_is_gone(planned, admin, portal, settings):
    settings.IMPORTS_FILE_RETENTION_DAYS = 30
    run = _applied(planned(), admin)
    _age(run, 31)
    import_data_prune()
    page = portal(admin).get(f"/manage/people-sync/imports/{run.pk}/")
    assert page.status_code == 200
    assert "The uploaded file was deleted after 30 days" in page.content.decode()
