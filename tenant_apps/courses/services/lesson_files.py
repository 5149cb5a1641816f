"""Files of lessons: attachments and uploaded videos, checked by their content."""

from __future__ import annotations

import codecs
import zipfile

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from core.errors import FieldError, ValidationFailed
from tenant_apps.courses.errors import CourseErrorCode
from tenant_apps.courses.limits import (
    ATTACHMENT_MAX_BYTES,
    DOCUMENT_TYPES,
    STORED_NAME_MAX,
    VIDEO_MAX_BYTES,
    VIDEO_TYPES,
)
from tenant_apps.courses.models import (
    Lesson,
    LessonKind,
)
from tenant_apps.courses.services.common import delete_files_after_commit, lock_lesson


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _stored_name(name: str, fallback: str) -> str:
    """A safe, short file name keeping the author's name where possible."""
    extension = _extension(name)
    root = name.rsplit(".", 1)[0] if extension else name
    try:
        root = get_valid_filename(root.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
    except SuspiciousFileOperation:
        root = fallback
    return f"{root[:STORED_NAME_MAX]}.{extension}"


def _read_head(upload: UploadedFile, size: int) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _document_content_matches(upload: UploadedFile, family: str) -> bool:
    """Whether the bytes look like the document type its extension claims."""
    head = _read_head(upload, 64 * 1024)
    if family == "pdf":
        return head.startswith(b"%PDF-")
    if family == "ole":  # legacy Office (Compound File Binary)
        return head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    if family == "rtf":
        return head.startswith(b"{\\rtf")
    if family in {"ooxml", "odf"}:
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return False
        finally:
            upload.seek(0)
        return ("[Content_Types].xml" if family == "ooxml" else "mimetype") in names
    # Plain text: UTF-8 without NUL bytes (a multi-byte character may be cut at the end).
    if b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _video_content_matches(upload: UploadedFile, family: str) -> bool:
    head = _read_head(upload, 12)
    if family == "iso":  # MP4 and QuickTime: a box such as "ftyp" after the size
        return head[4:8] in {b"ftyp", b"moov", b"mdat", b"wide", b"free"}
    if family == "ebml":  # WebM
        return head.startswith(b"\x1a\x45\xdf\xa3")
    return head.startswith(b"OggS")


def _lesson_of_kind(lesson: Lesson, kind: LessonKind, field: str, code: CourseErrorCode) -> None:
    if lesson.kind != kind:
        raise ValidationFailed(
            code,
            _("Only %(label)s lessons take this upload.") % {"label": kind.label.lower()},
            [FieldError(field, _("This is a %(kind)s lesson.") % {"kind": lesson.kind})],
        )


def lesson_attachment_set(*, lesson: Lesson, upload: UploadedFile) -> Lesson:
    """Attach a document (PDF, Office, OpenDocument, RTF, text, Markdown or CSV; at most
    50 MB) to a file lesson, replacing any earlier one."""
    code = CourseErrorCode.ATTACHMENT_INVALID
    _lesson_of_kind(lesson, LessonKind.FILE, "attachment", code)

    def refuse(message: str) -> ValidationFailed:
        return ValidationFailed(
            code, _("The attachment was refused."), [FieldError("attachment", message)]
        )

    if upload.size is None or upload.size > ATTACHMENT_MAX_BYTES:
        raise refuse(
            _("Use a file of at most %(megabytes)s MB.")
            % {"megabytes": ATTACHMENT_MAX_BYTES // (1024 * 1024)}
        )
    extension = _extension(upload.name or "")
    if extension not in DOCUMENT_TYPES:
        raise refuse(
            _("Use one of these types: %(choices)s.")
            % {"choices": ", ".join(sorted(DOCUMENT_TYPES))}
        )
    if not _document_content_matches(upload, DOCUMENT_TYPES[extension]):
        raise refuse(
            _("The file's content is not a .%(extension)s document.") % {"extension": extension}
        )
    return _lesson_file_store(lesson, "attachment", upload, _stored_name(upload.name, "attachment"))


def lesson_video_set(*, lesson: Lesson, upload: UploadedFile) -> Lesson:
    """Upload the video of a video lesson (MP4, MOV, WebM or Ogg; at most 500 MB). It
    replaces the lesson's video URL."""
    code = CourseErrorCode.VIDEO_INVALID
    _lesson_of_kind(lesson, LessonKind.VIDEO, "video_file", code)

    def refuse(message: str) -> ValidationFailed:
        return ValidationFailed(
            code, _("The video was refused."), [FieldError("video_file", message)]
        )

    if upload.size is None or upload.size > VIDEO_MAX_BYTES:
        raise refuse(
            _("Use a video of at most %(megabytes)s MB.")
            % {"megabytes": VIDEO_MAX_BYTES // (1024 * 1024)}
        )
    extension = _extension(upload.name or "")
    if extension not in VIDEO_TYPES:
        raise refuse(
            _("Use one of these types: %(choices)s.") % {"choices": ", ".join(sorted(VIDEO_TYPES))}
        )
    if not _video_content_matches(upload, VIDEO_TYPES[extension]):
        raise refuse(
            _("The file's content is not a .%(extension)s video.") % {"extension": extension}
        )
    return _lesson_file_store(lesson, "video_file", upload, _stored_name(upload.name, "video"))


def _lesson_file_store(lesson: Lesson, field: str, upload: UploadedFile, name: str) -> Lesson:
    upload.seek(0)
    with transaction.atomic():
        locked = lock_lesson(lesson.pk)
        stored = getattr(locked, field)
        old = stored.name
        stored.save(name, upload, save=False)
        changed = [field, "updated_at"]
        if field == "video_file":
            locked.video_url = ""
            changed.append("video_url")
        locked.save(update_fields=changed)
        delete_files_after_commit([old])
    return locked
