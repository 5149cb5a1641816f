"""Fixtures for the notifications pages: notifications put in people's inboxes through the
real service, and a browser-like client that checks CSRF as a browser's would."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from tenant_apps.notifications.models import Notification, NotificationKind
from tenant_apps.notifications.services import notification_send


@pytest.fixture
def notify(tenant_a):
    """Put a notification in `person`'s inbox (tenant A unless told)."""

    def send(person, title: str = "Enrolled: Safety Basics", link: str = "/", tenant=None, **more):
        with schema_context((tenant or tenant_a).schema):
            return notification_send(
                recipient_id=person.pk,
                kind=more.pop("kind", NotificationKind.ENROLLED),
                title=title,
                link=link,
                **more,
            )

    return send


@pytest.fixture
def csrf_portal(tenant_a):
    """A signed-in client that enforces CSRF like a browser: a post without the token fails."""

    def client_for(user, tenant=None) -> Client:
        tenant = tenant or tenant_a
        client = Client(HTTP_HOST=tenant.host, enforce_csrf_checks=True)
        with schema_context(tenant.schema):
            client.force_login(user)
        return client

    return client_for


def read_state(tenant, *ids: int) -> list[bool]:
    with schema_context(tenant.schema):
        found = dict(Notification.objects.filter(pk__in=ids).values_list("pk", "read_at"))
    return [found[pk] is not None for pk in ids]
