"""JSON bodies are held to the API document: the JSON types it gives, and no unknown fields.

DRF's fields coerce: `0` passes as the text "0", `"5"` as the number 5, `1` as true, and
fields a serializer does not know are dropped without a word, so a misspelt field in a
PATCH changes nothing and says nothing. The OpenAPI document (built by drf-spectacular
from the same serializers, `additionalProperties: false` on every JSON request object; see
`core.api.schema`) says exactly what a body may hold, so the JSON parser checks each body
against the operation's request schema before any view sees it: a value of another JSON
type, or a field the document does not name, is refused with 400 naming the field.

Only types and field names are checked here; the limits (lengths, ranges, choices,
formats) stay with the serializers that the document was made from, and business rules
with the services.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ValidationError

JsonSchema = dict[str, Any]

_ROUTE_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
_documents: dict[str, dict[tuple[str, str], tuple[JsonSchema, JsonSchema]]] = {}
_lock = threading.Lock()

TYPE_NAMES = {
    "string": gettext_lazy("text"),
    "integer": gettext_lazy("a whole number"),
    "number": gettext_lazy("a number"),
    "boolean": gettext_lazy("true or false"),
    "array": gettext_lazy("a list"),
    "object": gettext_lazy("an object"),
}


def _request_bodies(urlconf: str) -> dict[tuple[str, str], tuple[JsonSchema, JsonSchema]]:
    """(path, method) → (JSON request schema, components) of the document of `urlconf`,
    built once per process."""
    bodies = _documents.get(urlconf)
    if bodies is not None:
        return bodies
    with _lock:
        if urlconf not in _documents:
            from drf_spectacular.generators import SchemaGenerator

            document = SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)
            components = document.get("components", {}).get("schemas", {})
            found = {}
            for path, operations in document["paths"].items():
                for method, operation in operations.items():
                    content = operation.get("requestBody", {}).get("content", {})
                    if "application/json" in content:
                        schema = content["application/json"].get("schema", {})
                        found[(path, method.upper())] = (schema, components)
            _documents[urlconf] = found
    return _documents[urlconf]


def check_json_body(request, data: Any) -> None:
    """Refuse `data` (a parsed JSON body of `request`) unless its types and field names are
    those of the operation's request schema; bodies of operations the document does not
    describe are left to their views."""
    match = getattr(request, "resolver_match", None)
    if match is None or not match.route:
        return
    urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
    path = "/" + _ROUTE_PARAMETER.sub(r"{\1}", match.route)
    body = _request_bodies(urlconf).get((path, request.method))
    if body is None:
        return
    schema, components = body
    problems: list[tuple[str, str]] = []
    _check(data, schema, components, "", problems)
    if problems:
        detail: dict[str, list[str]] = {}
        for field, message in problems:
            detail.setdefault(field or "non_field_errors", []).append(message)
        raise ValidationError(detail)


def _resolve(schema: JsonSchema, components: JsonSchema) -> JsonSchema:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return {**_resolve(schema["allOf"][0], components), **schema, "allOf": None}
    return schema


def _kind(schema: JsonSchema, components: JsonSchema) -> str | None:
    """The one JSON type `schema` allows (through enums and alternatives), or None."""
    if "type" in schema:
        return schema["type"]
    if "enum" in schema:
        kinds = {type(choice) for choice in schema["enum"] if choice is not None}
        return "string" if kinds == {str} else None
    for key in ("anyOf", "oneOf"):
        if key in schema:
            kinds = {_kind(_resolve(part, components), components) for part in schema[key]}
            return kinds.pop() if len(kinds) == 1 else None
    return None


def _is(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return True


def _check(
    value: Any, schema: JsonSchema, components: JsonSchema, field: str, problems: list
) -> None:
    schema = _resolve(schema, components)
    if value is None:
        return  # whether null is allowed is the serializer field's to say (allow_null)
    kind = _kind(schema, components)
    if kind is None:
        return  # free-form values, and alternatives of different types: the serializer's
    if kind == "string" and schema.get("format") == "decimal" and _is(value, "number"):
        return  # DRF's DecimalField reads 1.5 as well as "1.5"; the serializer checks it
    if not _is(value, kind):
        problems.append((field, _("Must be %(type)s.") % {"type": TYPE_NAMES[kind]}))
        return
    if kind == "array" and "items" in schema:
        for index, item in enumerate(value):
            _check(item, schema["items"], components, f"{field}.{index}", problems)
    elif kind == "object":
        properties = schema.get("properties", {})
        for key, item in value.items():
            name = f"{field}.{key}" if field else str(key)
            if key in properties:
                _check(item, properties[key], components, name, problems)
            elif schema.get("additionalProperties") is False:
                problems.append((name, _("Unknown field.")))
