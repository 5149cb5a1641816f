"""The audit log: who did what to whom, listable by admins only, per tenant."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from tenant_apps.audit import selectors
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


def _entries(actors, count: int) -> list[AuditEntry]:
    """`count` entries through the service, the actors taking turns."""
    return [
        audit_record(
            action=AuditAction.USER_DEACTIVATED,
            actor=actors[index % len(actors)],
            target=actors[(index + 1) % len(actors)],
        )
        for index in range(count)
    ]


def test_the_log_is_newest_first_by_time_then_id(api, make_person, tenant_a):
    admin = make_person(Role.ADMIN, email="ada@example.com")
    with schema_context(tenant_a.schema):
        entries = _entries([admin], 4)
        # Two pairs written in the same instant: the id decides within each.
        first, second = entries[0].created_at, entries[2].created_at
        AuditEntry.objects.filter(pk__in=[entries[0].pk, entries[1].pk]).update(created_at=first)
        AuditEntry.objects.filter(pk__in=[entries[2].pk, entries[3].pk]).update(created_at=second)
    ids = [entry.pk for entry in entries]
    client = api(admin)

    newest = client.get("/api/v1/audit-log").json()["results"]
    assert [entry["id"] for entry in newest] == ids[::-1]
    oldest = client.get("/api/v1/audit-log", {"ordering": "created_at"}).json()["results"]
    assert [entry["id"] for entry in oldest] == ids
    assert selectors.audit_entry_list().query.order_by == ("-created_at", "-id")


def test_admins_filter_the_log_by_actor(api, make_person, tenant_a):
    ada = make_person(Role.ADMIN, email="ada@example.com")
    bob = make_person(Role.ADMIN, email="bob@example.com")
    with schema_context(tenant_a.schema):
        entries = _entries([ada, bob], 5)
    client = api(ada)

    by_bob = client.get("/api/v1/audit-log", {"actor_id": bob.pk}).json()
    assert [entry["id"] for entry in by_bob["results"]] == [entries[3].pk, entries[1].pk]
    assert {entry["actor_email"] for entry in by_bob["results"]} == {"bob@example.com"}
    blank = client.get("/api/v1/audit-log", {"actor_id": "", "action": ""}).json()
    assert blank["count"] == 5


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"actor_id": "ada"}, "actor_id"),
        ({"actor_id": "0"}, "actor_id"),
        ({"actor_id": str(2**63)}, "actor_id"),
        ({"action": "user.erased"}, "action"),
    ],
)
def test_a_malformed_filter_is_400_naming_it(api, make_person, params, field):
    response = api(make_person(Role.ADMIN)).get("/api/v1/audit-log", params)
    assert response.status_code == 400
    assert [detail["field"] for detail in response.json()["error"]["details"]] == [field]


def _plan(queryset) -> str:
    return queryset[:20].explain()


def test_the_list_and_the_actor_filter_are_served_by_indexes(make_person, tenant_a):
    actors = [make_person(Role.ADMIN, email=f"admin{index}@example.com") for index in range(10)]
    with schema_context(tenant_a.schema):
        _entries(actors, 3000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE audit_auditentry")
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes"
                " WHERE schemaname = %s AND indexname IN ('audit_created_idx', 'audit_actor_idx')"
                " ORDER BY indexname",
                [tenant_a.schema],
            )
            indexes = cursor.fetchall()

        assert indexes == [
            (
                "audit_actor_idx",
                f"CREATE INDEX audit_actor_idx ON {tenant_a.schema}.audit_auditentry"
                " USING btree (actor_id, created_at DESC, id DESC)",
            ),
            (
                "audit_created_idx",
                f"CREATE INDEX audit_created_idx ON {tenant_a.schema}.audit_auditentry"
                " USING btree (created_at DESC, id DESC)",
            ),
        ]
        assert "Index Scan using audit_created_idx" in _plan(selectors.audit_entry_list())
        assert "Index Scan Backward using audit_created_idx" in _plan(
            selectors.audit_entry_list(oldest_first=True)
        )
        assert "Index Scan using audit_actor_idx" in _plan(
            selectors.audit_entry_list(actor_id=actors[3].pk)
        )


def test_every_admin_action_on_people_groups_settings_and_branding_is_logged(
    api, make_person, tenant_a, settings, tmp_path, django_capture_on_commit_callbacks
):
    import io

    from PIL import Image

    settings.MEDIA_ROOT = str(tmp_path)
    admin = make_person(Role.ADMIN, email="ada@example.com")
    learner = make_person(Role.LEARNER, email="lena@example.com")
    client = api(admin)
    with django_capture_on_commit_callbacks(execute=True):
        invited = client.post("/api/v1/users", {"email": "new@example.com", "role": "learner"})
    assert invited.status_code == 201
    created = client.post("/api/v1/groups", {"name": "Sales", "kind": "department"})
    assert created.status_code == 201
    group = created.json()
    logo = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(logo, format="PNG")
    logo.seek(0)
    logo.name = "logo.png"
    answers = [
        client.put(f"/api/v1/groups/{group['id']}", {"name": "Sales EMEA", "kind": "department"}),
        client.post(f"/api/v1/groups/{group['id']}/members", {"add": [learner.pk], "remove": []}),
        client.put("/api/v1/settings/people", {"self_registration_enabled": True}),
        client.patch("/api/v1/settings/branding", {"primary_colour": "#123456"}),
        client.put("/api/v1/settings/branding/logo", {"logo": logo}, format="multipart"),
        client.delete(f"/api/v1/groups/{group['id']}"),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 200, 204], [
        a.content for a in answers
    ]

    log = client.get("/api/v1/audit-log", {"ordering": "created_at"}).json()["results"]
    assert [(e["action"], e["actor_email"], e["target_type"]) for e in log] == [
        ("user.invited", "ada@example.com", "user"),
        ("group.created", "ada@example.com", "learnergroup"),
        ("group.changed", "ada@example.com", "learnergroup"),
        ("group.members_changed", "ada@example.com", "learnergroup"),
        ("settings.people_changed", "ada@example.com", "peoplepolicy"),
        ("branding.changed", "ada@example.com", "branding"),
        ("branding.logo_changed", "ada@example.com", "branding"),
        ("group.deleted", "ada@example.com", "learnergroup"),
    ]
    assert log[0]["after"] == {"email": "new@example.com", "role": "learner"}
    assert log[0]["target_id"] == str(invited.json()["id"])
    assert (log[2]["before"]["name"], log[2]["after"]["name"]) == ("Sales", "Sales EMEA")
    assert log[3]["after"] == {"added": [learner.pk], "removed": []}
    assert (log[4]["before"], log[4]["after"]) == (
        {"self_registration_enabled": False},
        {"self_registration_enabled": True},
    )
    assert log[5]["after"]["primary_colour"] == "#123456"
    assert log[6]["before"] == {"logo": ""}
    assert log[6]["after"]["logo"].startswith("branding/logo")
    assert log[7]["before"]["name"] == "Sales EMEA"
