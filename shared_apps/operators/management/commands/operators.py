"""`lectern operators create EMAIL` and `lectern operators token EMAIL`."""

from __future__ import annotations

import getpass

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from shared_apps.operators.services import operator_create, operator_token_issue


class Command(BaseCommand):
    help = "Create platform operators and issue their API tokens."

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create an operator (or reset a password).")
        create.add_argument("email")
        create.add_argument("--name", default="")
        create.add_argument("--password", help="Prompted for when omitted.")
        token = actions.add_parser("token", help="Issue an API token (printed once).")
        token.add_argument("email")
        token.add_argument("--name", default="cli")

    def handle(self, *args, **options) -> None:
        connection.set_schema_to_public()
        if options["action"] == "create":
            password = options["password"] or getpass.getpass("Password: ")
            user = operator_create(
                email=options["email"], password=password, full_name=options["name"]
            )
            self.stdout.write(f"Operator {user.email} is ready.")
            return
        user = (
            get_user_model()
            .objects.filter(email__lower=options["email"].lower(), is_staff=True)
            .first()
        )
        if user is None:
            raise CommandError(f"No operator {options['email']}.")
        issued = operator_token_issue(user=user, name=options["name"])
        self.stdout.write(issued.secret)
