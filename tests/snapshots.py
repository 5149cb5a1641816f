"""One way to show that an action changed nothing: every row of the tables it could touch,
before and after. A denial test compares the two."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Model
from django_tenants.utils import schema_context


def snapshot(*models: type[Model], tenant=None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row (all columns, by primary key) of `models` in `tenant`'s schema (else the
    schema the connection points at), plus its outbox and audit log, which any change
    writes to."""
    from tenant_apps.audit.models import AuditEntry
    from tenant_apps.events.models import OutboxEvent

    tables = dict.fromkeys([*models, OutboxEvent, AuditEntry])
    with schema_context(tenant.schema if tenant else connection.schema_name):
        return {
            model._meta.label: list(model.objects.order_by("pk").values_list()) for model in tables
        }
