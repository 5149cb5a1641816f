"""Telling a tenant's admins that one of its verified domains lost its TXT record: when the
lapse starts (with the date it stops routing) and when it has stopped."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from tenant_apps.branding.models import CustomDomain, DomainStatus


def domain_lapse_notify(*, domain_id: int) -> int:
    """E-mail every active admin about the domain's lapse as it stands now (starting, or
    ended by unrouting); returns how many e-mails went. Nothing when it was fixed or
    removed before this ran."""
    # Imported here: the notifications app imports the apps whose e-mails it sends.
    from tenant_apps.notifications.services import admins_email_send, tenant_identity

    domain = CustomDomain.objects.filter(pk=domain_id).first()
    if domain is None:
        return 0
    unrouted = domain.status == DomainStatus.FAILED
    if not unrouted and domain.lapsed_since is None:
        return 0
    tenant = tenant_identity()
    link = tenant.base_url + reverse(
        "manage-domain", kwargs={"domain_id": domain.pk}, urlconf=settings.ROOT_URLCONF
    )

    def subject() -> str:
        if unrouted:
            return _("%(domain)s no longer opens your portal") % {"domain": domain.name}
        return _("%(domain)s: its verification record is gone") % {"domain": domain.name}

    return admins_email_send(
        subject=subject,
        template="custom_domain_lapse",
        context={
            "domain": domain,
            "unrouted": unrouted,
            "stops_at": domain.routing_ends_at,
            "link": link,
        },
        tenant=tenant,
    )
