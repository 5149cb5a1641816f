"""Reading an uploaded people CSV robustly: the encoding (UTF-8 with or without a byte-order
mark, else Latin-1/Windows-1252), the delimiter (sniffed), size and row limits, and rows
whose shape is wrong reported by line instead of failing the file."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.errors import FieldError, ValidationFailed
from tenant_apps.imports.errors import ImportErrorCode

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
DELIMITERS = ",;\t|"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class ParsedFile:
    columns: list[str]
    # (line number in the file, {column: value})
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    # (line number, reason)
    errors: list[tuple[int, str]] = field(default_factory=list)
    encoding: str = "utf-8"
    delimiter: str = ","


def cell_safe(value: object) -> str:
    """A value echoed back where a spreadsheet may open it: one that would start a formula
    gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(ImportErrorCode.FILE_INVALID, message, [FieldError("file", message)])


def text_decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (a byte-order mark dropped), else Windows-1252, else Latin-1
    (which decodes any bytes)."""
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding), "utf-8" if encoding == "utf-8-sig" else encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def delimiter_sniff(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        counts = {d: first.count(d) for d in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def people_csv_parse(
    data: bytes, *, max_bytes: int = MAX_FILE_BYTES, max_rows: int = MAX_ROWS
) -> ParsedFile:
    """The file's header and rows; raises ValidationFailed (field `file`) for a file that
    cannot be read at all."""
    if len(data) > max_bytes:
        raise _refuse(
            _("The file is larger than %(size)d MB.") % {"size": max_bytes // (1024 * 1024)}
        )
    if b"\x00" in data:
        raise _refuse(_("This is not a CSV file (it holds binary data)."))
    text, encoding = text_decode(data)
    if not text.strip():
        raise _refuse(_("The file is empty."))
    delimiter = delimiter_sniff(text[:8192])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except (csv.Error, StopIteration) as exc:
        raise _refuse(_("The file's first line cannot be read as column names.")) from exc
    columns = [name.strip() for name in header]
    if not any(columns):
        raise _refuse(_("The file's first line holds no column names."))
    if len({c.lower() for c in columns if c}) != len([c for c in columns if c]):
        raise _refuse(_("Two columns of the file have the same name."))
    parsed = ParsedFile(columns=columns, encoding=encoding, delimiter=delimiter)
    line = reader.line_num
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            parsed.errors.append((start, _("The line cannot be read: %(why)s") % {"why": exc}))
            # The reader cannot resume after a broken quote: the rest is unreadable.
            break
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(parsed.rows) >= max_rows:
            raise _refuse(_("The file has more than %(rows)d rows.") % {"rows": max_rows})
        if len(cells) != len(columns):
            parsed.errors.append(
                (
                    start,
                    _("The line has %(found)d values where the header has %(wanted)d.")
                    % {"found": len(cells), "wanted": len(columns)},
                )
            )
            continue
        parsed.rows.append((start, {c: v.strip() for c, v in zip(columns, cells, strict=True)}))
    return parsed
