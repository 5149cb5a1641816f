"""Beat tasks run in each tenant's schema (shared_apps.tenants.tasks.every_tenant_queue)."""

from __future__ import annotations

from celery import shared_task

from billing.payments import emails  # noqa: F401 - registers the receipt e-mail task


@shared_task(name="billing.payments.tasks.overdue_payments_expire")
def overdue_payments_expire() -> int:
    from billing.payments.services.maintenance import overdue_payments_expire as expire

    return expire()


@shared_task(name="billing.payments.tasks.pending_payments_reconcile")
def pending_payments_reconcile() -> int:
    from billing.payments.services.maintenance import pending_payments_reconcile as reconcile

    return reconcile()
