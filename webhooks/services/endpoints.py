"""A tenant's webhook endpoints as its admins set them up (the API and the admin pages call
these): add, change, delete, switch on again, rotate the signing secret.

Every value is checked here and each refusal names its field. The destination is checked
when the endpoint is saved (webhooks.services.destinations: https, no credentials in the URL,
and every address the host resolves to must be public unless the allow-list setting admits
it); the delivery engine checks it again at every delivery.

The secret (`whsec_...`) is made here, sealed at rest (core.secret_box) and handed back
exactly once, by `endpoint_create` and `endpoint_secret_rotate`; after a rotation the
previous secret keeps signing for ROTATION_OVERLAP. Every change is audited without secrets:
the URL without its query, custom header names without their values.

Custom headers: names are HTTP tokens; values are visible ASCII (no line breaks). Refused
names are the hop-by-hop headers, those Lectern sets itself or that frame the request
(`host`, `content-length`, `content-type`, `content-encoding`, `transfer-encoding`,
`user-agent`, `expect`) and every `webhook-*` header (the signature). `authorization` and
other credentials are allowed — a receiver behind an API gateway often needs one — and are
never written to the audit log.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.entitlements import entitlement_require
from core.errors import FieldError, NotFound, ValidationFailed
from core.secret_box import secret_seal
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record
from webhooks.catalogue import pattern_problem
from webhooks.errors import WebhookErrorCode
from webhooks.models import WebhookEndpoint
from webhooks.services.destinations import DestinationRefused, destination_resolve
from webhooks.services.signing import secret_new

ROTATION_OVERLAP = timedelta(hours=24)
URL_MAX_LENGTH = 2000
DESCRIPTION_MAX_LENGTH = 200
MAX_EVENT_TYPES = 50
MAX_CUSTOM_HEADERS = 20
HEADER_NAME_MAX_LENGTH = 64
HEADER_VALUE_MAX_LENGTH = 1000
RATE_LIMIT_MAX = 10_000  # also a check constraint on the table

EDITABLE_FIELDS = (
    "url",
    "description",
    "event_types",
    "enabled",
    "custom_headers",
    "rate_limit_per_second",
)
# RFC 9110 token characters.
_HEADER_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
# Visible ASCII, spaces and tabs; never CR or LF (no header injection).
_HEADER_VALUE = re.compile(r"^[\t\x20-\x7e]*$")
RESERVED_HEADERS = frozenset(
    {
        # Hop-by-hop (RFC 9110 §7.6.1)
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        # Set by Lectern or framing the request
        "host",
        "content-length",
        "content-type",
        "content-encoding",
        "user-agent",
        "expect",
    }
)


# ------------------------------------------------------------------------------------------
# Reading
def endpoint_get(*, endpoint_id: int) -> WebhookEndpoint:
    """This tenant's endpoint `endpoint_id`; another tenant's id is not found (its rows live
    in another schema)."""
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound(WebhookErrorCode.ENDPOINT_NOT_FOUND, _("No such webhook endpoint."))
    return endpoint


def endpoints_all() -> list[WebhookEndpoint]:
    return list(WebhookEndpoint.objects.order_by("created_at", "id"))


# ------------------------------------------------------------------------------------------
# Checking what an admin sent
def url_problem(url: str) -> str | None:
    """Why `url` cannot receive webhooks (its shape, or where its host resolves), or None."""
    if len(url) > URL_MAX_LENGTH:
        return _("At most %(limit)s characters.") % {"limit": URL_MAX_LENGTH}
    try:
        destination_resolve(url)
    except DestinationRefused as refused:
        return refused.reason
    return None


def event_types_normalised(raw: Any) -> tuple[list[str], list[FieldError]]:
    """Event types and patterns, trimmed, duplicates dropped; each must be a known type or
    match at least one. An empty list subscribes to every event type."""
    if isinstance(raw, str) or not isinstance(raw, Iterable):
        return [], [FieldError("event_types", _("Give a list of event types."))]
    types: list[str] = []
    errors: list[FieldError] = []
    for index, item in enumerate(list(raw)[: MAX_EVENT_TYPES + 1]):
        if not isinstance(item, str):
            errors.append(FieldError(f"event_types[{index}]", _("Give the event type as text.")))
            continue
        name = item.strip()
        if not name:
            continue
        problem = pattern_problem(name) if len(name) <= 64 else _("At most 64 characters.")
        if problem:
            errors.append(FieldError(f"event_types[{index}]", problem))
        elif name not in types:
            types.append(name)
    if len(types) > MAX_EVENT_TYPES:
        errors.append(
            FieldError(
                "event_types", _("At most %(limit)s event types.") % {"limit": MAX_EVENT_TYPES}
            )
        )
    return types, errors


def custom_headers_normalised(raw: Any) -> tuple[dict[str, str], list[FieldError]]:
    """Extra headers sent with every delivery, checked as the module says."""
    if raw is None:
        return {}, []
    if not isinstance(raw, dict):
        return {}, [FieldError("custom_headers", _("Give an object of header names and values."))]
    headers: dict[str, str] = {}
    seen: set[str] = set()
    errors: list[FieldError] = []
    for name, value in raw.items():
        where = f"custom_headers.{name}"
        lowered = str(name).lower()
        if not isinstance(name, str) or not _HEADER_NAME.match(name):
            errors.append(
                FieldError(where, _("A header name is letters, digits and - only, no spaces."))
            )
            continue
        if len(name) > HEADER_NAME_MAX_LENGTH:
            errors.append(FieldError(where, _("A header name has at most 64 characters.")))
            continue
        if lowered in RESERVED_HEADERS or lowered.startswith("webhook-"):
            errors.append(
                FieldError(
                    where,
                    _("Lectern sets %(name)s itself; choose another header.") % {"name": name},
                )
            )
            continue
        if lowered in seen:
            errors.append(FieldError(where, _("This header is given twice.")))
            continue
        if not isinstance(value, str) or not _HEADER_VALUE.match(value):
            errors.append(
                FieldError(where, _("A header value is plain text on one line (no line breaks)."))
            )
            continue
        if len(value) > HEADER_VALUE_MAX_LENGTH:
            errors.append(
                FieldError(
                    where,
                    _("A header value has at most %(limit)s characters.")
                    % {"limit": HEADER_VALUE_MAX_LENGTH},
                )
            )
            continue
        seen.add(lowered)
        headers[name] = value.strip()
    if len(raw) > MAX_CUSTOM_HEADERS:
        errors.append(
            FieldError(
                "custom_headers",
                _("At most %(limit)s custom headers.") % {"limit": MAX_CUSTOM_HEADERS},
            )
        )
    return headers, errors


def _values_apply(endpoint: WebhookEndpoint, values: dict[str, Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    for field, value in values.items():
        if field == "url":
            if not isinstance(value, str) or not value.strip():
                errors.append(FieldError("url", _("Give the address to send events to.")))
                continue
            endpoint.url = value.strip()
        elif field == "description":
            if value is None:
                value = ""
            if not isinstance(value, str) or "\x00" in value:
                errors.append(FieldError("description", _("Give text.")))
            elif len(value.strip()) > DESCRIPTION_MAX_LENGTH:
                errors.append(
                    FieldError(
                        "description",
                        _("At most %(limit)s characters.") % {"limit": DESCRIPTION_MAX_LENGTH},
                    )
                )
            else:
                endpoint.description = value.strip()
        elif field == "event_types":
            endpoint.event_types, problems = event_types_normalised(value)
            errors.extend(problems)
        elif field == "enabled":
            if not isinstance(value, bool):
                errors.append(FieldError("enabled", _("Give true or false.")))
            else:
                endpoint.enabled = value
        elif field == "custom_headers":
            endpoint.custom_headers, problems = custom_headers_normalised(value)
            errors.extend(problems)
        elif field == "rate_limit_per_second":
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not 0 <= value <= RATE_LIMIT_MAX
            ):
                errors.append(
                    FieldError(
                        "rate_limit_per_second",
                        _("A whole number from 0 (no limit) to %(limit)s.")
                        % {"limit": RATE_LIMIT_MAX},
                    )
                )
            else:
                endpoint.rate_limit_per_second = value
        else:  # a caller's mistake, not the admin's
            raise TypeError(f"{field} is not a field an admin sets")
    return errors


def _refuse(errors: list[FieldError]) -> None:
    if errors:
        raise ValidationFailed(
            WebhookErrorCode.ENDPOINT_INVALID, _("The webhook endpoint was not saved."), errors
        )


# ------------------------------------------------------------------------------------------
# The audit record (never a secret)
def url_for_audit(url: str) -> str:
    """The URL without its query string or fragment (receivers put tokens there)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "…" if parts.query else "", ""))


