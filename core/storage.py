"""Uploaded files, one folder per tenant schema."""

from __future__ import annotations

from django_tenants.files.storage import TenantFileSystemStorage


class TenantMediaStorage(TenantFileSystemStorage):
    """django-tenants' storage, which also forgets its cached folder when MEDIA_ROOT or
    MEDIA_URL change (its own hook passes the wrong argument and misses them)."""

    def _clear_cached_properties(self, setting, **kwargs) -> None:
        super()._clear_cached_properties(setting, **kwargs)
        if setting in {"MEDIA_ROOT", "MEDIA_URL", "MULTITENANT_RELATIVE_MEDIA_ROOT"}:
            self.__dict__.pop("relative_media_root", None)
            self.__dict__.pop("relative_media_url", None)
