"""Create (once) the platform operator and the demo tenant with its people, and print how
to sign in. Safe to run again: it only fills what is missing."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from shared_apps.operators.services import operator_create
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.services import tenant_create
from tenant_apps.people.models import Role, User
from tenant_apps.people.services import tenant_base_url, user_create

OPERATOR_EMAIL = "operator@example.com"
OPERATOR_PASSWORD = "lectern-operator"  # noqa: S105 - printed for local development only
DEMO_SLUG = "demo"
DEMO_PEOPLE = [
    ("admin@demo.example.com", "Ada Admin", Role.ADMIN, "demo-admin-pass"),
    ("instructor@demo.example.com", "Ivan Instructor", Role.INSTRUCTOR, "demo-instructor-pass"),
    ("creator@demo.example.com", "Cora Creator", Role.CONTENT_CREATOR, "demo-creator-pass"),
    ("learner@demo.example.com", "Lena Learner", Role.LEARNER, "demo-learner-pass"),
    ("sam@demo.example.com", "Sam Learner", Role.LEARNER, "demo-learner-pass"),
    ("noor@demo.example.com", "Noor Learner", Role.LEARNER, "demo-learner-pass"),
]


class Command(BaseCommand):
    help = "Create the operator account and the demo tenant (once) and print the logins."

    def handle(self, *args, **options) -> None:
        operator = User.objects.filter(email__lower=OPERATOR_EMAIL).first() or operator_create(
            email=OPERATOR_EMAIL, password=OPERATOR_PASSWORD, full_name="Platform Operator"
        )
        tenant = Tenant.objects.filter(slug=DEMO_SLUG).first()
        if tenant is None:
            tenant = tenant_create(
                slug=DEMO_SLUG,
                name="Demo Academy",
                admin_email=DEMO_PEOPLE[0][0],
                plan_code="standard",
                operator_id=operator.pk,
            ).tenant
        with schema_context(tenant.schema_name):
            for email, name, role, password in DEMO_PEOPLE:
                person = User.objects.filter(email__lower=email).first()
                if person is None:
                    person = user_create(email=email, full_name=name, role=role)
                if not person.has_usable_password():
                    person.full_name = person.full_name or name
                    person.set_password(password)
                    person.save()

        operator_url = tenant_base_url(settings.BASE_DOMAIN)
        tenant_url = tenant_base_url(f"{DEMO_SLUG}.{settings.BASE_DOMAIN}")
        lines = [
            "",
            f"Operator console  {operator_url}/admin/",
            f"  {OPERATOR_EMAIL} / {OPERATOR_PASSWORD}",
            f"Operator API      {operator_url}/api/platform/v1/tenants"
            "  (token: lectern operators token " + OPERATOR_EMAIL + ")",
            f"Demo tenant       {tenant_url}/",
        ]
        lines += [
            f"  {role.label:<16} {email} / {password}"
            for email, _name, role, password in DEMO_PEOPLE[:4]
        ]
        self.stdout.write("\n".join(lines))
