"""Recording admin actions."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from core.request_context import current_client_ip
from tenant_apps.audit.models import AuditAction, AuditEntry


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def audit_record(
    *,
    action: AuditAction,
    actor,
    target: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    label: str | None = None,
) -> AuditEntry:
    """Record an admin action; the client IP comes from the request being served, if any.
    The entry names its target by `label`, else by what `str(target)` says."""
    return AuditEntry.objects.create(
        action=action,
        actor_id=getattr(actor, "pk", None),
        actor_email=getattr(actor, "email", "") or "",
        target_type=target._meta.model_name,
        target_id=str(target.pk),
        target_label=(label if label is not None else str(target))[:300],
        before=_plain(before or {}),
        after=_plain(after or {}),
        ip_address=current_client_ip(),
    )


# Keys of an entry's before/after that hold what a person is called or reached at.
PERSONAL_KEYS = ("email", "full_name")


def audit_person_forget(*, person: models.Model, label: str) -> int:
    """Make the log stop naming an anonymised person: entries about them or by them name
    them by `label` instead, and lose the e-mail and name they recorded. What was done,
    when and by whom (by id) stays. Returns how many entries changed."""
    AuditEntry.objects.filter(actor_id=person.pk).update(actor_email=label)
    about = AuditEntry.objects.filter(target_type=person._meta.model_name, target_id=str(person.pk))
    changed = 0
    for entry in about.only("pk", "before", "after"):
        before = {k: v for k, v in entry.before.items() if k not in PERSONAL_KEYS}
        after = {k: v for k, v in entry.after.items() if k not in PERSONAL_KEYS}
        AuditEntry.objects.filter(pk=entry.pk).update(
            target_label=label[:300], before=before, after=after
        )
        changed += 1
    return changed
