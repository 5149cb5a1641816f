"""The e-mails a tenant's admins get when the platform could not charge their plan, and
when the portal is suspended for it; both carry the signed pay link (pay_links)."""

from __future__ import annotations

from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext as _

from billing.subscriptions.models import TenantSubscription
from billing.subscriptions.pay_links import pay_link_url
from billing.subscriptions.services.dunning import grace_ends
from core.languages import as_read_by
from tenant_apps.notifications.services import tenant_email_send, tenant_identity
from tenant_apps.people.selectors import active_admins


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
    sent = 0
    for admin in active_admins():
        with as_read_by(locale=admin.locale, zone=admin.zone):
            if suspended:
                subject = _("Your Lectern portal is suspended until its payment arrives")
            else:
                subject = _("Payment for your Lectern plan failed")
            tenant_email_send(
                to=admin.email,
                subject=subject,
                template="billing_payment_failed",
                context={**context, "user": admin},
                tenant=tenant,
            )
        sent += 1
    return sent
