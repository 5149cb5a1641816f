"""Reading and changing the tenant's branding: the draft admins edit and preview, the
published one everyone sees, and publishing the one into the other.

Files (logo, favicon, sign-in image) are stored under unique names. A draft's uploads live
in `branding/draft/`, which only admins may read; publishing copies them to `branding/`,
which everyone may. A file is deleted once the change that stops using it commits, and only
when neither the draft nor the published branding still names it."""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import FieldError, ValidationFailed
from core.storage import ImageRule
from core.transactions import after_commit
from core.validation import image_upload_extension
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record
from tenant_apps.branding.contrast import contrast_problems
from tenant_apps.branding.errors import BrandingErrorCode
from tenant_apps.branding.models import (
    EMAIL_FOOTER_LIMIT,
    EMAIL_SENDER_NAME_LIMIT,
    HEX_COLOUR,
    WELCOME_TEXT_LIMIT,
    Branding,
    BrandingDraft,
    BrandingValues,
    Font,
)
from tenant_apps.people.models import User

PUBLISHED_FOLDER = "branding"
DRAFT_FOLDER = "branding/draft"

LOGO_RULE = ImageRule(
    field="logo",
    max_bytes=1024 * 1024,
    allowed={"PNG": "png", "JPEG": "jpg"},  # what PDFs and e-mail clients all show
    code=BrandingErrorCode.LOGO_INVALID,
    refusal=gettext_lazy("The logo was refused."),
)
FAVICON_RULE = ImageRule(
    field="favicon",
    max_bytes=256 * 1024,
    allowed={"ICO": "ico", "PNG": "png"},
    code=BrandingErrorCode.IMAGE_INVALID,
    refusal=gettext_lazy("The favicon was refused."),
)
LOGIN_IMAGE_RULE = ImageRule(
    field="login_image",
    max_bytes=2 * 1024 * 1024,
    allowed={"PNG": "png", "JPEG": "jpg"},
    code=BrandingErrorCode.IMAGE_INVALID,
    refusal=gettext_lazy("The sign-in image was refused."),
)
IMAGE_RULES = {rule.field: rule for rule in (LOGO_RULE, FAVICON_RULE, LOGIN_IMAGE_RULE)}
IMAGE_FIELDS = tuple(IMAGE_RULES)
TEXT_FIELDS = ("welcome_text", "email_sender_name", "email_footer")
VALUE_FIELDS = ("primary_colour", "accent_colour", "font", *TEXT_FIELDS)
TEXT_LIMITS = {
    "welcome_text": WELCOME_TEXT_LIMIT,
    "email_sender_name": EMAIL_SENDER_NAME_LIMIT,
    "email_footer": EMAIL_FOOTER_LIMIT,
}


# ------------------------------------------------------------------------------------------
# Reading
def branding_current() -> Branding:
    """The published branding, with the defaults until an admin changes them."""
    branding = Branding.objects.filter(pk=1).first()
    return branding or Branding(pk=1)


def _copy_values(source: BrandingValues, target: BrandingValues) -> None:
    for name in VALUE_FIELDS:
        setattr(target, name, getattr(source, name))
    for name in IMAGE_FIELDS:
        getattr(target, name).name = getattr(source, name).name or ""


def branding_draft_current() -> BrandingDraft:
    """The draft admins are editing; until one is saved, the published values."""
    draft = BrandingDraft.objects.filter(pk=1).first()
    if draft is not None:
        return draft
    draft = BrandingDraft(pk=1)
    _copy_values(branding_current(), draft)
    draft.updated_at = None
    return draft


def branding_shown(*, previewing: bool) -> BrandingValues:
    """What a page wears: the draft for an admin previewing it (when one exists), else the
    published branding."""
    if previewing:
        draft = BrandingDraft.objects.filter(pk=1).first()
        if draft is not None:
            return draft
    return branding_current()


