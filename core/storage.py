"""Uploaded files, one folder per tenant schema, and replacing an image a row holds."""

from __future__ import annotations

import contextvars
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model
from django_tenants.files.storage import TenantFileSystemStorage

from core.entitlements import entitlement_require
from core.transactions import after_commit
from core.validation import image_upload_extension

ModelT = TypeVar("ModelT", bound=Model)

# The usage meter under which a tenant's stored files count against its plan.
STORAGE_RESOURCE = "storage_bytes"

_generated = contextvars.ContextVar("storage_generated", default=False)


@contextmanager
def generated_files() -> Iterator[None]:
    """Files saved inside are made by the platform (certificate PDFs), not uploaded: they
    take space (and count as usage) but are never refused for the plan's storage limit."""
    token = _generated.set(True)
    try:
        yield
    finally:
        _generated.reset(token)


def folder_bytes(root: str | os.PathLike) -> int:
    """Bytes the files under `root` take, read from disk (so true whatever saved or
    deleted them); 0 for a folder that does not exist."""
    total = 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(folder, name))
            except OSError:  # deleted while we walked
                continue
    return total


def tenant_storage_used() -> int:
    """Bytes the files in the current tenant's media folder take (the usage meter)."""
    from django.core.files.storage import default_storage

    return folder_bytes(default_storage.location)


class TenantMediaStorage(TenantFileSystemStorage):
    """django-tenants' storage, which also forgets its cached folder when MEDIA_ROOT or
    MEDIA_URL change (its own hook passes the wrong argument and misses them)."""

    def _clear_cached_properties(self, setting, **kwargs) -> None:
        super()._clear_cached_properties(setting, **kwargs)
        if setting in {"MEDIA_ROOT", "MEDIA_URL", "MULTITENANT_RELATIVE_MEDIA_ROOT"}:
            self.__dict__.pop("relative_media_root", None)
            self.__dict__.pop("relative_media_url", None)

    def _save(self, name, content):
        """Refuse (PlanLimitReached) before writing when the file would take the tenant
        over its plan's storage: nothing is written, and the caller's row is never saved."""
        if not _generated.get():
            entitlement_require(STORAGE_RESOURCE, adding=content.size or 0)
        return super()._save(name, content)


@dataclass(frozen=True)
class ImageRule:
    """What an uploaded image of one field must be, and how a refusal is worded."""

    field: str
    max_bytes: int
    allowed: dict[str, str]  # Pillow format → file extension
    code: Enum
    refusal: str


def image_replace(
    *,
    upload: UploadedFile,
    rule: ImageRule,
    lock: Callable[[], ModelT],
    stored_name: str,
    also_update: tuple[str, ...] = (),
) -> ModelT:
    """Check `upload` against `rule`, then, in one transaction with the row `lock()` returns
    locked, store it as the row's `rule.field` under `<stored_name>.<extension>`. The file
    it replaces is deleted once the change commits (never before: a rollback keeps it)."""
    extension = image_upload_extension(
        upload,
        field=rule.field,
        max_bytes=rule.max_bytes,
        allowed=rule.allowed,
        code=rule.code,
        refusal=rule.refusal,
    )
    with transaction.atomic():
        instance = lock()
        image = getattr(instance, rule.field)
        old = image.name
        image.save(f"{stored_name}.{extension}", upload, save=False)
        instance.save(update_fields=[rule.field, *also_update])
        if old:
            after_commit(lambda: image.storage.delete(old))
    return instance
