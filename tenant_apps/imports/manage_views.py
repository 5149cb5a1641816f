"""The tenant admin's import pages (`/manage/people-sync/imports/...`): upload a CSV, map
its columns, see the dry run's diff, apply it (confirming past the safety threshold), follow
its progress, see the results with the error rows, and roll it back. Each page authorises
with MANAGE_USERS, calls one service or selector, and renders."""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.pages import page_of, page_requires
from tenant_apps.imports.hooks import can_manage_imports
from tenant_apps.imports.manage_forms import (
    FIELD_LABELS,
    ApplyForm,
    MappingForm,
    SourceForm,
    UploadForm,
    mapping_initial,
    service_errors_show,
)
from tenant_apps.imports.models import ChangeKind, ImportRun, RunStatus
from tenant_apps.imports.parsing import cell_safe
from tenant_apps.imports.services import applying, fetching, mapping, planning


def _upload_page(request: HttpRequest, form: UploadForm, status: int = 200) -> HttpResponse:
    runs = ImportRun.objects.select_related("created_by")[:20]
    context = {
        "form": form,
        "runs": runs,
        "retention_days": settings.IMPORTS_FILE_RETENTION_DAYS,
    }
    return render(request, "imports/manage/home.html", context, status=status)


@page_requires(can_manage_imports)
def imports_home(request: HttpRequest) -> HttpResponse:
    """Recent imports, and the upload form."""
    if request.method != "POST":
        return _upload_page(request, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            run = planning.run_upload(upload=form.cleaned_data["file"], actor=request.user)
        except ApplicationError as error:
            service_errors_show(form, error)
        else:
            return redirect("manage-import-mapping", run_id=run.pk)
    return _upload_page(request, form, status=400)


@page_requires(can_manage_imports)
def run_mapping(request: HttpRequest, run_id: int) -> HttpResponse:
    """Map the file's columns (the tenant's saved mapping first), then the dry run."""
    run = planning.run_get(run_id)
    saved = mapping.mapping_as_dict(mapping.mapping_get())
    if request.method == "POST":
        form = MappingForm(request.POST, file_columns=run.columns)
        if form.is_valid():
            try:
                mapping.mapping_save(
                    values=form.mapping_values(), actor=request.user, file_columns=run.columns
                )
                planning.run_plan(run=run, actor=request.user)
            except ApplicationError as error:
                service_errors_show(form, error)
            else:
                return redirect("manage-import-run", run_id=run.pk)
        status = 400
    else:
        form = MappingForm(initial=mapping_initial(saved, run.columns), file_columns=run.columns)
        status = 200
    return render(request, "imports/manage/mapping.html", {"run": run, "form": form}, status=status)


def _shown(value) -> str:
    if isinstance(value, list):
        return ", ".join(value)
    return "" if value is None else str(value)


def _run_context(request: HttpRequest, run: ImportRun, form: ApplyForm | None = None) -> dict:
    rows = page_of(request, run.diff, per_page=50)
    rows.object_list = [
        {
            **row,
            "kind_label": ChangeKind(row["kind"]).label,
            "shown": [
                {"label": FIELD_LABELS[name], "before": _shown(old), "after": _shown(new)}
                for name, (old, new) in row["changes"].items()
            ],
        }
        for row in rows.object_list
    ]
    return {
        "run": run,
        "rows": rows,
        "errors": run.errors[:200],
        "form": form or ApplyForm(),
        "labels": FIELD_LABELS,
        "retention_days": settings.IMPORTS_FILE_RETENTION_DAYS,
    }


@page_requires(can_manage_imports)
def run_page(request: HttpRequest, run_id: int) -> HttpResponse:
    """The dry run's diff, the progress of a running import, or its results."""
    run = planning.run_get(run_id)
    if run.status == RunStatus.UPLOADED:
        return redirect("manage-import-mapping", run_id=run.pk)
    return render(request, "imports/manage/run.html", _run_context(request, run))


@require_POST
@page_requires(can_manage_imports)
def run_apply(request: HttpRequest, run_id: int) -> HttpResponse:
    run = planning.run_get(run_id)
    form = ApplyForm(request.POST)
    form.is_valid()
    try:
        applying.run_apply_queue(
            run=run, actor=request.user, confirm=form.cleaned_data.get("confirm", False)
        )
    except ApplicationError as error:
        service_errors_show(form, error)
        run.refresh_from_db()
        return render(
            request, "imports/manage/run.html", _run_context(request, run, form), status=409
        )
    flash.success(request, _("The import has started."))
    return redirect("manage-import-run", run_id=run.pk)


@require_POST
@page_requires(can_manage_imports)
def run_rollback(request: HttpRequest, run_id: int) -> HttpResponse:
    run = planning.run_get(run_id)
    try:
        applying.run_rollback_queue(run=run, actor=request.user)
    except ApplicationError as error:
        flash.error(request, error.message)
    else:
        flash.success(request, _("The rollback has started."))
    return redirect("manage-import-run", run_id=run.pk)


@page_requires(can_manage_imports)
def run_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """The progress block alone (HTMX polls it); without HTMX, the whole page."""
    run = planning.run_get(run_id)
    if not request.htmx:
        return redirect("manage-import-run", run_id=run.pk)
    response = render(request, "imports/manage/_progress.html", {"run": run})
    if not run.working:
        response["HX-Refresh"] = "true"  # show the results
    return response


@page_requires(can_manage_imports)
def run_errors_csv(request: HttpRequest, run_id: int) -> HttpResponse:
    """The run's error rows as CSV, each value defused for spreadsheets."""
    run = planning.run_get(run_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Line"), _("Key"), _("Reason")])
    for error in run.errors:
        writer.writerow(
            [error.get("line", 0), cell_safe(error.get("key", "")), cell_safe(error["reason"])]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-errors.csv"'
    return response


@page_requires(can_manage_imports)
def source_page(request: HttpRequest) -> HttpResponse:
    """Where the HR export is fetched from on a schedule (HTTPS or SFTP); the password,
    token or private key is never shown again."""
    source = fetching.source_get()
    if request.method == "POST":
        form = SourceForm(request.POST)
        if form.is_valid():
            secrets = ("secret", "private_key")
            values = {k: v for k, v in form.cleaned_data.items() if k not in secrets}
            try:
                fetching.source_save(
                    values=values,
                    secret=form.cleaned_data["secret"],
                    private_key=form.cleaned_data["private_key"],
                    actor=request.user,
                )
            except ApplicationError as error:
                service_errors_show(form, error)
            else:
                flash.success(request, _("The source is saved."))
                return redirect("manage-import-source")
        status = 400
    else:
        initial = {
            "kind": "https",
            "auth": "none",
            "sftp_port": 22,
            "every_hours": 24,
            "enabled": True,
        }
        if source is not None:
            initial = {
                name: getattr(source, name)
                for name in (
                    "kind",
                    "url",
                    "auth",
                    "username",
                    "sftp_host",
                    "sftp_port",
                    "sftp_path",
                    "sftp_host_key_fingerprint",
                    "every_hours",
                    "apply_automatically",
                    "enabled",
                )
            }
        form, status = SourceForm(initial=initial), 200
    return render(
        request, "imports/manage/source.html", {"form": form, "source": source}, status=status
    )


@require_POST
@page_requires(can_manage_imports)
def source_fetch_now(request: HttpRequest) -> HttpResponse:
    source = fetching.source_get()
    if source is None:
        return redirect("manage-import-source")
    run = fetching.source_fetch(source=source, actor=request.user)
    if run is None:
        source.refresh_from_db()
        flash.error(request, source.last_error)
        return redirect("manage-import-source")
    return redirect("manage-import-run", run_id=run.pk)
