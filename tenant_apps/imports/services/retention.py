"""How long an import keeps the HR data it was given. An uploaded or fetched file holds
every person's details; once a run is over (applied, failed, rolled back) it is only
evidence, so after IMPORTS_FILE_RETENTION_DAYS the file and the dry run's rows go, while
the counts, the rows in error and the changes made (which rollback needs) stay. A run
never applied (uploaded or dry-run only) is deleted whole after the same time."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.transactions import after_commit
from tenant_apps.imports.models import ImportRun, RunStatus

FINISHED = (RunStatus.APPLIED, RunStatus.FAILED, RunStatus.ROLLED_BACK)
NEVER_APPLIED = (RunStatus.UPLOADED, RunStatus.PLANNED)


def import_data_prune(*, now: datetime.datetime | None = None) -> int:
    """Forget the files (and dry-run rows) of runs past the retention period, and delete
    runs never applied; returns how many runs it touched."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.IMPORTS_FILE_RETENTION_DAYS)
    touched = 0
    with transaction.atomic():
        abandoned = ImportRun.objects.select_for_update(skip_locked=True).filter(
            status__in=NEVER_APPLIED, created_at__lt=cutoff
        )
        for run in abandoned:
            _file_delete_after_commit(run.file.name)
            run.delete()
            touched += 1
        finished = (
            ImportRun.objects.select_for_update(skip_locked=True)
            .filter(
                Q(rolled_back_at__lt=cutoff)
                | Q(rolled_back_at__isnull=True, applied_at__lt=cutoff)
                | Q(rolled_back_at__isnull=True, applied_at__isnull=True, created_at__lt=cutoff),
                status__in=FINISHED,
            )
            .exclude(file="", diff=[])
        )
        for run in finished:
            _file_delete_after_commit(run.file.name)
            ImportRun.objects.filter(pk=run.pk).update(file="", diff=[])
            touched += 1
    return touched


def _file_delete_after_commit(name: str) -> None:
    if not name:
        return
    storage = ImportRun._meta.get_field("file").storage
    after_commit(lambda: storage.delete(name))