def branding_has_unpublished_changes(draft: BrandingDraft, published: Branding) -> bool:
    return (
        draft.pk is not None
        and draft.updated_at is not None
        and _values(draft) != _values(published)
    )


def _values(branding: BrandingValues) -> dict[str, str]:
    values = {name: getattr(branding, name) for name in VALUE_FIELDS}
    values.update({name: getattr(branding, name).name or "" for name in IMAGE_FIELDS})
    return values


# ------------------------------------------------------------------------------------------
# Checking what an admin asked for
@dataclass
class _Checked:
    values: dict[str, str]
    images: dict[str, tuple[UploadedFile, str]]  # field → (upload, extension)


def _is_svg(upload: UploadedFile) -> bool:
    name = (upload.name or "").lower()
    upload.seek(0)
    head = upload.read(512).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    upload.seek(0)
    return name.endswith((".svg", ".svgz")) or head.startswith((b"<?xml", b"<svg", b"<!doctype"))


def _image_checked(field: str, upload: UploadedFile, problems: list[FieldError]) -> str | None:
    rule = IMAGE_RULES[field]
    if _is_svg(upload):
        names = " or ".join(rule.allowed)
        problems.append(
            FieldError(
                field, _("SVG images are not accepted: use a %(names)s image.") % {"names": names}
            )
        )
        return None
    try:
        return image_upload_extension(
            upload,
            field=field,
            max_bytes=rule.max_bytes,
            allowed=rule.allowed,
            code=rule.code,
            refusal=rule.refusal,
        )
    except ValidationFailed as refused:
        problems.extend(refused.details)
        return None


def _text_checked(field: str, value: str, problems: list[FieldError]) -> str:
    if not isinstance(value, str):
        problems.append(FieldError(field, _("Must be text.")))
        return ""
    value = value.replace("\r\n", "\n").strip()
    if len(value) > TEXT_LIMITS[field]:
        problems.append(
            FieldError(
                field,
                _("Use at most %(limit)s characters.") % {"limit": TEXT_LIMITS[field]},
            )
        )
    one_line = field == "email_sender_name"
    for character in value:
        if character == "\n" and not one_line:
            continue
        if unicodedata.category(character) == "Cc":
            problems.append(
                FieldError(
                    field,
                    _("Use plain text on one line.")
                    if one_line
                    else _("Use plain text without control characters."),
                )
            )
            break
    if one_line and any(character in value for character in '<>"@'):
        problems.append(FieldError(field, _('Use a name without <, >, " or @.')))
    return value


def _checked(
    current: BrandingValues, changes: dict[str, str | None], images: dict[str, UploadedFile]
) -> _Checked:
    """Every problem with the changes at once, contrast of the resulting colours included."""
    problems: list[FieldError] = []
    values = {name: getattr(current, name) for name in VALUE_FIELDS}
    for name, value in changes.items():
        if value is None:
            continue
        if name in ("primary_colour", "accent_colour"):
            try:
                HEX_COLOUR(value)
            except Exception:
                problems.append(FieldError(name, _("Use a colour such as #3b5bdb.")))
                continue
            values[name] = value.lower()
        elif name == "font":
            if value not in Font.values:
                problems.append(FieldError(name, _("Choose one of the fonts offered.")))
                continue
            values[name] = value
        else:
            values[name] = _text_checked(name, value, problems)
    checked_images = {}
    for field, upload in images.items():
        extension = _image_checked(field, upload, problems)
        if extension:
            checked_images[field] = (upload, extension)
    if problems:
        raise ValidationFailed(
            BrandingErrorCode.BRANDING_INVALID, _("The branding could not be saved."), problems
        )
    contrast = contrast_problems(
        primary_colour=values["primary_colour"], accent_colour=values["accent_colour"]
    )
    if contrast:
        raise ValidationFailed(
            BrandingErrorCode.COLOUR_CONTRAST_TOO_LOW,
            _("Text would be hard to read on these colours."),
            [FieldError(problem.field, problem.message) for problem in contrast],
        )
    return _Checked(values=values, images=checked_images)


