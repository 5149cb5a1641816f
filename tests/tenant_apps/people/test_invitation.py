"""The first admin's invitation: a one-time, expiring set-password link on the tenant host."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from shared_apps.tenants.services import tenant_create
from tenant_apps.people.models import Role, User

LINK = re.compile(r"http://(?P<host>[\w.-]+)(?P<path>/accounts/set-password/[^\s\"<]+)")


@pytest.fixture
def invited(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tenant = tenant_create(
            slug="invited", name="Invited Org", admin_email="Chief@Invited.example"
        ).tenant
    (message,) = mail.outbox
    match = LINK.search(message.body)
    return tenant, message, match


def test_admin_is_created_without_a_password_and_invited(invited):
    tenant, message, match = invited
    with schema_context(tenant.schema_name):
        admin = User.objects.get()
    assert admin.email == "chief@invited.example"
    assert admin.role == Role.ADMIN
    assert not admin.has_usable_password()
    assert message.to == ["chief@invited.example"]
    assert message.subject == "You're invited to Invited Org on Lectern"
    assert match.group("host") == "invited.localhost"


def test_link_sets_the_password_once(invited):
    tenant, _message, match = invited
    client = Client(HTTP_HOST="invited.localhost")
    form = client.get(match.group("path"), follow=True)
    assert form.status_code == 200
    assert b"Choose your password" in form.content

    done = client.post(
        form.redirect_chain[-1][0],
        {
            "new_password1": "a-long-new-secret-42",
            "new_password2": "a-long-new-secret-42",
        },
    )
    assert done.status_code == 302
    with schema_context(tenant.schema_name):
        assert User.objects.get().check_password("a-long-new-secret-42")

    again = Client(HTTP_HOST="invited.localhost").get(match.group("path"), follow=True)
    assert b"This link no longer works" in again.content


def test_link_does_not_work_on_another_tenant(invited, tenant_a):
    _tenant, _message, match = invited
    response = Client(HTTP_HOST=tenant_a.host).get(match.group("path"), follow=True)
    assert b"This link no longer works" in response.content


def test_expired_link_is_refused(invited, settings):
    _tenant, _message, match = invited
    settings.PASSWORD_RESET_TIMEOUT = -1
    response = Client(HTTP_HOST="invited.localhost").get(match.group("path"), follow=True)
    assert b"This link no longer works" in response.content
