"""The plan's storage limit: every upload goes through the tenant media storage, which
refuses a file that would take the tenant over its plan (403 `plan_limit_reached` in the
API, the message on a page) before anything is written or saved. Generated certificate PDFs
count as usage but are never refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.functional import empty
from django_tenants.utils import schema_context

from core.entitlements import PlanLimitReached, entitlement_usage
from core.storage import generated_files
from tenant_apps.courses.models import CourseStatus, Lesson, LessonKind
from tenant_apps.people.models import User
from tests.builders import course_build
from tests.snapshots import stored_files

PDF = b"%PDF-1.4\n" + b"x" * 2000 + b"\n%%EOF"  # a 2 KB document


def _forget_media_root() -> None:
    # TenantFileSystemStorage caches its root and does not reset it when MEDIA_ROOT changes.
    if default_storage._wrapped is not empty:
        default_storage._wrapped.__dict__.pop("relative_media_root", None)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Iterator[str]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    _forget_media_root()
    yield settings.MEDIA_ROOT
    _forget_media_root()


@pytest.fixture
def file_lesson(tenant_a, author) -> Lesson:
    with schema_context(tenant_a.schema):
        course = course_build(owner=author, status=CourseStatus.DRAFT, lessons=[LessonKind.FILE])
        return Lesson.objects.get(course=course)


def _pdf(name: str = "notes.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _storage_usage(schema: str):
    return next(row for row in entitlement_usage(schema) if row.resource == "storage_bytes")


def test_api_upload_over_the_limit_is_refused_by_name_and_stores_nothing(
    api, author, tenant_a, file_lesson, put_on_plan
):
    put_on_plan(tenant_a, max_storage_bytes=1024)
    refused = api(author).put(
        f"/api/v1/lessons/{file_lesson.pk}/attachment", {"attachment": _pdf()}, format="multipart"
    )
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "plan_limit_reached"
    assert error["message"].startswith("Storage: your plan (Tight) allows 1.0 KB.")
    assert stored_files() == []
    with schema_context(tenant_a.schema):
        assert Lesson.objects.get(pk=file_lesson.pk).attachment.name == ""


def test_page_upload_over_the_limit_shows_the_refusal_and_stores_nothing(
    portal, author, tenant_a, file_lesson, put_on_plan
):
    put_on_plan(tenant_a, max_storage_bytes=1024)
    page = portal(author).post(
        f"/teach/lessons/{file_lesson.pk}/attachment/", {"attachment": _pdf()}
    )
    assert page.status_code in (400, 403)
    assert "Storage: your plan (Tight) allows 1.0 KB." in page.content.decode()
    assert stored_files() == []
    with schema_context(tenant_a.schema):
        assert Lesson.objects.get(pk=file_lesson.pk).attachment.name == ""


def test_an_avatar_over_the_limit_keeps_the_old_row(api, author, tenant_a, put_on_plan):
    from tests.tenant_apps.courses.conftest import image_upload

    put_on_plan(tenant_a, max_storage_bytes=10)
    refused = api(author).put("/api/v1/me/avatar", {"avatar": image_upload()}, format="multipart")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "plan_limit_reached"
    assert stored_files() == []
    with schema_context(tenant_a.schema):
        assert User.objects.get(pk=author.pk).avatar.name == ""


def test_uploads_under_the_limit_are_stored_and_counted(
    api, author, tenant_a, file_lesson, put_on_plan
):
    put_on_plan(tenant_a, max_storage_bytes=3000)
    client = api(author)
    url = f"/api/v1/lessons/{file_lesson.pk}/attachment"
    stored = client.put(url, {"attachment": _pdf()}, format="multipart")
    assert stored.status_code == 200, stored.json()
    assert _storage_usage(tenant_a.schema).used == len(PDF)
    # A second 2 KB file would make 4 KB of 3000 bytes.
    second = client.put(url, {"attachment": _pdf("more.pdf")}, format="multipart")
    assert second.status_code == 403
    (only,) = stored_files()
    assert only[0].endswith("notes.pdf")


def test_an_unlimited_plan_never_refuses(api, author, tenant_a, file_lesson, put_on_plan):
    put_on_plan(tenant_a, max_storage_bytes=None)
    stored = api(author).put(
        f"/api/v1/lessons/{file_lesson.pk}/attachment", {"attachment": _pdf()}, format="multipart"
    )
    assert stored.status_code == 200
    assert _storage_usage(tenant_a.schema).limit is None


def test_generated_files_count_but_are_never_refused(tenant_a, put_on_plan):
    put_on_plan(tenant_a, max_storage_bytes=10)
    with schema_context(tenant_a.schema):
        with pytest.raises(PlanLimitReached):
            default_storage.save("imports/people.csv", ContentFile(b"email\nx@example.com\n"))
        with generated_files():
            default_storage.save("certificates/x.pdf", ContentFile(PDF))
    assert _storage_usage(tenant_a.schema).used == len(PDF)


def test_plan_page_and_api_show_storage_as_sizes(portal, api, admin, tenant_a, put_on_plan):
    put_on_plan(tenant_a, max_storage_bytes=5 * 1024 * 1024)
    with schema_context(tenant_a.schema), generated_files():
        default_storage.save("certificates/x.pdf", ContentFile(b"x" * 1536))
    page = portal(admin).get("/manage/billing/plan/").content.decode()
    assert "Storage" in page and "1.5\xa0KB" not in page
    assert "1.5 KB" in page and "5.0 MB" in page
    body = api(admin).get("/api/v1/billing/plan").json()
    storage = next(row for row in body["usage"] if row["resource"] == "storage_bytes")
    assert storage == {
        "resource": "storage_bytes",
        "label": "Storage",
        "used": 1536,
        "limit": 5 * 1024 * 1024,
        "unit": "bytes",
        "used_text": "1.5 KB",
        "limit_text": "5.0 MB",
    }
