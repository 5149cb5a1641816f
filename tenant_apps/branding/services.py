"""Reading and changing the tenant's branding."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from core.transactions import after_commit
from core.validation import image_upload_extension
from tenant_apps.branding.errors import BrandingErrorCode
from tenant_apps.branding.models import Branding

LOGO_MAX_BYTES = 1024 * 1024
LOGO_TYPES = {"PNG": "png", "JPEG": "jpg"}  # what PDFs and e-mail clients all show


def branding_current() -> Branding:
    """The tenant's branding, with the defaults until an admin changes them."""
    branding = Branding.objects.filter(pk=1).first()
    return branding or Branding(pk=1)


@transaction.atomic
def branding_update(
    *, primary_colour: str | None = None, accent_colour: str | None = None
) -> Branding:
    branding, _ = Branding.objects.select_for_update().get_or_create(pk=1)
    if primary_colour is not None:
        branding.primary_colour = primary_colour.lower()
    if accent_colour is not None:
        branding.accent_colour = accent_colour.lower()
    branding.save()
    return branding


def branding_logo_set(*, upload: UploadedFile) -> Branding:
    """Replace the logo with a PNG or JPEG of at most 1 MB."""
    extension = image_upload_extension(
        upload,
        field="logo",
        max_bytes=LOGO_MAX_BYTES,
        allowed=LOGO_TYPES,
        code=BrandingErrorCode.LOGO_INVALID,
        refusal="The logo was refused.",
    )
    with transaction.atomic():
        branding, _ = Branding.objects.select_for_update().get_or_create(pk=1)
        old = branding.logo.name if branding.logo else None
        branding.logo.save(f"logo.{extension}", upload, save=True)
        if old:
            after_commit(lambda: branding.logo.storage.delete(old))
    return branding
