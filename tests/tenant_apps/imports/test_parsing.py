"""Reading uploaded CSVs: encodings, delimiters, limits and broken rows."""

from __future__ import annotations

import pytest

from core.errors import ValidationFailed
from tenant_apps.imports.parsing import cell_safe, people_csv_parse


def test_utf8_with_a_byte_order_mark_and_semicolons():
    data = "\ufeffEmail;Name\nzoe@example.com;Zoë Ärmel\n".encode()
    parsed = people_csv_parse(data)
    assert parsed.columns == ["Email", "Name"]
    assert parsed.delimiter == ";"
    assert parsed.encoding == "utf-8"
    assert parsed.rows == [(2, {"Email": "zoe@example.com", "Name": "Zoë Ärmel"})]


def test_latin1_and_tabs():
    data = "Email\tName\nzoe@example.com\tZoë Ärmel\n".encode("latin-1")
    parsed = people_csv_parse(data)
    assert parsed.delimiter == "\t"
    assert parsed.encoding in {"cp1252", "latin-1"}
    assert parsed.rows[0][1]["Name"] == "Zoë Ärmel"


def test_rows_of_the_wrong_width_are_errors_with_their_line_and_the_rest_is_read():
    data = (
        b"Email,Name\na@example.com,A\nb@example.com\n"
        b'"c@example.com","C\nSecond line"\nd@example.com,D\n'
    )
    parsed = people_csv_parse(data)
    assert [line for line, _ in parsed.rows] == [2, 4, 6]
    assert parsed.rows[1][1]["Name"] == "C\nSecond line"
    assert parsed.errors == [(3, "The line has 1 values where the header has 2.")]


def test_blank_lines_are_skipped():
    parsed = people_csv_parse(b"Email,Name\n\na@example.com,A\n,\n")
    assert parsed.rows == [(3, {"Email": "a@example.com", "Name": "A"})]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "This is not a CSV file (it holds binary data)."),
        (b"Email,email\na,b\n", "Two columns of the file have the same name."),
    ],
)
def test_unreadable_files_are_refused_on_the_file_field(data, message):
    with pytest.raises(ValidationFailed) as caught:
        people_csv_parse(data)
    assert caught.value.message == message
    assert caught.value.details[0].field == "file"


def test_limits():
    with pytest.raises(ValidationFailed, match="larger than"):
        people_csv_parse(b"Email\n" + b"a@example.com\n" * 100, max_bytes=1024 * 1024 // 1000)
    with pytest.raises(ValidationFailed, match="more than 2 rows"):
        people_csv_parse(b"Email\na@x.io\nb@x.io\nc@x.io\n", max_rows=2)


def test_values_that_would_start_a_formula_are_defused():
    assert cell_safe('=HYPERLINK("http://evil")') == '\'=HYPERLINK("http://evil")'
    assert cell_safe("+1") == "'+1"
    assert cell_safe("@SUM(A1)") == "'@SUM(A1)"
    assert cell_safe("ada@example.com") == "ada@example.com"
