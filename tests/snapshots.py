"""One way to show that an action changed nothing: every row of the tables it could touch,
before and after. A denial test compares the two."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import Model
from django_tenants.utils import get_public_schema_name, schema_context


def snapshot(*models: type[Model], tenant=None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row (all columns, by primary key) of `models` in `tenant`'s schema (else the
    schema the connection points at), plus, in a tenant's schema, its outbox and audit log,
    which any change there writes to. The public schema has neither."""
    from tenant_apps.audit.models import AuditEntry
    from tenant_apps.events.models import OutboxEvent

    schema = tenant.schema if tenant else connection.schema_name
    logs = [] if schema == get_public_schema_name() else [OutboxEvent, AuditEntry]
    tables = dict.fromkeys([*models, *logs])
    with schema_context(schema):
        return {
            model._meta.label: list(model.objects.order_by("pk").values_list()) for model in tables
        }


def tenant_tables() -> list[type[Model]]:
    """Every model with a table in a tenant's schema: for a request that may touch anything."""
    labels = {apps.get_app_config(name.rpartition(".")[2]).label for name in settings.TENANT_APPS}
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in labels and model._meta.managed
    ]


def stored_files() -> list[tuple[str, int]]:
    """Every uploaded file (path under the media folder, size): a refused upload stores
    nothing and removes nothing."""
    root = Path(settings.MEDIA_ROOT)
    return sorted(
        (str(path.relative_to(root)), path.stat().st_size)
        for path in root.rglob("*")
        if path.is_file()
    )
