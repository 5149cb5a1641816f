"""`lectern migrate`: the public schema, the template, the spare pool, then every tenant."""

from __future__ import annotations

import os
import time

from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import connection
from tqdm import tqdm

from shared_apps.tenants import schemas
from shared_apps.tenants.migration_runner import (
    migrate_tenants,
    stream_is_terminal,
    tenant_schema_names,
)


class Command(DjangoMigrateCommand):
    help = (
        "Migrate the public schema, then the tenant template and spare schemas, then every "
        "tenant that is behind, in parallel worker processes."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--workers",
            type=int,
            default=max(2, os.cpu_count() or 2),
            help="Parallel processes for tenant schemas.",
        )
        parser.add_argument(
            "--public-only", action="store_true", help="Only migrate the public schema."
        )

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        verbosity = options["verbosity"]
        connection.set_schema_to_public()
        super().handle(*args, **options)
        if options["public_only"] or options.get("app_label"):
            return

        changed = schemas.template_refresh(verbosity=max(0, verbosity - 1))
        connection.set_schema_to_public()
        if verbosity:
            self.stdout.write(
                "Tenant template: " + ("migrated." if changed else "already current.")
            )

        tenant_schemas = tenant_schema_names()
        bar = None
        if verbosity and stream_is_terminal(self.stderr._out):
            bar = tqdm(
                total=len(tenant_schemas), desc="Tenants", unit="tenant", file=self.stderr._out
            )
        report = migrate_tenants(
            tenant_schemas=tenant_schemas,
            workers=options["workers"],
            progress=bar.update if bar is not None else None,
        )
        if bar is not None:
            bar.close()
        connection.set_schema_to_public()
        schemas.spare_schemas_top_up()

        if verbosity:
            elapsed = time.monotonic() - started
            self.stdout.write(
                f"Tenants: {report.total} in all, {len(report.skipped)} already current, "
                f"{len(report.migrated)} migrated, {len(report.failed)} failed "
                f"({elapsed:.1f} s)."
            )
        for name, error in sorted(report.failed.items()):
            self.stderr.write(f"Tenant schema {name} failed: {error}")
        if report.failed:
            raise CommandError(f"{len(report.failed)} tenant schema(s) failed to migrate.")
