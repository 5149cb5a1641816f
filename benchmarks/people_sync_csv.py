"""People sync, CSV part: 10,000 people through a CSV import (upload, dry run, apply), then a
second CSV with 5 % of them changed and 2 % missing (a full sync, confirmed past the
threshold when it needs to be). Each phase's seconds; goal ≤ 20 s each.

`csv_import_measure(...)` does the work inside a Django already set up (the combined
`benchmarks/people_sync.py` calls it); run alone, this script makes its own database:

    .venv/bin/python benchmarks/people_sync_csv.py [--people 10000]

The apply runs in this process, as the Celery task's body does (`run_apply`), so the figure
is the import's own cost, not the broker's.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import bench_database, emit_result, log

GOAL_SECONDS = 20.0
SLUG = "benchcsv"
HEADER = "Email,Name,Id,Number,Department,Groups,Role"
MAPPING = {
    "columns": {
        "email": "Email",
        "full_name": "Name",
        "external_id": "Id",
        "employee_number": "Number",
        "department": "Department",
        "groups": "Groups",
        "role": "Role",
    },
    "key": "external_id",
    "groups_separator": ";",
    "full_sync": True,
    "deactivate_threshold_percent": 10,
    "change_threshold_percent": 30,
}


def _csv(people: int, *, changed: set[int], missing: set[int]) -> bytes:
    lines = [HEADER]
    for i in range(people):
        if i in missing:
            continue
        name = f"Person {i}" + (" (renamed)" if i in changed else "")
        department = f"Dept {i % 20}" if i not in changed else f"Dept {(i + 1) % 20}"
        lines.append(
            f"p{i}@bench.example.com,{name},HR{i},{100000 + i},{department},Team {i % 50},"
        )
    return ("\n".join(lines) + "\n").encode()


def _import(data: bytes, admin, name: str) -> tuple[float, dict]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tenant_apps.imports.models import ImportRun
    from tenant_apps.imports.services.applying import run_apply
    from tenant_apps.imports.services.planning import run_plan, run_upload

    started = time.perf_counter()
    run = run_upload(upload=SimpleUploadedFile(name, data, "text/csv"), actor=admin)
    run = run_plan(run=run, actor=admin)
    planned = time.perf_counter() - started
    confirm = run.needs_confirmation
    # run_apply_queue without the broker: the state it leaves, then the task's body.
    ImportRun.objects.filter(pk=run.pk).update(
        status="queued", confirmed_by=admin if confirm else None
    )
    run = run_apply(run_id=run.pk, actor_id=admin.pk)
    seconds = time.perf_counter() - started
    return seconds, {
        "counts": run.counts,
        "dry_run_seconds": round(planned, 2),
        "confirmed": confirm,
        "status": run.status,
    }


def csv_import_measure(
    *, schema: str, people: int = 10_000, changed_share: float = 0.05, missing_share: float = 0.02
) -> dict:
    """Both phases in the tenant of `schema` (its first admin runs them); seconds each."""
    from django_tenants.utils import schema_context

    from tenant_apps.imports.services.mapping import mapping_save
    from tenant_apps.people.models import Role, User

    with schema_context(schema):
        admin = User.objects.filter(role=Role.ADMIN).order_by("pk").first()
        mapping_save(values=MAPPING, actor=admin)
        first_seconds, first = _import(_csv(people, changed=set(), missing=set()), admin, "a.csv")
        log(f"CSV create: {first_seconds:.1f} s {first}")
        changed = set(range(0, people, round(1 / changed_share)))
        missing = set(range(1, people, round(1 / missing_share))) - changed
        second_seconds, second = _import(
            _csv(people, changed=changed, missing=missing), admin, "b.csv"
        )
        log(f"CSV resync: {second_seconds:.1f} s {second}")
    return {
        "csv_create_seconds": round(first_seconds, 2),
        "csv_create_dry_run_seconds": first["dry_run_seconds"],
        "csv_create_counts": first["counts"],
        "csv_resync_seconds": round(second_seconds, 2),
        "csv_resync_dry_run_seconds": second["dry_run_seconds"],
        "csv_resync_counts": second["counts"],
        "csv_resync_confirmed": second["confirmed"],
        "people": people,
        "goal_seconds": GOAL_SECONDS,
        "met": first_seconds <= GOAL_SECONDS and second_seconds <= GOAL_SECONDS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    with bench_database(f"lectern_bench_csv_{os.getpid()}", keep=args.keep):
        from shared_apps.tenants.services import tenant_create

        tenant = tenant_create(
            slug=SLUG,
            name="CSV benchmark",
            admin_email=f"admin@{SLUG}.example.com",
            plan_code="enterprise",  # 10,000 active learners: the plan without limits
        ).tenant
        result = csv_import_measure(schema=tenant.schema_name, people=args.people)
    emit_result({"benchmark": "people_sync_csv", **result})


if __name__ == "__main__":
    main()
