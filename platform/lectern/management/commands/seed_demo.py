"""Create (once) the platform operator and the demo tenant with its people and courses, and
print how to sign in. Safe to run again: it only fills what is missing."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_tenants.utils import schema_context

from lectern.demo import PEOPLE, demo_is_empty, seed_demo_content
from shared_apps.operators.services import operator_create
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.services import tenant_archive, tenant_create, tenant_suspend
from tenant_apps.people.models import User
from tenant_apps.people.services import tenant_base_url

OPERATOR_EMAIL = "operator@example.com"
OPERATOR_PASSWORD = "lectern-operator"  # noqa: S105 - printed for local development only
DEMO_SLUG = "demo"
# Other portals on the platform, so the operator console has more than one tenant to show:
# (slug, name, what the operator did with it).
OTHER_TENANTS = [
    ("northwind", "Northwind Traders", None),
    ("globex", "Globex Corporation", tenant_suspend),
    ("initech", "Initech", tenant_archive),
]


class Command(BaseCommand):
    help = "Create the operator account and the demo tenant (once) and print the logins."

    def handle(self, *args, **options) -> None:
        operator = User.objects.filter(email__lower=OPERATOR_EMAIL).first() or operator_create(
            email=OPERATOR_EMAIL, password=OPERATOR_PASSWORD, full_name="Platform Operator"
        )
        admin_spec = PEOPLE[0]
        tenant = Tenant.objects.filter(slug=DEMO_SLUG).first()
        if tenant is None:
            tenant = tenant_create(
                slug=DEMO_SLUG,
                name="Demo Academy",
                admin_email=admin_spec.email,
                plan_code="standard",
                operator_id=operator.pk,
            ).tenant
            for slug, name, lifecycle in OTHER_TENANTS:
                other = tenant_create(
                    slug=slug,
                    name=name,
                    admin_email=f"admin@{slug}.example.com",
                    plan_code="standard",
                    operator_id=operator.pk,
                ).tenant
                if lifecycle:
                    lifecycle(tenant=other)
        with schema_context(tenant.schema_name), transaction.atomic():
            admin = User.objects.get(email__lower=admin_spec.email)
            if not admin.has_usable_password():
                admin.full_name = admin_spec.name
                admin.set_password(admin_spec.password)
                admin.save()
            if demo_is_empty():
                seed_demo_content(admin=admin)

        operator_url = tenant_base_url(settings.BASE_DOMAIN)
        tenant_url = tenant_base_url(f"{DEMO_SLUG}.{settings.BASE_DOMAIN}")
        lines = [
            "",
            f"Operator console  {operator_url}/tenants/   (Django admin: {operator_url}/admin/)",
            f"  {OPERATOR_EMAIL} / {OPERATOR_PASSWORD}",
            f"Operator API      {operator_url}/api/platform/v1/tenants"
            f"  (token: lectern operators token {OPERATOR_EMAIL})",
            f"Demo tenant       {tenant_url}/   API docs: {tenant_url}/api/v1/docs/",
        ]
        lines += [f"  {p.role.label:<16} {p.email} / {p.password}" for p in PEOPLE]
        self.stdout.write("\n".join(lines))
