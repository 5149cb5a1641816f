"""The e-mail a tenant's admins get when the platform could not charge their plan."""

from __future__ import annotations

from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext as _

from billing.subscriptions.models import TenantSubscription
from billing.subscriptions.services.dunning import grace_ends
from core.languages import as_read_by
from tenant_apps.notifications.services import tenant_email_send, tenant_identity
from tenant_apps.people.selectors import active_admins


def dunning_notice_send() -> int:
    """In the tenant's schema: e-mail each active admin, in their language, that payment
    failed and when the portal will be suspended. Returns how many were sent."""
    account = (
        TenantSubscription.objects.select_related("tenant")
        .filter(tenant__schema_name=connection.schema_name)
        .first()
    )
    if account is None or account.past_due_since is None:
        return 0
    tenant = tenant_identity()
    link = tenant.base_url + reverse("manage-billing-plan")
    sent = 0
    for admin in active_admins():
        with as_read_by(locale=admin.locale, zone=admin.zone):
            tenant_email_send(
                to=admin.email,
                subject=_("Payment for your Lectern plan failed"),
                template="billing_payment_failed",
                context={"user": admin, "grace_ends": grace_ends(account), "link": link},
                tenant=tenant,
            )
        sent += 1
    return sent