# ------------------------------------------------------------------------------------------
# Files
def _store(folder: str, field: str, upload: UploadedFile, extension: str) -> str:
    upload.seek(0)
    return default_storage.save(f"{folder}/{field}-{secrets.token_hex(8)}.{extension}", upload)


def _forget_unused(old_names: Iterable[str], *rows: BrandingValues) -> None:
    """Delete, after the commit, each of `old_names` that none of `rows` names any more."""
    used = {getattr(row, name).name for row in rows for name in IMAGE_FIELDS}
    for old in set(old_names) - used - {"", None}:
        after_commit(lambda old=old: default_storage.delete(old))


def _locked_published() -> Branding:
    return Branding.objects.select_for_update().get_or_create(pk=1)[0]


def _locked_draft() -> BrandingDraft | None:
    return BrandingDraft.objects.select_for_update().filter(pk=1).first()


def _file_names(branding: BrandingValues) -> list[str]:
    return [getattr(branding, name).name or "" for name in IMAGE_FIELDS]


# ------------------------------------------------------------------------------------------
# The draft
def branding_draft_save(
    *,
    actor: User | None,
    primary_colour: str | None = None,
    accent_colour: str | None = None,
    font: str | None = None,
    welcome_text: str | None = None,
    email_sender_name: str | None = None,
    email_footer: str | None = None,
    logo: UploadedFile | None = None,
    favicon: UploadedFile | None = None,
    login_image: UploadedFile | None = None,
    remove: Iterable[str] = (),
) -> BrandingDraft:
    """Change the draft (only what is given; `remove` names images to drop). Nothing
    anyone else sees changes until it is published. Refused as a whole, naming each field,
    when a value breaks a rule: a colour pair under 4.5:1 (naming the pair and its ratio),
    an image that is not PNG/JPEG (ICO/PNG for the favicon; SVG never), text too long."""
    changes = {
        "primary_colour": primary_colour,
        "accent_colour": accent_colour,
        "font": font,
        "welcome_text": welcome_text,
        "email_sender_name": email_sender_name,
        "email_footer": email_footer,
    }
    uploads = {
        name: upload
        for name, upload in (("logo", logo), ("favicon", favicon), ("login_image", login_image))
        if upload is not None
    }
    unknown = set(remove) - set(IMAGE_FIELDS)
    if unknown:
        raise ValueError(f"not an image of the branding: {sorted(unknown)}")
    with transaction.atomic():
        published = _locked_published()
        draft = _locked_draft()
        if draft is None:
            draft = BrandingDraft(pk=1)
            _copy_values(published, draft)
        checked = _checked(draft, changes, uploads)
        before = _values(draft)
        for name, value in checked.values.items():
            setattr(draft, name, value)
        for name in remove:
            getattr(draft, name).name = ""
        for name, (upload, extension) in checked.images.items():
            getattr(draft, name).name = _store(DRAFT_FOLDER, name, upload, extension)
        draft.save()
        after = _values(draft)
        _forget_unused([before[name] for name in IMAGE_FIELDS], draft, published)
        audit_record(
            action=AuditAction.BRANDING_DRAFT_SAVED,
            actor=actor,
            target=draft,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
        )
    return draft


@transaction.atomic
def branding_publish(*, actor: User | None) -> Branding:
    """Make the draft the branding everyone sees (portal, e-mails, certificates). The draft's
    images are copied where everyone may read them; the draft then names those copies."""
    published = _locked_published()
    draft = _locked_draft()
    if draft is None:
        return published  # nothing was drafted: the published branding already is the draft
    before = _values(published)
    old_files = _file_names(published) + _file_names(draft)
    for name in IMAGE_FIELDS:
        file_name = getattr(draft, name).name or ""
        if file_name.startswith(DRAFT_FOLDER + "/"):
            with default_storage.open(file_name, "rb") as source:
                file_name = default_storage.save(
                    f"{PUBLISHED_FOLDER}/{PurePosixPath(file_name).name}", source
                )
            getattr(draft, name).name = file_name
        getattr(published, name).name = file_name
    for name in VALUE_FIELDS:
        setattr(published, name, getattr(draft, name))
    published.save()
    draft.save()
    _forget_unused(old_files, draft, published)
    after = _values(published)
    audit_record(
        action=AuditAction.BRANDING_PUBLISHED,
        actor=actor,
        target=published,
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
    )
    return published


