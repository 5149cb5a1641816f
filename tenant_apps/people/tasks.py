"""E-mails to people, sent by the worker in the tenant's schema."""

from __future__ import annotations

from celery import shared_task
from django.core.mail import send_mail
from django.db import connection
from django.template.loader import render_to_string
from django_tenants.utils import get_tenant_domain_model

from tenant_apps.people.models import User
from tenant_apps.people.services import set_password_url


def _primary_domain():
    """The primary domain (and tenant) of the schema this task runs in."""
    return (
        get_tenant_domain_model()
        .objects.select_related("tenant")
        .filter(tenant__schema_name=connection.schema_name, is_primary=True)
        .first()
    )


@shared_task(name="tenant_apps.people.tasks.invitation_send")
def invitation_send(user_id: int) -> None:
    """Invite a person to set their password (the first admin of a new tenant, for one)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    domain = _primary_domain()
    if domain is None:
        return
    context = {
        "user": user,
        "tenant_name": domain.tenant.name,
        "link": set_password_url(user=user, host=domain.domain),
    }
    send_mail(
        subject=f"You're invited to {domain.tenant.name} on Lectern",
        message=render_to_string("people/email/invitation.txt", context),
        from_email=None,
        recipient_list=[user.email],
        html_message=render_to_string("people/email/invitation.html", context),
    )


@shared_task(name="tenant_apps.people.tasks.password_reset_send")
def password_reset_send(user_id: int) -> None:
    """E-mail a person a link to choose a new password."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    domain = _primary_domain()
    if user is None or domain is None:
        return
    context = {
        "user": user,
        "tenant_name": domain.tenant.name,
        "link": set_password_url(user=user, host=domain.domain),
    }
    send_mail(
        subject=f"Reset your password for {domain.tenant.name}",
        message=render_to_string("people/email/password_reset_link.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
