"""The OpenAPI document of the API says what the server does, for every operation at once.

drf-spectacular describes the successful answer an operation's view declares. The answers
that come from the machinery every view shares are added here, each with the one error
body of `core.api.errors` (component `ErrorBody`), so that no view has to list them:

* 400 when the operation reads a body or query parameters (`error.details` names each
  field);
* 401 when it reads credentials (a wrong or expired one is refused even where none is
  needed), 403 when it needs a signed-in person of some role, or a CSRF token for a
  browser session;
* 404 when its path names something (or it is a page of a list: a page past the last);
* 409 when it changes something (a duplicate, or a state that does not allow the change);
* 415 when it reads a body, which has the media type the document gives or is refused;
* 429 with `Retry-After` when it is rate-limited.

Errors a view declares itself (a 404 with its own description) keep their words and get
the error body too.

What the document allows, the server accepts as far as shape goes, and what the server
refuses for its shape, the document forbids:
* a JSON request object names all its fields (`additionalProperties: false`), which the
  JSON parser enforces together with the JSON types (core.api.contract);
* text fields of a request say what DRF's `CharField` refuses: NUL characters anywhere,
  and (unless blank is allowed) text that is empty once trimmed;
* query parameters of django-filter filter sets carry the limits their form fields check
  (type from the form field, range, length, no NUL in text), and may be empty (an empty
  filter is no filter); `search` may not hold NUL characters.
Business rules (a due date in the future, a lesson of the same course, an image that is
an image) are the services' to check; they answer 400 with their own error code.
"""

from __future__ import annotations

from math import inf
from typing import Any

from django import forms
from django.core import validators
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.filters import SearchFilter
from rest_framework.permissions import AllowAny
from rest_framework.settings import api_settings

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# What DRF's CharField refuses, as ECMA-262 patterns: a NUL character anywhere; and, unless
# blank is allowed, nothing left once trimmed (Python's whitespace, which str.strip() and
# so DRF remove, is not quite the regex class \s: hence the explicit list).
NO_NUL = "^[^\\u0000]*$"
_SPACE = (
    "\\t\\n\\u000b\\f\\r\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a"
    "\\u2028\\u2029\\u202f\\u205f\\u3000"
)
NOT_BLANK = f"^[^\\u0000]*[^\\u0000{_SPACE}][^\\u0000]*$"


# What Django's EmailValidator and URLValidator take is more than the JSON Schema formats
# say (and less: `a@b.c` is an e-mail address to JSON Schema, not to Django); these patterns
# keep a request the document calls valid one that Django takes.
_HOST = "(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}"
EMAIL = f"^[-!#$%&'*+/=?^_`{{}}|~0-9A-Za-z]+(?:\\.[-!#$%&'*+/=?^_`{{}}|~0-9A-Za-z]+)*@{_HOST}$"
URL = f"^https?://{_HOST}(?::[0-9]{{1,5}})?(?:[/?#][^\\s\\u0000]*)?$"


class ErrorDetail(serializers.Serializer):
    field = serializers.CharField(help_text="The field, e.g. `title` or `options[2].text`.")
    message = serializers.CharField()


class Error(serializers.Serializer):
    code = serializers.CharField(help_text="A stable, machine-readable code.")
    message = serializers.CharField()
    details = ErrorDetail(many=True)


class ErrorBody(serializers.Serializer):
    """Every error of the API."""

    error = Error()


RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 1},
    }
}


