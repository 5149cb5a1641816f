"""Pay links: how a tenant's admins pay an overdue plan when they cannot sign in — the
portal is suspended, or they are away from it. The dunning e-mails carry a signed link to
a page on the platform's public host that opens Stripe's customer portal for that tenant
(cards, open invoices), the way Stripe's own invoice e-mails link to a hosted invoice.

The link names the tenant, is signed with the platform's key (salted for this use) and
expires after BILLING_PAY_LINK_DAYS; it opens nothing but the tenant's billing portal."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from shared_apps.tenants.models import Tenant

SALT = "billing.subscriptions.pay-link"


class PayLinkInvalid(Exception):
    """Not a link we made (altered, or for something else)."""


class PayLinkExpired(Exception):
    """A link we made, older than BILLING_PAY_LINK_DAYS."""


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def pay_link_url(tenant_id: int) -> str:
    """The absolute address of the tenant's pay page on the public host."""
    token = _signer().sign(str(tenant_id))
    path = reverse("billing-pay", kwargs={"token": token}, urlconf=settings.PUBLIC_SCHEMA_URLCONF)
    port = f":{settings.PUBLIC_PORT}" if settings.PUBLIC_PORT else ""
    return f"{settings.PUBLIC_SCHEME}://{settings.BASE_DOMAIN}{port}{path}"


def pay_link_tenant(token: str) -> Tenant:
    """The tenant a pay link names (PayLinkInvalid, PayLinkExpired)."""
    max_age = settings.BILLING_PAY_LINK_DAYS * 86400
    try:
        value = _signer().unsign(token, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise PayLinkExpired from exc
    except signing.BadSignature as exc:
        raise PayLinkInvalid from exc
    tenant = None
    if value.isdigit():
        tenant = Tenant.objects.filter(pk=int(value), purge_after__isnull=True).first()
    if tenant is None:  # deleted since
        raise PayLinkInvalid
    return tenant