def endpoint_audit_values(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "url": url_for_audit(endpoint.url),
        "description": endpoint.description,
        "event_types": list(endpoint.event_types),
        "enabled": endpoint.enabled,
        "custom_header_names": sorted(endpoint.custom_headers),
        "rate_limit_per_second": endpoint.rate_limit_per_second,
    }


def _changes(before: dict, after: dict) -> tuple[dict, dict]:
    changed = [key for key in after if before.get(key) != after[key]]
    return {key: before.get(key) for key in changed}, {key: after[key] for key in changed}


# ------------------------------------------------------------------------------------------
# Writing
@transaction.atomic
def endpoint_create(
    *,
    actor,
    url: str,
    description: str = "",
    event_types: Iterable[str] = (),
    enabled: bool = True,
    custom_headers: dict[str, str] | None = None,
    rate_limit_per_second: int = 0,
) -> tuple[WebhookEndpoint, str]:
    """Add an endpoint; (endpoint, secret). The secret is shown to the admin this once.
    Refused (PlanLimitReached) beyond the endpoints the tenant's plan allows."""
    entitlement_require("webhook_endpoints")
    endpoint = WebhookEndpoint(created_by=actor if getattr(actor, "pk", None) else None)
    errors = _values_apply(
        endpoint,
        {
            "url": url,
            "description": description,
            "event_types": event_types,
            "enabled": enabled,
            "custom_headers": custom_headers or {},
            "rate_limit_per_second": rate_limit_per_second,
        },
    )
    if not any(error.field == "url" for error in errors):
        problem = url_problem(endpoint.url)
        if problem:
            errors.append(FieldError("url", problem))
    _refuse(errors)
    secret = secret_new()
    endpoint.secret_sealed = secret_seal(secret)
    endpoint.save()
    audit_record(
        action=AuditAction.WEBHOOK_ENDPOINT_CREATED,
        actor=actor,
        target=endpoint,
        label=url_for_audit(endpoint.url),
        after=endpoint_audit_values(endpoint),
    )
    return endpoint, secret


