"""The event types an endpoint can subscribe to, each with what it means and the JSON Schema
of the body Lectern POSTs for it: `{"type", "timestamp", "data", "tenant"}`. `data` carries
ids and the key fields of the thing that changed. The body is versioned by its shape:
fields are only ever added (receivers ignore what they do not know, so `data` admits more
properties); a changed meaning gets a new event type.

The API (`/api/v1/webhooks/event-types/`), the OpenAPI document and the admin pages read
this module; endpoint validation accepts exactly these types, or patterns matching one."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

TEST_EVENT_TYPE = "webhook.test"

# An event type or pattern: lower-case dotted words, `*` standing for any part ("course.*",
# "*.completed", "*").
PATTERN_SHAPE = re.compile(r"^(\*|[a-z][a-z_]*)(\.(\*|[a-z][a-z_]*))*$")

_ID = {"type": "integer", "minimum": 1}
_ID_OR_NULL = {"type": ["integer", "null"], "minimum": 1}
_TIME = {"type": "string", "format": "date-time"}
_TIME_OR_NULL = {"type": ["string", "null"], "format": "date-time"}
_DATE = {"type": "string", "format": "date"}
_TEXT = {"type": "string"}
_BOOL = {"type": "boolean"}
_ROLE = {"type": "string", "enum": ["admin", "instructor", "content_creator", "learner"]}


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        # Additive changes within a payload version: receivers must ignore unknown fields.
        "additionalProperties": True,
    }


_DECIMAL = {"type": ["string", "number", "null"]}

# What `data` carries is the delivery engine's choice (webhooks/services/payloads.py): ids,
# `status`, `*_at` times and a few key fields per subject; never a person's e-mail address,
# name, locale or time zone.
_PERSON = _object({"id": _ID, "role": _ROLE, "is_active": _BOOL}, ["id"])
_ROLE_CHANGE = _object(
    {"id": _ID, "role": _ROLE, "previous_role": _ROLE}, ["id", "role", "previous_role"]
)
_COURSE = _object(
    {
        "id": _ID,
        "title": _TEXT,
        "slug": _TEXT,
        "status": {"type": "string", "enum": ["draft", "published", "archived"]},
        "owner_id": _ID_OR_NULL,
        "language": _TEXT,
        "is_free": _BOOL,
        "price_amount": {"type": "integer", "minimum": 0},
        "currency": _TEXT,
        "certificate_enabled": _BOOL,
        "published_at": _TIME_OR_NULL,
        "archived_at": _TIME_OR_NULL,
    },
    ["id"],
)
_ENROLLMENT = _object(
    {
        "id": _ID,
        "user_id": _ID,
        "course_id": _ID,
        "status": {"type": "string", "enum": ["pending", "active", "completed", "cancelled"]},
        "source": _TEXT,
        "group_id": _ID_OR_NULL,
        "assigned_by_id": _ID_OR_NULL,
        "due_at": _TIME_OR_NULL,
        "created_at": _TIME_OR_NULL,
        "activated_at": _TIME_OR_NULL,
        "completed_at": _TIME_OR_NULL,
        "cancelled_at": _TIME_OR_NULL,
    },
    ["id", "user_id", "course_id"],
)
_CERTIFICATE = _object(
    {
        "id": _ID,
        "code": _TEXT,
        "course_title": _TEXT,
        "enrollment_id": _ID,
        "user_id": _ID,
        "course_id": _ID,
        "issued_at": _TIME,
        "issued_on": _DATE,
        "revoked_at": _TIME_OR_NULL,
    },
    ["id", "user_id", "course_id"],
)
_ATTEMPT = _object(
    {
        "id": _ID,
        "quiz_id": _ID,
        "lesson_id": _ID_OR_NULL,
        "course_id": _ID,
        "enrollment_id": _ID,
        "learner_id": _ID,
        "number": {"type": "integer", "minimum": 1},
        "status": _TEXT,
        "auto_submitted": _BOOL,
        "started_at": _TIME_OR_NULL,
        "submitted_at": _TIME_OR_NULL,
        "graded_at": _TIME_OR_NULL,
        "score_percent": _DECIMAL,
        "passed": {"type": ["boolean", "null"]},
    },
    ["id", "quiz_id", "learner_id"],
)
_LESSON_COMPLETION = _object(
    {
        "id": _ID,
        "lesson_id": _ID,
        "course_id": _ID,
        "enrollment_id": _ID,
        "user_id": _ID,
        "completed_at": _TIME,
    },
    ["lesson_id", "enrollment_id", "user_id"],
)
_TEST = _object({"endpoint_id": _ID}, ["endpoint_id"])


@dataclass(frozen=True)
class EventTypeEntry:
    name: str
    description: str  # lazily translated
    data_schema: dict[str, Any]

    @property
    def group(self) -> str:
        return self.name.split(".", 1)[0]

    def payload_schema(self) -> dict[str, Any]:
        """The JSON Schema of the whole body POSTed for this type."""
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": self.name,
            "description": str(self.description),
            "type": "object",
            "properties": {
                "type": {"const": self.name},
                "timestamp": _TIME,
                "tenant": {"type": "string", "description": "The tenant's slug."},
                "data": self.data_schema,
            },
            "required": ["type", "timestamp", "data", "tenant"],
            "additionalProperties": True,
        }


EVENT_TYPES: tuple[EventTypeEntry, ...] = (
    EventTypeEntry("user.created", _("A person was added to the portal."), _PERSON),
    EventTypeEntry("user.updated", _("A person's details changed."), _PERSON),
    EventTypeEntry("user.deactivated", _("A person was deactivated."), _PERSON),
    EventTypeEntry("user.role_changed", _("A person's role changed."), _ROLE_CHANGE),
    EventTypeEntry(
        "user.anonymised",
        _("A deleted person's personal data was replaced; their learning records stay."),
        _PERSON,
    ),
    EventTypeEntry("course.published", _("A course was published."), _COURSE),
    EventTypeEntry("course.updated", _("A published course changed."), _COURSE),
    EventTypeEntry("course.archived", _("A course was archived."), _COURSE),
    EventTypeEntry("enrollment.created", _("Someone was enrolled in a course."), _ENROLLMENT),
    EventTypeEntry("enrollment.activated", _("A pending enrollment became active."), _ENROLLMENT),
    EventTypeEntry("enrollment.cancelled", _("An enrollment was cancelled."), _ENROLLMENT),
    EventTypeEntry(
        "course.enrolled", _("A learner can start a course (enrollment active)."), _ENROLLMENT
    ),
    EventTypeEntry("course.completed", _("A learner completed a course."), _ENROLLMENT),
    EventTypeEntry("lesson.completed", _("A learner completed a lesson."), _LESSON_COMPLETION),
    EventTypeEntry("certificate.issued", _("A certificate was issued."), _CERTIFICATE),
    EventTypeEntry("certificate.revoked", _("A certificate was revoked."), _CERTIFICATE),
    EventTypeEntry("assessment.submitted", _("A quiz attempt was submitted."), _ATTEMPT),
    EventTypeEntry("assessment.graded", _("A quiz attempt was graded."), _ATTEMPT),
    EventTypeEntry(
        TEST_EVENT_TYPE, _("A test event an admin sent from the portal or the API."), _TEST
    ),
)
EVENT_TYPE_NAMES: tuple[str, ...] = tuple(entry.name for entry in EVENT_TYPES)
_BY_NAME = {entry.name: entry for entry in EVENT_TYPES}


def event_type_entry(name: str) -> EventTypeEntry | None:
    return _BY_NAME.get(name)


def pattern_matches(pattern: str, event_type: str) -> bool:
    """Whether subscription `pattern` ("course.*", "*", an exact type) covers `event_type`."""
    return fnmatch.fnmatchcase(event_type, pattern)


def pattern_problem(pattern: str) -> str | None:
    """Why `pattern` cannot be subscribed to (its shape, or no known type matches), or None."""
    if not PATTERN_SHAPE.match(pattern):
        return str(
            _("“%(pattern)s” is not an event type: use names like course.published or course.*.")
        ) % {"pattern": pattern}
    if not any(pattern_matches(pattern, name) for name in EVENT_TYPE_NAMES):
        return str(_("“%(pattern)s” matches no event type Lectern sends.")) % {"pattern": pattern}
    return None
