"""Publishes the webhook event catalogue in the API's OpenAPI document: one component schema
per event type, `WebhookEvent_<type>` (a drf-spectacular post-processing hook, listed in the
settings). The catalogue's schemas are JSON Schema 2020-12; the document is OpenAPI 3.0, so
each is rewritten in its dialect (`const` as a one-value `enum`, `["x", "null"]` as
`nullable`)."""

from __future__ import annotations

from typing import Any

from webhooks.catalogue import EVENT_TYPES


def openapi30(schema: Any) -> Any:
    """A JSON Schema 2020-12 fragment as an OpenAPI 3.0 schema object."""
    if isinstance(schema, list):
        return [openapi30(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "$schema":
            continue
        if key == "const":
            converted["enum"] = [value]
        elif key == "type" and isinstance(value, list):
            kinds = [kind for kind in value if kind != "null"]
            if len(kinds) == 1:
                converted["type"] = kinds[0]
            if "null" in value:
                converted["nullable"] = True
        elif key == "properties":
            converted[key] = {name: openapi30(sub) for name, sub in value.items()}
        else:
            converted[key] = openapi30(value)
    return converted


def component_name(event_type: str) -> str:
    return "WebhookEvent_" + event_type


def event_types_publish(result: dict, generator, request, public) -> dict:
    """Add each event type's payload schema to `components.schemas`."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for entry in EVENT_TYPES:
        schemas[component_name(entry.name)] = openapi30(entry.payload_schema())
    return result
