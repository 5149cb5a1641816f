"""E-mails to people, sent by the worker in the tenant's schema."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.urls import reverse

from tenant_apps.notifications.services import tenant_email_send, tenant_identity
from tenant_apps.people import limits
from tenant_apps.people.models import User
from tenant_apps.people.selectors import personal_tokens_of
from tenant_apps.people.services import set_password_url, wait_in_words


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


def _portal_url(base_url: str, name: str) -> str:
    """A portal page on the tenant's stored primary domain (never a request's Host)."""
    return base_url + reverse(name, urlconf=settings.ROOT_URLCONF)


@shared_task(name="tenant_apps.people.tasks.password_changed_send")
def password_changed_send(user_id: int) -> None:
    """Tell a person their password was replaced and every sign-in ended; list the personal
    API tokens that still work, with the page that revokes them all in one click."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    tenant = tenant_identity()
    tenant_email_send(
        to=user.email,
        subject=f"Your password for {tenant.name} was changed",
        template="password_changed",
        context={
            "user": user,
            "tokens": list(personal_tokens_of(user=user)),
            "tokens_link": _portal_url(tenant.base_url, "personal-tokens"),
            "reset_link": _portal_url(tenant.base_url, "password_reset"),
        },
    )


@shared_task(name="tenant_apps.people.tasks.sign_in_paused_send")
def sign_in_paused_send(user_id: int) -> None:
    """Tell a person that so many wrong passwords were tried on their account that signing
    in to it is paused for everyone for a while."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    tenant = tenant_identity()
    tenant_email_send(
        to=user.email,
        subject=f"Signing in to your {tenant.name} account is paused",
        template="sign_in_paused",
        context={
            "user": user,
            "failures": limits.ACCOUNT_LOCK_FAILURES,
            "pause": wait_in_words(limits.ACCOUNT_LOCK_SECONDS),
            "reset_link": _portal_url(tenant.base_url, "password_reset"),
        },
    )
