"""Tenant context outside the request/response of one schema: cache keys, file paths,
and Celery tasks in a real worker."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tenants.utils import schema_context

from tenant_apps.people.models import User
from tenant_apps.people.services import user_create
from tenant_apps.people.tasks import invitation_send


def test_cache_keys_carry_the_tenant(tenant_a, tenant_b, db):
    with schema_context(tenant_a.schema):
        cache.set("greeting", "from alpha", 30)
    with schema_context(tenant_b.schema):
        assert cache.get("greeting") is None
        cache.set("greeting", "from bravo", 30)
    with schema_context(tenant_a.schema):
        assert cache.get("greeting") == "from alpha"
        cache.delete("greeting")
    with schema_context(tenant_b.schema):
        cache.delete("greeting")


def test_uploaded_files_land_under_the_tenant(tenant_a, db, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    with schema_context(tenant_a.schema):
        name = default_storage.save("avatars/me.png", ContentFile(b"png"))
        path = Path(default_storage.path(name))
    assert path.relative_to(tmp_path).parts[0] == tenant_a.schema
    assert path.read_bytes() == b"png"


@pytest.mark.celery_worker
def test_task_queued_in_a_tenant_runs_in_that_tenants_schema(
    tenant_a, tenant_b, django_db_blocker, worker, celery_eager_off
):
    """Both tenants have a person with the same id; the e-mail must reach tenant A's."""
    queue, mail_dir = worker
    with django_db_blocker.unblock():
        with schema_context(tenant_a.schema):
            a_person = user_create(email="worker-a@example.com")
        with schema_context(tenant_b.schema):
            User.objects.filter(pk=a_person.pk).delete()
            b_person = User(pk=a_person.pk, email="worker-b@example.com")
            b_person.set_unusable_password()
            b_person.save()
        try:
            with schema_context(tenant_a.schema):
                invitation_send.apply_async((a_person.pk,), queue=queue)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not list(mail_dir.glob("*.log")):
                time.sleep(0.2)
            messages = [p.read_text() for p in mail_dir.glob("*.log")]
        finally:
            with schema_context(tenant_a.schema):
                User.objects.filter(pk=a_person.pk).delete()
            with schema_context(tenant_b.schema):
                User.objects.filter(pk=a_person.pk).delete()

    assert len(messages) == 1
    assert "To: worker-a@example.com" in messages[0]
    assert "http://alpha.localhost:8000/accounts/set-password/" in messages[0]
    assert "worker-b@example.com" not in messages[0]
