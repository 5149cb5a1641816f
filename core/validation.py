"""Checks of loose input (JSON values) that collect every field's problem before failing."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from core.errors import FieldError, ValidationFailed

# Checks one field: (problems so far, field name, value) → the value cleaned.
FieldCleaner = Callable[[list[FieldError], str, Any], Any]


def is_whole_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def text_field(
    errors: list[FieldError], field: str, value: Any, *, limit: int, required: bool = True
) -> str:
    """The value stripped, or "" with a problem recorded for `field`."""
    if not isinstance(value, str):
        errors.append(FieldError(field, _("Must be text.")))
        return ""
    value = value.strip()
    if required and not value:
        errors.append(FieldError(field, _("This field may not be blank.")))
    elif len(value) > limit:
        errors.append(FieldError(field, _("Use at most %(limit)s characters.") % {"limit": limit}))
    return value


def flag_field(errors: list[FieldError], field: str, value: Any) -> bool:
    """The value, with a problem recorded for `field` unless it is true or false."""
    if not isinstance(value, bool):
        errors.append(FieldError(field, _("Use true or false.")))
    return value


def whole_number_field(
    errors: list[FieldError], field: str, value: Any, *, low: int, high: int
) -> int:
    """The value, or `low` with a problem recorded for `field`."""
    if not is_whole_number(value) or not low <= value <= high:
        errors.append(
            FieldError(
                field,
                _("Use a whole number from %(low)s to %(high)s.") % {"low": low, "high": high},
            )
        )
        return low
    return value


FORMAT_NAMES = {"WEBP": "WebP"}


def image_upload_extension(
    upload: UploadedFile,
    *,
    field: str,
    max_bytes: int,
    allowed: dict[str, str],
    code: Enum,
    refusal: str,
) -> str:
    """Check an uploaded image by its content (not its name): size, decodable, and one of
    `allowed` (Pillow format → file extension). Returns the extension to store it under;
    raises ValidationFailed naming `field` otherwise. Leaves the file at its start."""
    from PIL import Image, UnidentifiedImageError

    def refuse(message: str) -> ValidationFailed:
        return ValidationFailed(code, refusal, [FieldError(field, message)])

    if upload.size is None or upload.size > max_bytes:
        size = (
            f"{max_bytes // (1024 * 1024)} MB" if max_bytes >= 1024 * 1024 else f"{max_bytes} bytes"
        )
        raise refuse(_("Use an image of at most %(size)s.") % {"size": size})
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise refuse(_("The file is not an image.")) from exc
    finally:
        upload.seek(0)
    if kind not in allowed:
        names = [FORMAT_NAMES.get(name, name) for name in allowed]
        listed = ", ".join(names[:-1]) + (" or " if len(names) > 1 else "") + names[-1]
        raise refuse(_("Use a %(formats)s image.") % {"formats": listed})
    return allowed[kind]
