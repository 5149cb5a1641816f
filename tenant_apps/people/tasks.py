"""E-mails to people, and anonymising removed people when due, run by the worker in the
tenant's schema."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from core.languages import as_read_by
from tenant_apps.notifications.email_tasks import Email, email_task
from tenant_apps.notifications.services import TenantIdentity
from tenant_apps.people import limits
from tenant_apps.people.models import User
from tenant_apps.people.selectors import personal_tokens_of
from tenant_apps.people.services import (
    removed_people_anonymise_due,
    set_password_url,
    wait_in_words,
)


def _active_person(user_id: int) -> User | None:
    return User.objects.filter(pk=user_id, is_active=True).first()


def _portal_url(base_url: str, name: str) -> str:
    """A portal page on the tenant's stored primary domain (never a request's Host)."""
    return base_url + reverse(name, urlconf=settings.ROOT_URLCONF)


@email_task("tenant_apps.people.tasks.invitation_send")
def invitation_send(user_id: int, tenant: TenantIdentity) -> Email | None:
    """Invite a person to set their password (the first admin of a new tenant, for one).
    Someone who has chosen a password by the time it would go out needs no invitation."""
    user = _active_person(user_id)
    if user is None or user.has_usable_password():
        return None
    with as_read_by(locale=user.locale, zone=user.zone):
        return Email(
            to=user.email,
            subject=_("You're invited to %(name)s on Lectern") % {"name": tenant.name},
            template="invitation",
            context={"user": user, "link": set_password_url(user=user, host=tenant.host)},
        )


@email_task("tenant_apps.people.tasks.password_reset_send")
def password_reset_send(user_id: int, tenant: TenantIdentity) -> Email | None:
    """E-mail a person a link to choose a new password."""
    user = _active_person(user_id)
    if user is None:
        return None
    with as_read_by(locale=user.locale, zone=user.zone):
        return Email(
            to=user.email,
            subject=_("Reset your password for %(name)s") % {"name": tenant.name},
            template="password_reset",
            context={"user": user, "link": set_password_url(user=user, host=tenant.host)},
        )


@email_task("tenant_apps.people.tasks.password_changed_send")
def password_changed_send(user_id: int, tenant: TenantIdentity) -> Email | None:
    """Tell a person their password was replaced and every sign-in ended; list the personal
    API tokens that still work, with the page that revokes them all in one click."""
    user = _active_person(user_id)
    if user is None:
        return None
    with as_read_by(locale=user.locale, zone=user.zone):
        return Email(
            to=user.email,
            subject=_("Your password for %(name)s was changed") % {"name": tenant.name},
            template="password_changed",
            context={
                "user": user,
                "tokens": list(personal_tokens_of(user=user)),
                "tokens_link": _portal_url(tenant.base_url, "personal-tokens"),
                "reset_link": _portal_url(tenant.base_url, "password_reset"),
            },
        )


@email_task("tenant_apps.people.tasks.sign_in_paused_send")
def sign_in_paused_send(user_id: int, tenant: TenantIdentity) -> Email | None:
    """Tell a person that so many wrong passwords were tried on their account that signing
    in to it is paused for everyone for a while."""
    user = _active_person(user_id)
    if user is None:
        return None
    with as_read_by(locale=user.locale, zone=user.zone):
        return Email(
            to=user.email,
            subject=_("Signing in to your %(name)s account is paused") % {"name": tenant.name},
            template="sign_in_paused",
            context={
                "user": user,
                "failures": limits.ACCOUNT_LOCK_FAILURES,
                "pause": wait_in_words(limits.ACCOUNT_LOCK_SECONDS),
                "reset_link": _portal_url(tenant.base_url, "password_reset"),
            },
        )


@shared_task(name="tenant_apps.people.tasks.removed_people_anonymise")
def removed_people_anonymise() -> int:
    """Beat, per tenant: anonymise the removed people whose retention period is over."""
    return removed_people_anonymise_due()