# ------------------------------------------------------------------------------------------
# Changing the published branding at once (the API's PATCH and logo PUT)
def _colours(branding: Branding) -> dict[str, str]:
    return {"primary_colour": branding.primary_colour, "accent_colour": branding.accent_colour}


@transaction.atomic
def branding_update(
    *,
    primary_colour: str | None = None,
    accent_colour: str | None = None,
    font: str | None = None,
    welcome_text: str | None = None,
    email_sender_name: str | None = None,
    email_footer: str | None = None,
    actor: User | None,
) -> Branding:
    """Change the published branding at once (only what is given), checked as a draft is.
    A draft in progress gets the same change, so publishing it later does not undo it."""
    changes = {
        "primary_colour": primary_colour,
        "accent_colour": accent_colour,
        "font": font,
        "welcome_text": welcome_text,
        "email_sender_name": email_sender_name,
        "email_footer": email_footer,
    }
    # Checked before any row is written, so a refusal leaves no row behind.
    current = Branding.objects.filter(pk=1).first() or Branding(pk=1)
    checked = _checked(current, changes, {})
    branding = _locked_published()
    before = {name: getattr(branding, name) for name in VALUE_FIELDS}
    given = {name for name, value in changes.items() if value is not None}
    for name in given:
        setattr(branding, name, checked.values[name])
    branding.save()
    draft = _locked_draft()
    if draft is not None:
        for name in given:
            setattr(draft, name, checked.values[name])
        draft.save()
    after = {name: getattr(branding, name) for name in VALUE_FIELDS}
    audit_record(
        action=AuditAction.BRANDING_CHANGED,
        actor=actor,
        target=branding,
        before={k: v for k, v in before.items() if after[k] != v} or _colours(branding),
        after={k: v for k, v in after.items() if before[k] != v} or _colours(branding),
    )
    return branding


def branding_image_set(*, field: str, upload: UploadedFile, actor: User | None) -> Branding:
    """Replace one published image (logo: PNG or JPEG of at most 1 MB; favicon: ICO or PNG;
    sign-in image: PNG or JPEG of at most 2 MB). A draft in progress gets it too."""
    problems: list[FieldError] = []
    extension = _image_checked(field, upload, problems)
    if problems:
        rule = IMAGE_RULES[field]
        raise ValidationFailed(rule.code, rule.refusal, problems)
    with transaction.atomic():
        branding = _locked_published()
        draft = _locked_draft()
        old = getattr(branding, field).name or ""
        upload.seek(0)
        name = default_storage.save(f"{PUBLISHED_FOLDER}/{field}.{extension}", upload)
        getattr(branding, field).name = name
        branding.save()
        old_draft = ""
        if draft is not None:
            old_draft = getattr(draft, field).name or ""
            getattr(draft, field).name = name
            draft.save()
        _forget_unused([old, old_draft], branding, *([draft] if draft else []))
        audit_record(
            action=AuditAction.BRANDING_LOGO_CHANGED
            if field == "logo"
            else AuditAction.BRANDING_CHANGED,
            actor=actor,
            target=branding,
            before={field: old},
            after={field: name},
        )
    return branding


def branding_logo_set(*, upload: UploadedFile, actor: User | None) -> Branding:
    """Replace the published logo with a PNG or JPEG of at most 1 MB."""
    return branding_image_set(field="logo", upload=upload, actor=actor)
