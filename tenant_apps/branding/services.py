"""Reading and changing the tenant's branding."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from core.errors import FieldError, ValidationFailed
from core.storage import ImageRule, image_replace
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record
from tenant_apps.branding.contrast import text_on
from tenant_apps.branding.errors import BrandingErrorCode
from tenant_apps.branding.models import Branding
from tenant_apps.people.models import User

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


def _colours(branding: Branding) -> dict[str, str]:
    return {"primary_colour": branding.primary_colour, "accent_colour": branding.accent_colour}


@transaction.atomic
def branding_update(
    *,
    primary_colour: str | None = None,
    accent_colour: str | None = None,
    actor: User | None,
) -> Branding:
    """Change the tenant's colours (either or both). A colour on which no text reads (see
    branding.contrast) is refused, naming the field and the ratios."""
    problems = [
        FieldError(field, text_on(colour).problem())
        for field, colour in (("primary_colour", primary_colour), ("accent_colour", accent_colour))
        if colour is not None and not text_on(colour).readable
    ]
    if problems:
        raise ValidationFailed(
            BrandingErrorCode.COLOUR_CONTRAST_TOO_LOW,
            "Text would be hard to read on these colours.",
            problems,
        )
    branding, _ = Branding.objects.select_for_update().get_or_create(pk=1)
    before = _colours(branding)
    if primary_colour is not None:
        branding.primary_colour = primary_colour.lower()
    if accent_colour is not None:
        branding.accent_colour = accent_colour.lower()
    branding.save()
    audit_record(
        action=AuditAction.BRANDING_CHANGED,
        actor=actor,
        target=branding,
        before=before,
        after=_colours(branding),
    )
    return branding


def branding_logo_set(*, upload: UploadedFile, actor: User | None) -> Branding:
    """Replace the logo with a PNG or JPEG of at most 1 MB."""
    with transaction.atomic():
        locked = Branding.objects.select_for_update().get_or_create(pk=1)[0]
        before = locked.logo.name
        branding = image_replace(
            upload=upload, rule=LOGO_RULE, lock=lambda: locked, stored_name="logo"
        )
        audit_record(
            action=AuditAction.BRANDING_LOGO_CHANGED,
            actor=actor,
            target=branding,
            before={"logo": before},
            after={"logo": branding.logo.name},
        )
    return branding
