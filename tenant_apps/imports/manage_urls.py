"""The tenant admin's import pages (see manage_views.py)."""

from django.urls import path

from tenant_apps.imports import manage_views

BASE = "manage/people-sync/imports/"

urlpatterns = [
    path(BASE, manage_views.imports_home, name="manage-imports"),
    path(f"{BASE}source/", manage_views.source_page, name="manage-import-source"),
    path(f"{BASE}source/fetch/", manage_views.source_fetch_now, name="manage-import-fetch"),
    path(f"{BASE}<int:run_id>/", manage_views.run_page, name="manage-import-run"),
    path(f"{BASE}<int:run_id>/mapping/", manage_views.run_mapping, name="manage-import-mapping"),
    path(f"{BASE}<int:run_id>/apply/", manage_views.run_apply, name="manage-import-apply"),
    path(f"{BASE}<int:run_id>/rollback/", manage_views.run_rollback, name="manage-import-rollback"),
    path(f"{BASE}<int:run_id>/progress/", manage_views.run_progress, name="manage-import-progress"),
    path(
        f"{BASE}<int:run_id>/errors.csv", manage_views.run_errors_csv, name="manage-import-errors"
    ),
]
