"""What a webhook says: the thin, versioned body built from an outbox event.

    {"type": "enrollment.created", "timestamp": "2031-01-15T09:30:00.123456+00:00",
     "data": {"id": 41, "user_id": 7, "course_id": 3, "status": "active", ...},
     "tenant": "acme"}

`data` carries ids and the key fields of the event's subject, never more personal data than
the event needs: no e-mail address, name, locale or time zone of a person (a receiver that
needs them reads the person through the API with its own credentials). What each kind of
subject carries is listed in `DATA_FIELDS`; for a subject not listed there (event types
added later), only ids (`id`, `*_id`), `status` and timestamps (`*_at`) are sent. The body
is versioned by its shape: fields are only ever added, a changed meaning gets a new type.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from django.db import connection
from django_tenants.utils import get_tenant_model

from tenant_apps.events.models import OutboxEvent

TEST_EVENT_TYPE = "webhook.test"

# Per subject type: the fields of the event payload a webhook carries (besides ids and
# `*_at` timestamps, which always go).
DATA_FIELDS: dict[str, tuple[str, ...]] = {
    # A person: role and whether they may sign in; not their e-mail, name, locale, zone.
    "user": ("id", "role", "previous_role", "is_active"),
    "course": (
        "id",
        "slug",
        "title",
        "status",
        "language",
        "is_free",
        "price_amount",
        "currency",
        "certificate_enabled",
    ),
    "enrollment": ("id", "status", "source", "due_at"),
    # A certificate: its public code, not the learner's printed name.
    "certificate": ("id", "code", "course_title", "issued_on"),
    "attempt": ("id", "number", "status", "auto_submitted", "score_percent", "passed"),
}


def _always_sent(key: str) -> bool:
    return key == "id" or key.endswith("_id") or key.endswith("_at") or key == "status"


def event_data(subject_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The `data` of a webhook about an event on a `subject_type` with `payload`."""
    listed = DATA_FIELDS.get(subject_type, ())
    return {key: value for key, value in payload.items() if key in listed or _always_sent(key)}


@cache
def _tenant_slug(schema_name: str) -> str:
    slug = (
        get_tenant_model()
        .objects.filter(schema_name=schema_name)
        .values_list("slug", flat=True)
        .first()
    )
    return slug or schema_name


def tenant_slug() -> str:
    """The slug of the tenant whose schema this code runs in (tasks know only the schema)."""
    return _tenant_slug(connection.schema_name)


def event_body(event: OutboxEvent) -> dict[str, Any]:
    """The body of every webhook message made from `event`."""
    return {
        "type": event.event_type,
        "timestamp": event.occurred_at.isoformat(),
        "data": event_data(event.subject_type, event.payload or {}),
        "tenant": tenant_slug(),
    }


def body_bytes(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed) for a stored payload: compact JSON, UTF-8."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
