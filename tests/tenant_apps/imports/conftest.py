"""Helpers for the imports tests: upload a CSV as a file and plan it with a mapping."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tenant_apps.imports.services.mapping import mapping_save

STANDARD_COLUMNS = {
    "email": "Email",
    "full_name": "Name",
    "external_id": "Id",
    "employee_number": "Number",
    "department": "Department",
    "groups": "Groups",
    "role": "Role",
}


def csv_upload(text: str | bytes, name: str = "people.csv") -> SimpleUploadedFile:
    data = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


def people_csv(rows: list[tuple], header="Email,Name,Id,Number,Department,Groups,Role") -> str:
    return header + "\n" + "\n".join(",".join(row) for row in rows) + "\n"


@pytest.fixture(autouse=True)
def uploads_in_tmp(request, settings, tmp_path):
    """Uploaded CSVs land in the test's own folder (not for a worker in another process,
    which reads the configured MEDIA_ROOT)."""
    if request.node.get_closest_marker("celery_worker") is None:
        settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def standard_mapping(in_tenant_a, admin):
    def save(**overrides):
        values = {
            "columns": dict(STANDARD_COLUMNS),
            "key": "email",
            "groups_separator": ";",
            "full_sync": False,
            "deactivate_threshold_percent": 10,
            "change_threshold_percent": 30,
            **overrides,
        }
        return mapping_save(values=values, actor=admin)

    return save