def _locked(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    locked = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint.pk).first()
    if locked is None:
        raise NotFound(WebhookErrorCode.ENDPOINT_NOT_FOUND, _("No such webhook endpoint."))
    return locked


def _switched_on(endpoint: WebhookEndpoint) -> None:
    """An endpoint switched (back) on starts afresh: no reason it was off, no failing run."""
    endpoint.disabled_reason = ""
    endpoint.disabled_at = None
    endpoint.failing_since = None


@transaction.atomic
def endpoint_update(*, endpoint: WebhookEndpoint, actor, **changes: Any) -> WebhookEndpoint:
    """Change `changes` (any of EDITABLE_FIELDS; the others stay). A new URL is checked
    again; switching the endpoint on clears why and since when it was failing."""
    locked = _locked(endpoint)
    before = endpoint_audit_values(locked)
    was_enabled = locked.enabled
    url_before = locked.url
    errors = _values_apply(locked, changes)
    if locked.url != url_before and not any(error.field == "url" for error in errors):
        problem = url_problem(locked.url)
        if problem:
            errors.append(FieldError("url", problem))
    _refuse(errors)
    if locked.enabled and not was_enabled:
        _switched_on(locked)
    elif was_enabled and not locked.enabled:
        locked.disabled_at = timezone.now()
        locked.disabled_reason = ""
    locked.save()
    old, new = _changes(before, endpoint_audit_values(locked))
    if new:
        audit_record(
            action=AuditAction.WEBHOOK_ENDPOINT_CHANGED,
            actor=actor,
            target=locked,
            label=url_for_audit(locked.url),
            before=old,
            after=new,
        )
    return locked


def endpoint_enable(*, endpoint: WebhookEndpoint, actor) -> WebhookEndpoint:
    """Switch an endpoint on again (after Lectern switched it off for 410 Gone or days of
    failures, say): its `disabled_reason` and `failing_since` are cleared."""
    return endpoint_update(endpoint=endpoint, actor=actor, enabled=True)


def endpoint_disable(*, endpoint: WebhookEndpoint, actor) -> WebhookEndpoint:
    """Switch an endpoint off by hand: no message is sent to it until it is on again."""
    return endpoint_update(endpoint=endpoint, actor=actor, enabled=False)


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint, actor) -> None:
    """Delete an endpoint with its messages and attempts."""
    locked = _locked(endpoint)
    audit_record(
        action=AuditAction.WEBHOOK_ENDPOINT_DELETED,
        actor=actor,
        target=locked,
        label=url_for_audit(locked.url),
        before=endpoint_audit_values(locked),
    )
    locked.delete()


@transaction.atomic
def endpoint_secret_rotate(*, endpoint: WebhookEndpoint, actor) -> str:
    """Give the endpoint a new secret, returned this once. The current one keeps signing
    beside it for ROTATION_OVERLAP (receivers switch over in that time); a secret still in
    its overlap from an earlier rotation stops signing now."""
    locked = _locked(endpoint)
    secret = secret_new()
    now = timezone.now()
    locked.previous_secret_sealed = locked.secret_sealed
    locked.previous_secret_expires_at = now + ROTATION_OVERLAP
    locked.secret_sealed = secret_seal(secret)
    locked.save(
        update_fields=[
            "secret_sealed",
            "previous_secret_sealed",
            "previous_secret_expires_at",
            "updated_at",
        ]
    )
    audit_record(
        action=AuditAction.WEBHOOK_SECRET_ROTATED,
        actor=actor,
        target=locked,
        label=url_for_audit(locked.url),
        after={"previous_secret_expires_at": locked.previous_secret_expires_at},
    )
    endpoint.secret_sealed = locked.secret_sealed
    endpoint.previous_secret_sealed = locked.previous_secret_sealed
    endpoint.previous_secret_expires_at = locked.previous_secret_expires_at
    return secret
