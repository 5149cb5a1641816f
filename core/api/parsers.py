"""JSON input that the database can store and the server can read without recursing (no
lone UTF-16 surrogates, no nesting deeper than MAX_JSON_DEPTH), of the types and fields the
API document gives (core.api.contract)."""

from __future__ import annotations

import json
import re
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.utils.json import strict_constant

from core.api.contract import check_json_body

# No request body of ours nests more than a few levels; 64 leaves room and stays far from
# the recursion limits of the decoder and of everything that walks the result.
MAX_JSON_DEPTH = 64

# What can change the nesting depth: brackets, and the quotes and backslashes that decide
# whether a bracket sits inside a string.
_STRUCTURE = re.compile(r'[\[\]{}"\\]')


def json_nesting_exceeds(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text opens more than `limit` arrays or objects inside one another.

    One pass over the brackets, quotes and backslashes (found by a regular expression, so a
    large flat body costs little), without recursion and without parsing: brackets inside
    strings do not count. Run before the decoder, which recurses once per level."""
    depth = 0
    in_string = False
    escaped = -1  # the position a backslash inside a string makes literal
    for match in _STRUCTURE.finditer(text):
        position = match.start()
        if position == escaped:
            continue
        char = text[position]
        if in_string:
            if char == "\\":
                escaped = position + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _has_lone_surrogate(value: Any) -> bool:
    """Walks the parsed body with a list, not recursion (the depth is bounded anyway)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


class StrictJSONParser(JSONParser):
    """DRF's JSON parser, refusing as a parse error (400) what would fail later:

    * nesting deeper than MAX_JSON_DEPTH, checked on the text before decoding, so the
      decoder's recursion never meets it (a 500 before, even on the unauthenticated login);
    * `"\\ud800"`, which JSON allows and no UTF-8 text (PostgreSQL's, or our responses)
      can hold."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})  # text encodings only
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(
                _("JSON parse error - the body is not valid %(encoding)s.") % {"encoding": encoding}
            ) from exc
        if json_nesting_exceeds(text):
            raise ParseError(
                _("JSON may nest arrays and objects at most %(depth)s deep.")
                % {"depth": MAX_JSON_DEPTH}
            )
        try:
            data = json.loads(text, parse_constant=strict_constant if self.strict else None)
        except ValueError as exc:
            raise ParseError(_("JSON parse error - %(problem)s") % {"problem": exc}) from exc
        if _has_lone_surrogate(data):
            raise ParseError(_("JSON strings may not contain unpaired surrogate escapes."))
        request = (parser_context or {}).get("request")
        if request is not None:
            check_json_body(request, data)
        return data
