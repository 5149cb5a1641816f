"""Reading and changing the tenant's branding."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from lectern.errors import FieldError, ValidationFailed
from lectern.transactions import after_commit
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
    from PIL import Image, UnidentifiedImageError

    def refuse(message: str) -> ValidationFailed:
        return ValidationFailed(
            BrandingErrorCode.LOGO_INVALID, "The logo was refused.", [FieldError("logo", message)]
        )

    if upload.size > LOGO_MAX_BYTES:
        raise refuse("Use an image of at most 1 MB.")
    try:
        with Image.open(upload) as image:
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise refuse("The file is not an image.") from exc
    if kind not in LOGO_TYPES:
        raise refuse("Use a PNG or JPEG image.")
    upload.seek(0)
    with transaction.atomic():
        branding, _ = Branding.objects.select_for_update().get_or_create(pk=1)
        old = branding.logo.name if branding.logo else None
        branding.logo.save(f"logo.{LOGO_TYPES[kind]}", upload, save=True)
        if old:
            after_commit(lambda: branding.logo.storage.delete(old))
    return branding
