"""One way to show that an action changed nothing: every row of the tables it could touch,
before and after. A denial test compares the two."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django_tenants.utils import schema_context


def snapshot(tenant, *models: type[Model]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row (all columns, by primary key) of `models` in `tenant`'s schema, plus its
    outbox and audit log, which any change writes to."""
    from tenant_apps.audit.models import AuditEntry
    from tenant_apps.events.models import OutboxEvent

    tables = dict.fromkeys([*models, OutboxEvent, AuditEntry])
    with schema_context(tenant.schema):
        return {
            model._meta.label: list(model.objects.order_by("pk").values_list()) for model in tables
        }
