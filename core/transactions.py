"""Work that must wait for the commit, run in the tenant schema it was asked from."""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, connection, transaction
from django_tenants.utils import schema_context


def after_commit(work: Callable[[], object]) -> None:
    """Run `work` once the current transaction commits, in the schema current *now*.

    Queued tasks take their tenant from the connection when they are published, and storage
    paths are per tenant: whoever happens to hold the connection at commit time must not
    decide. A failure is logged and does not undo the committed change (`robust`)."""
    schema_name = connection.schema_name

    def run_in_schema() -> None:
        with schema_context(schema_name):
            work()

    transaction.on_commit(run_in_schema, robust=True)


def violated_constraint(exc: IntegrityError) -> str | None:
    """The name of the database constraint an IntegrityError broke, so a service can turn
    a lost race into its own named error."""
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)
