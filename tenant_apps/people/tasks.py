"""E-mails to people, sent by the worker in the tenant's schema."""

from __future__ import annotations

from celery import shared_task

from tenant_apps.notifications.services import tenant_email_send, tenant_identity
from tenant_apps.people.models import User
from tenant_apps.people.services import set_password_url


@shared_task(name="tenant_apps.people.tasks.invitation_send")
def invitation_send(user_id: int) -> None:
    """Invite a person to set their password (the first admin of a new tenant, for one)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    tenant = tenant_identity()
    tenant_email_send(
        to=user.email,
        subject=f"You're invited to {tenant.name} on Lectern",
        template="invitation",
        context={"user": user, "link": set_password_url(user=user, host=tenant.host)},
    )


@shared_task(name="tenant_apps.people.tasks.password_reset_send")
def password_reset_send(user_id: int) -> None:
    """E-mail a person a link to choose a new password."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    tenant = tenant_identity()
    tenant_email_send(
        to=user.email,
        subject=f"Reset your password for {tenant.name}",
        template="password_reset",
        context={"user": user, "link": set_password_url(user=user, host=tenant.host)},
    )
