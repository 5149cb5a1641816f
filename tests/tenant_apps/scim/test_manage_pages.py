"""The People sync admin page: base URL, a token shown once, revoke, the request log."""

from __future__ import annotations

import re

from django_tenants.utils import schema_context

from tenant_apps.audit.models import AuditEntry
from tenant_apps.people.models import Role
from tenant_apps.scim.models import ScimToken
from tests.tenant_apps.scim.conftest import ScimClient


def test_admin_creates_sees_once_uses_and_revokes_a_token(portal, make_person, client_a, tenant_a):
    admin = make_person(Role.ADMIN)
    page = portal(admin)
    home = page.get("/manage/people-sync/scim/")
    assert home.status_code == 200
    assert f"http://{tenant_a.host}/scim/v2/" in home.content.decode()
    assert "People sync" in home.content.decode()
    made = page.post("/manage/people-sync/scim/tokens/", {"name": "Entra ID"}, follow=True)
    secret = re.search(r'value="(lsc_[^"]+)"', made.content.decode()).group(1)
    assert secret not in page.get("/manage/people-sync/scim/").content.decode()
    assert ScimClient(client_a, secret).get("/Users").status_code == 200
    listed = page.get("/manage/people-sync/scim/").content.decode()
    assert "GET /scim/v2/Users" in listed and "127.0.0.1" in listed
    with schema_context(tenant_a.schema):
        token = ScimToken.objects.get(name="Entra ID")
    page.post(f"/manage/people-sync/scim/tokens/{token.pk}/revoke/")
    assert ScimClient(client_a, secret).get("/Users").status_code == 401
    with schema_context(tenant_a.schema):
        actions = set(
            AuditEntry.objects.filter(target_id=str(token.pk)).values_list("action", "actor_id")
        )
        assert actions == {("scim.token_created", admin.pk), ("scim.token_revoked", admin.pk)}


def test_learners_cannot_open_it(portal, make_person):
    assert portal(make_person(Role.LEARNER)).get("/manage/people-sync/scim/").status_code == 403
