"""Reading and changing the tenant's branding."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from core.storage import ImageRule, image_replace
from tenant_apps.branding.errors import BrandingErrorCode
from tenant_apps.branding.models import Branding

LOGO_RULE = ImageRule(
    field="logo",
    max_bytes=1024 * 1024,
    allowed={"PNG": "png", "JPEG": "jpg"},  # what PDFs and e-mail clients all show
    code=BrandingErrorCode.LOGO_INVALID,
    refusal="The logo was refused.",
)


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

    def lock() -> Branding:
        return Branding.objects.select_for_update().get_or_create(pk=1)[0]

    return image_replace(upload=upload, rule=LOGO_RULE, lock=lock, stored_name="logo")
