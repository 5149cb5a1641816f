"""`lectern tenants create|list|show|suspend|resume|archive|delete|restore|purge|domains`."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core.errors import ApplicationError
from shared_apps.tenants import selectors, services
from shared_apps.tenants.serializers import TenantOutput

SIMPLE_ACTIONS = {
    "suspend": services.tenant_suspend,
    "resume": services.tenant_resume,
    "archive": services.tenant_archive,
    "delete": services.tenant_delete,
    "restore": services.tenant_restore,
}


class Command(BaseCommand):
    help = "Provision and manage tenants."

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Provision a tenant.")
        create.add_argument("slug")
        create.add_argument("--name", required=True)
        create.add_argument("--admin-email", required=True)
        create.add_argument("--plan", default="standard")
        listing = actions.add_parser("list", help="List tenants.")
        listing.add_argument("--status")
        listing.add_argument("--search")
        listing.add_argument("--json", action="store_true")
        show = actions.add_parser("show", help="Show one tenant as JSON.")
        show.add_argument("slug")
        for name in SIMPLE_ACTIONS:
            actions.add_parser(name, help=f"{name.title()} a tenant.").add_argument("slug")
        purge = actions.add_parser("purge", help="Drop a deleted tenant's schema now.")
        purge.add_argument("slug")
        purge.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        add = actions.add_parser("add-domain", help="Add a custom domain.")
        add.add_argument("slug")
        add.add_argument("domain")
        remove = actions.add_parser("remove-domain", help="Remove a custom domain.")
        remove.add_argument("slug")
        remove.add_argument("domain")

    def handle(self, *args, **options) -> None:
        connection.set_schema_to_public()
        try:
            self._run(options)
        except ApplicationError as exc:
            details = "".join(f"\n  {d.field}: {d.message}" for d in exc.details)
            raise CommandError(f"{exc.message}{details}") from exc

    def _run(self, options: dict) -> None:
        action = options["action"]
        if action == "create":
            tenant = services.tenant_create(
                slug=options["slug"],
                name=options["name"],
                admin_email=options["admin_email"],
                plan_code=options["plan"],
            ).tenant
            self.stdout.write(f"Tenant {tenant.slug} is ready at {tenant.slug}.{self._base()}.")
        elif action == "list":
            tenants = selectors.tenant_list(status=options["status"], search=options["search"])
            if options["json"]:
                self.stdout.write(json.dumps(TenantOutput(tenants, many=True).data, default=str))
                return
            for tenant in tenants:
                flag = " (deleted)" if tenant.is_deleted else ""
                self.stdout.write(f"{tenant.slug:<30} {tenant.status:<12} {tenant.name}{flag}")
        elif action == "show":
            tenant = selectors.tenant_get(slug=options["slug"])
            self.stdout.write(json.dumps(TenantOutput(tenant).data, indent=2, default=str))
        elif action in SIMPLE_ACTIONS:
            tenant = SIMPLE_ACTIONS[action](tenant=selectors.tenant_get(slug=options["slug"]))
            state = (
                f"deleted, purged after {tenant.purge_after:%Y-%m-%d}"
                if tenant.is_deleted
                else tenant.status
            )
            self.stdout.write(f"Tenant {tenant.slug}: {state}.")
        elif action == "purge":
            tenant = selectors.tenant_get(slug=options["slug"])
            if not options["yes"]:
                answer = input(f"Drop every table of {tenant.slug} for good? Type its slug: ")
                if answer.strip() != tenant.slug:
                    raise CommandError("Not purged.")
            services.tenant_purge(tenant=tenant)
            self.stdout.write(f"Tenant {tenant.slug} purged.")
        elif action == "add-domain":
            tenant = selectors.tenant_get(slug=options["slug"])
            domain = services.domain_add(tenant=tenant, domain=options["domain"])
            self.stdout.write(f"{domain.domain} now routes to {tenant.slug}.")
        elif action == "remove-domain":
            tenant = selectors.tenant_get(slug=options["slug"])
            services.domain_remove(tenant=tenant, domain=options["domain"])
            self.stdout.write(f"{options['domain']} removed from {tenant.slug}.")

    @staticmethod
    def _base() -> str:
        from django.conf import settings

        return settings.BASE_DOMAIN