class AutoSchema(SpectacularAutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for code, description in self._shared_errors(operation).items():
            responses.setdefault(code, {"description": description})
        error_body = self.resolve_serializer(ErrorBody, "response").ref
        for code, response in responses.items():
            if code.startswith("4") and not response.get("content"):
                response["content"] = {"application/json": {"schema": error_body}}
        if "429" in responses:
            responses["429"].setdefault("headers", {}).update(RETRY_AFTER)
        operation["responses"] = dict(sorted(responses.items()))
        if any(isinstance(backend(), SearchFilter) for backend in self.get_filter_backends()):
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and parameter["name"] == api_settings.SEARCH_PARAM:
                    parameter["schema"].setdefault("pattern", NO_NUL)
        return operation

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        # drf-spectacular offers "" to blank-allowed text with a pattern or format as the
        # second branch of a oneOf; a pattern that takes "" too would match both branches
        # and so, for a oneOf, neither: anyOf says what is meant.
        text = schema
        if schema.get("oneOf", [None])[-1] == {"type": "string", "maxLength": 0}:
            schema["anyOf"] = schema.pop("oneOf")
            text = schema["anyOf"][0]
        if (
            isinstance(field, serializers.CharField)
            and not field.read_only
            and text.get("type") == "string"
            and "pattern" not in text  # a RegexValidator's own pattern says more
            and "enum" not in text
        ):
            by_format = {"email": EMAIL, "uri": URL}.get(text.get("format"))
            if by_format:
                del text["format"]  # the pattern says what Django takes; the format differs
                if by_format is EMAIL:
                    text["maxLength"] = min(text.get("maxLength", 320), 320)
            trimmed_blank = not field.allow_blank and field.trim_whitespace
            text["pattern"] = by_format or (NOT_BLANK if trimmed_blank else NO_NUL)
        if isinstance(field, serializers.DecimalField) and schema.get("type") == "string":
            # a number DRF reads: digits on at least one side of the point, no sign when it
            # may not be negative (drf-spectacular's pattern also takes "" and ".")
            sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
            places = field.decimal_places or 0
            whole = (field.max_digits or 30) - places
            fraction = f"(?:\\.\\d{{0,{places}}})?|\\.\\d{{1,{places}}}" if places else ""
            schema["pattern"] = f"^{sign}(?:\\d{{1,{whole}}}{fraction})$"
        if isinstance(field, serializers.FileField) and not field.allow_empty_file:
            schema["minLength"] = 1  # "The submitted file is empty."

    def _shared_errors(self, operation: dict[str, Any]) -> dict[str, str]:
        view = self.view
        parameters = operation.get("parameters", [])
        reads_body = "requestBody" in operation
        authenticators = view.get_authenticators()
        public = all(isinstance(p, AllowAny) for p in view.get_permissions())
        errors: dict[str, str] = {}
        if reads_body or any(p["in"] == "query" for p in parameters):
            errors["400"] = "Invalid input: `error.details` names each field and what is wrong."
        if authenticators:
            errors["401"] = "No credentials, or ones that are wrong or expired."
        csrf = self.method in UNSAFE_METHODS and any(
            isinstance(a, SessionAuthentication) for a in authenticators
        )
        if not public or csrf:
            errors["403"] = "Not allowed for this person (or a browser session without CSRF)."
        if any(p["in"] == "path" for p in parameters):
            errors["404"] = "Nothing of that id here, or nothing this person may see."
        elif any(p["in"] == "query" and p["name"] == "page" for p in parameters):
            errors["404"] = "A page past the last one."
        if self.method in UNSAFE_METHODS:
            errors["409"] = "Conflicts with the current state: a duplicate, or a state that "
            errors["409"] += "does not allow this change."
        if reads_body:
            media_types = ", ".join(operation["requestBody"]["content"])
            errors["415"] = f"A body of another media type than {media_types}."
        if view.get_throttles():
            errors["429"] = "Too many requests: wait the seconds `Retry-After` gives."
        return errors


class FilterParameters(DjangoFilterExtension):
    """django-filter's parameters, with the limits the filter's form field checks."""

    priority = 1  # before drf-spectacular's own extension for the same backend

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        form_field = filter_field.field
        for parameter in parameters:
            _limit(parameter["schema"], form_field)
            parameter["allowEmptyValue"] = True  # django-filter skips a filter left empty
        return parameters


def _limit(schema: dict[str, Any], form_field: forms.Field) -> None:
    if isinstance(form_field, forms.NullBooleanField | forms.BooleanField):
        schema.clear()
        schema["type"] = "boolean"  # core.api.filters refuses anything but true and false
    elif isinstance(form_field, forms.DecimalField | forms.FloatField):  # IntegerField's kin
        schema["type"] = "number"  # 0.5 is a value the form takes, whatever the column holds
        schema.pop("format", None)
    elif isinstance(form_field, forms.IntegerField):
        schema["type"] = "integer"
        schema.pop("format", None)
    if isinstance(form_field, forms.IntegerField):  # and its kin, Decimal and Float
        for validator in form_field.validators:
            if not isinstance(
                validator, validators.MinValueValidator | validators.MaxValueValidator
            ):
                continue
            # django-filter's 1e50 as the exact whole number the float is, as Python compares
            limit = validator.limit_value
            limit = int(limit) if isinstance(limit, float) and limit.is_integer() else limit
            if isinstance(validator, validators.MinValueValidator):
                schema["minimum"] = max(schema.get("minimum", -inf), limit)
            elif isinstance(validator, validators.MaxValueValidator):
                schema["maximum"] = min(schema.get("maximum", inf), limit)
    if isinstance(form_field, forms.CharField) and schema.get("type") == "string":
        if form_field.max_length is not None:
            schema["maxLength"] = form_field.max_length
        schema.setdefault("pattern", NO_NUL)


def strict_json_request_bodies(result, generator, request, public):
    """drf-spectacular postprocessing hook: every object schema a JSON request body reaches
    (through $refs, properties and items) names all its fields, `additionalProperties:
    false`, as the JSON parser enforces (core.api.contract). Free-form objects (no
    `properties`) stay free; multipart bodies are forms and are not touched."""
    components = result.get("components", {}).get("schemas", {})
    seen: set[int] = set()

    def close(schema: Any) -> None:
        if not isinstance(schema, dict) or id(schema) in seen:
            return
        seen.add(id(schema))
        if "$ref" in schema:
            close(components.get(schema["$ref"].rsplit("/", 1)[-1]))
            return
        if schema.get("properties"):
            schema["additionalProperties"] = False
            for value in schema["properties"].values():
                close(value)
        close(schema.get("items"))
        for key in ("allOf", "anyOf", "oneOf"):
            for part in schema.get(key, []):
                close(part)

    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            close(content.get("application/json", {}).get("schema"))
    return result
