"""The e-mails a tenant's admins get when the platform could not charge their plan, and
when the portal is suspended for it; both carry the signed pay link (pay_links)."""

from __future__ import annotations

from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext as _

from billing.subscriptions.models import TenantSubscription
from billing.subscriptions.pay_links import pay_link_url
from billing.subscriptions.services.dunning import grace_ends
from tenant_apps.notifications.services import admins_email_send, tenant_identity


def dunning_notice_send() -> int:
    """In the tenant's schema: e-mail each active admin, in their language, that payment
    failed and when the portal will be suspended — or, once it is, that it is. Returns how
    many were sent."""
    account = (
        TenantSubscription.objects.select_related("tenant")
        .filter(tenant__schema_name=connection.schema_name)
        .first()
    )
    if account is None or account.past_due_since is None:
        return 0
    suspended = account.suspended_for_nonpayment_at is not None
    tenant = tenant_identity()
    context = {
        "grace_ends": grace_ends(account),
        "suspended": suspended,
        "link": tenant.base_url + reverse("manage-billing-plan"),
        "pay_link": pay_link_url(account.tenant_id),
    }

    def subject() -> str:
        if suspended:
            return _("Your Lectern portal is suspended until its payment arrives")
        return _("Payment for your Lectern plan failed")

    return admins_email_send(
        subject=subject, template="billing_payment_failed", context=context, tenant=tenant
    )
