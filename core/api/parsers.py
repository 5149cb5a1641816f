"""JSON input that the database can store (no lone UTF-16 surrogates), of the types and
fields the API document gives (core.api.contract)."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from core.api.contract import check_json_body


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(item) for item in value)
    return False


class StrictJSONParser(JSONParser):
    """JSON allows `"\\ud800"`, which no UTF-8 text (PostgreSQL's, or our responses) can
    hold; refuse it as a parse error rather than fail later."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _has_lone_surrogate(data):
            raise ParseError("JSON strings may not contain unpaired surrogate escapes.")
        request = (parser_context or {}).get("request")
        if request is not None:
            check_json_body(request, data)
        return data
