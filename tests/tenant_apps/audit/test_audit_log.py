"""The audit log: who did what to whom, listable by admins only, per tenant."""

from __future__ import annotations

from django_tenants.utils import schema_context

from tenant_apps.audit.models import AuditAction, AuditEntry
from tenant_apps.audit.services import audit_record
from tenant_apps.people.models import Role


def test_admins_list_and_filter_the_log(api, make_person, tenant_a):
    admin = make_person(Role.ADMIN, email="ada@example.com")
    learner = make_person(Role.LEARNER, email="lena@example.com")
    client = api(admin)
    client.patch(f"/api/v1/users/{learner.pk}", {"role": "instructor"})
    client.post(f"/api/v1/users/{learner.pk}/deactivate")

    log = client.get("/api/v1/audit-log", {"ordering": "created_at"}).json()
    assert [entry["action"] for entry in log["results"]] == [
        "user.role_changed",
        "user.deactivated",
    ]
    first = log["results"][0]
    assert (first["actor_email"], first["target_type"], first["target_id"]) == (
        "ada@example.com",
        "user",
        str(learner.pk),
    )
    assert (first["before"], first["after"]) == ({"role": "learner"}, {"role": "instructor"})

    only = client.get("/api/v1/audit-log", {"action": "user.deactivated"}).json()
    assert [entry["action"] for entry in only["results"]] == ["user.deactivated"]


def test_only_admins_may_read_the_log(api, make_person):
    for role in (Role.INSTRUCTOR, Role.CONTENT_CREATOR, Role.LEARNER):
        response = api(make_person(role)).get("/api/v1/audit-log")
        assert response.status_code == 403, role


def test_entries_stay_in_their_tenant(api, make_person, tenant_a, tenant_b):
    target = make_person(Role.LEARNER, email="target@example.com")
    with schema_context(tenant_a.schema):
        audit_record(action=AuditAction.USER_DEACTIVATED, actor=None, target=target)
    admin_b = make_person(Role.ADMIN, email="admin@b.example", tenant=tenant_b)
    log_b = api(admin_b, tenant=tenant_b).get("/api/v1/audit-log").json()
    assert log_b["results"] == []
    with schema_context(tenant_a.schema):
        assert AuditEntry.objects.filter(target_id=str(target.pk)).count() == 1
