"""Telling people things: in-app notifications and tenant-branded e-mails."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone
from django_tenants.utils import get_tenant_domain_model

from core.languages import as_read_by
from tenant_apps.branding.contrast import text_on
from tenant_apps.branding.services import branding_current
from tenant_apps.notifications.models import Notification, NotificationKind
from tenant_apps.people.selectors import active_admins


def notification_send(
    *, recipient_id: int, kind: NotificationKind, title: str, body: str = "", link: str = ""
) -> Notification:
    """Put a notification in a person's in-app inbox."""
    return Notification.objects.create(
        recipient_id=recipient_id, kind=kind, title=title[:200], body=body, link=link[:300]
    )


@dataclass(frozen=True)
class NotificationDraft:
    recipient_id: int
    kind: NotificationKind
    title: str
    body: str = ""
    link: str = ""


def notifications_send(*, drafts: list[NotificationDraft]) -> list[Notification]:
    """Put many notifications in people's inboxes with one insert."""
    return Notification.objects.bulk_create(
        Notification(
            recipient_id=d.recipient_id,
            kind=d.kind,
            title=d.title[:200],
            body=d.body,
            link=d.link[:300],
        )
        for d in drafts
    )


def notification_mark_read(*, recipient_id: int, notification_id: int) -> bool:
    """Mark one of the person's own notifications read; False when it is not theirs."""
    found = Notification.objects.filter(pk=notification_id, recipient_id=recipient_id)
    if not found.exists():
        return False
    found.filter(read_at__isnull=True).update(read_at=timezone.now())
    return True


def notifications_mark_all_read(*, recipient_id: int) -> int:
    return Notification.objects.filter(recipient_id=recipient_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@dataclass(frozen=True)
class TenantIdentity:
    """What an e-mail says about the tenant it comes from."""

    name: str
    host: str
    base_url: str
    brand_colour: str
    # From the published branding (branding.services.branding_current): the text colour that
    # reads on the brand colour, who e-mails come from, the footer (plain text), the logo.
    on_brand_colour: str = "#ffffff"
    sender_name: str = ""
    footer: str = ""
    logo_url: str = ""


def tenant_identity() -> TenantIdentity:
    """The tenant of the schema this code runs in (a request or a Celery task)."""
    domain = (
        get_tenant_domain_model()
        .objects.select_related("tenant")
        .filter(tenant__schema_name=connection.schema_name, is_primary=True)
        .first()
    )
    name = domain.tenant.name if domain else "Lectern"
    host = domain.domain if domain else settings.BASE_DOMAIN
    port = f":{settings.PUBLIC_PORT}" if settings.PUBLIC_PORT else ""
    base_url = f"{settings.PUBLIC_SCHEME}://{host}{port}"
    branding = branding_current()
    return TenantIdentity(
        name=name,
        host=host,
        base_url=base_url,
        brand_colour=branding.primary_colour,
        on_brand_colour=text_on(branding.primary_colour).text,
        sender_name=branding.email_sender_name,
        footer=branding.email_footer,
        logo_url=f"{base_url}{branding.logo.url}" if branding.logo else "",
    )


def tenant_email_send(
    *,
    to: str,
    subject: str,
    template: str,
    context: dict[str, Any],
    tenant: TenantIdentity | None = None,
) -> None:
    """Send `notifications/email/<template>.txt|.html` with the tenant's name and colour
    (`tenant`, else that of the current schema).

    The HTML part wraps the message in the tenant's frame (`base.html`)."""
    tenant = tenant or tenant_identity()
    full_context = {**context, "tenant": tenant}
    text = render_to_string(f"notifications/email/{template}.txt", full_context)
    if tenant.footer:
        text = f"{text.rstrip()}\n\n-- \n{tenant.footer}\n"
    html = render_to_string(f"notifications/email/{template}.html", full_context)
    address = settings.DEFAULT_FROM_EMAIL.split("<")[-1].rstrip(">")
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[to],
        from_email=formataddr((tenant.sender_name or tenant.name, address)),
    )
    message.attach_alternative(html, "text/html")
    message.send()


def admins_email_send(
    *,
    subject: Callable[[], str],
    template: str,
    context: dict[str, Any],
    tenant: TenantIdentity | None = None,
) -> int:
    """E-mail every active admin of the current tenant about its own account (billing,
    domains, certificates, webhooks), each in their language and time zone: `subject` is
    called in it, and `context` gets the admin as `user`. Returns how many went out."""
    tenant = tenant or tenant_identity()
    sent = 0
    for admin in active_admins():
        with as_read_by(locale=admin.locale, zone=admin.zone):
            tenant_email_send(
                to=admin.email,
                subject=subject(),
                template=template,
                context={**context, "user": admin},
                tenant=tenant,
            )
        sent += 1
    return sent
