"""Managing people and groups through the API, as a tenant admin."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django_tenants.utils import schema_context
from PIL import Image

from tenant_apps.audit.models import AuditEntry
from tenant_apps.events.models import OutboxEvent
from tenant_apps.people.models import LearnerGroup, Role, User
from tests.snapshots import snapshot, stored_files


def people_rows(tenant) -> dict:
    """Every person, group and membership of a tenant, with its events and audit log."""
    return snapshot(User, LearnerGroup, LearnerGroup.members.through, tenant=tenant)


def test_admin_invites_a_person(api, admin, tenant_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(admin).post(
            "/api/v1/users",
            {"email": "New@Example.com", "full_name": "New Person", "role": "instructor"},
        )
    assert response.status_code == 201
    assert response.json()["email"] == "new@example.com"
    assert response.json()["role"] == "instructor"
    assert [m.to for m in mail.outbox] == [["new@example.com"]]
    with schema_context(tenant_a.schema):
        created = OutboxEvent.objects.get(
            event_type="user.created", subject_id=str(response.json()["id"])
        )
    assert created.payload["email"] == "new@example.com"
    assert created.actor_id == admin.pk


def test_no_invitation_goes_to_someone_who_already_chose_a_password(
    api, admin, tenant_a, django_capture_on_commit_callbacks
):
    """The demo's admin, say: created by provisioning, given a password before the
    invitation went out."""
    from tenant_apps.people.services import password_set
    from tenant_apps.people.tasks import invitation_send

    response = api(admin).post("/api/v1/users", {"email": "quick@example.com"})
    assert response.status_code == 201
    with schema_context(tenant_a.schema):
        person = User.objects.get(pk=response.json()["id"])
        password_set(user=person, new_password="a-chosen-pass-phrase")
        invitation_send(person.pk)
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@b.example", "role": "king"}, "role"),
        ({}, "email"),
        ({"email": "a@b.example", "full_name": "x" * 201}, "full_name"),
    ],
)
def test_invite_validation_names_the_field(api, admin, tenant_a, payload, field):
    client = api(admin)
    before = people_rows(tenant_a)
    response = client.post("/api/v1/users", payload)
    assert response.status_code == 400
    assert field in {d["field"] for d in response.json()["error"]["details"]}
    assert people_rows(tenant_a) == before


def test_duplicate_email_is_409(api, admin, tenant_a):
    client = api(admin)
    before = people_rows(tenant_a)
    response = client.post("/api/v1/users", {"email": "ADA@example.com"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "email_taken"
    assert people_rows(tenant_a) == before


@pytest.mark.parametrize("role", [Role.INSTRUCTOR, Role.CONTENT_CREATOR, Role.LEARNER])
def test_only_admins_manage_people_and_nothing_changes(api, make_person, admin, tenant_a, role):
    person = make_person(role)
    client = api(person)
    before = people_rows(tenant_a)
    assert client.get("/api/v1/users").status_code == 403
    assert client.post("/api/v1/users", {"email": "x@example.com"}).status_code == 403
    assert client.patch(f"/api/v1/users/{admin.pk}", {"role": "learner"}).status_code == 403
    assert client.post(f"/api/v1/users/{admin.pk}/deactivate").status_code == 403
    assert people_rows(tenant_a) == before


def test_role_change_is_audited_with_ip_and_announced(api, admin, make_person, tenant_a):
    learner = make_person(email="lena@example.com")
    client = api(admin)
    response = client.patch(
        f"/api/v1/users/{learner.pk}", {"role": "instructor"}, REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 200
    assert response.json()["role"] == "instructor"
    with schema_context(tenant_a.schema):
        entry = AuditEntry.objects.get()
        assert (
            OutboxEvent.objects.filter(
                event_type="user.updated", subject_id=str(learner.pk)
            ).count()
            == 1
        )
        role_changed = OutboxEvent.objects.get(event_type="user.role_changed")
    assert (role_changed.subject_id, role_changed.actor_id) == (str(learner.pk), admin.pk)
    assert role_changed.payload == {
        "id": learner.pk,
        "role": "instructor",
        "previous_role": "learner",
    }
    assert (entry.action, entry.actor_id, entry.target_id) == (
        "user.role_changed",
        admin.pk,
        str(learner.pk),
    )
    assert (entry.before, entry.after) == ({"role": "learner"}, {"role": "instructor"})
    assert entry.ip_address == "203.0.113.9"

    log = client.get("/api/v1/audit-log").json()
    assert [e["action"] for e in log["results"]] == ["user.role_changed"]


def test_the_last_admin_cannot_be_demoted_or_deactivated(api, admin, tenant_a):
    client = api(admin)
    with schema_context(tenant_a.schema):
        # The tenant's provisioned admin counts: deactivate them so Ada is the last one.
        User.objects.filter(role=Role.ADMIN).exclude(pk=admin.pk).update(is_active=False)
    before = people_rows(tenant_a)
    demote = client.patch(f"/api/v1/users/{admin.pk}", {"role": "learner"})
    assert demote.status_code == 409
    assert demote.json()["error"]["code"] == "last_admin"
    assert client.post(f"/api/v1/users/{admin.pk}/deactivate").status_code == 409
    assert people_rows(tenant_a) == before


def test_deactivate_and_reactivate(api, admin, make_person, tenant_a):
    learner = make_person()
    client = api(admin)
    assert client.post(f"/api/v1/users/{learner.pk}/deactivate").json()["is_active"] is False
    assert client.post(f"/api/v1/users/{learner.pk}/reactivate").json()["is_active"] is True
    with schema_context(tenant_a.schema):
        actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
        events = list(
            OutboxEvent.objects.filter(subject_id=str(learner.pk))
            .order_by("id")
            .values_list("event_type", flat=True)
        )
    assert actions == ["user.deactivated", "user.reactivated"]
    assert events == ["user.created", "user.deactivated", "user.updated"]


def test_list_filters_search_and_bounded_queries(
    api, admin, make_person, django_assert_max_num_queries
):
    for n in range(12):
        make_person(Role.LEARNER if n % 2 else Role.INSTRUCTOR, email=f"p{n:02d}@example.com")
    client = api(admin)
    instructors = client.get("/api/v1/users?role=instructor&ordering=email").json()
    assert [u["email"] for u in instructors["results"]] == [
        f"p{n:02d}@example.com" for n in range(0, 12, 2)
    ]
    found = client.get("/api/v1/users?search=p03").json()
    assert [u["email"] for u in found["results"]] == ["p03@example.com"]

    with django_assert_max_num_queries(6) as small:
        client.get("/api/v1/users?page_size=2")
    with django_assert_max_num_queries(6) as large:
        client.get("/api/v1/users?page_size=50")
    assert len(small.captured_queries) == len(large.captured_queries)


def test_other_tenants_person_is_404(api, admin, make_person, tenant_b):
    stranger = make_person(email="far@b.example", tenant=tenant_b)
    missing_id = stranger.pk + 10_000
    assert api(admin).get(f"/api/v1/users/{missing_id}").status_code == 404


def test_profile_update_and_time_zone_validation(api, make_person, tenant_a):
    person = make_person(full_name="Old Name")
    client = api(person)
    ok = client.patch("/api/v1/me", {"full_name": "New Name", "time_zone": "Europe/Berlin"})
    assert ok.status_code == 200
    assert (ok.json()["full_name"], ok.json()["time_zone"]) == ("New Name", "Europe/Berlin")
    before = people_rows(tenant_a)
    bad = client.patch("/api/v1/me", {"time_zone": "Mars/Olympus"})
    assert bad.status_code == 400
    assert bad.json()["error"]["details"][0]["field"] == "time_zone"
    assert people_rows(tenant_a) == before
    # Not a field of the profile in the API document: refused, and the role stays.
    refused = client.patch("/api/v1/me", {"role": "admin"})
    assert refused.status_code == 400
    assert refused.json()["error"]["details"] == [{"field": "role", "message": "Unknown field."}]
    assert people_rows(tenant_a) == before


def png(size: tuple[int, int] = (8, 8)) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "me.png"
    return buffer


def test_avatar_upload_checks_type_and_size(api, make_person, settings, tmp_path, tenant_a):
    settings.MEDIA_ROOT = str(tmp_path)
    client = api(make_person())
    ok = client.put("/api/v1/me/avatar", {"avatar": png()}, format="multipart")
    assert ok.status_code == 200
    assert ok.json()["avatar_url"].startswith("/media/")

    before = people_rows(tenant_a), stored_files()
    fake = io.BytesIO(b"#!/bin/sh\necho not an image\n")
    fake.name = "evil.png"
    refused = client.put("/api/v1/me/avatar", {"avatar": fake}, format="multipart")
    assert refused.status_code == 400
    assert refused.json()["error"]["details"] == [
        {"field": "avatar", "message": "The file is not an image."}
    ]

    big = io.BytesIO(b"\0" * (2 * 1024 * 1024 + 1))
    big.name = "big.png"
    too_big = client.put("/api/v1/me/avatar", {"avatar": big}, format="multipart")
    assert too_big.status_code == 400
    assert "2 MB" in too_big.json()["error"]["details"][0]["message"]
    assert (people_rows(tenant_a), stored_files()) == before


def test_groups_and_members(api, admin, make_person, tenant_a):
    a, b = make_person(email="a@example.com"), make_person(email="b@example.com")
    client = api(admin)
    created = client.post("/api/v1/groups", {"name": "Sales", "kind": "department"})
    assert created.status_code == 201
    group_id = created.json()["id"]
    before = people_rows(tenant_a)
    assert client.post("/api/v1/groups", {"name": "sales"}).status_code == 409
    assert people_rows(tenant_a) == before

    added = client.post(f"/api/v1/groups/{group_id}/members", {"add": [a.pk, b.pk]})
    assert added.json()["member_count"] == 2
    before = people_rows(tenant_a)
    missing = client.post(f"/api/v1/groups/{group_id}/members", {"add": [999_999]})
    assert missing.status_code == 400
    assert missing.json()["error"]["details"] == [{"field": "add", "message": "No person 999999."}]
    assert people_rows(tenant_a) == before
    removed = client.post(f"/api/v1/groups/{group_id}/members", {"remove": [a.pk]})
    assert removed.json()["member_count"] == 1
    members = client.get(f"/api/v1/groups/{group_id}/members").json()
    assert [m["email"] for m in members] == ["b@example.com"]
    in_group = client.get(f"/api/v1/users?group={group_id}").json()
    assert [u["email"] for u in in_group["results"]] == ["b@example.com"]

    assert client.delete(f"/api/v1/groups/{group_id}").status_code == 204
    with schema_context(tenant_a.schema):
        assert not LearnerGroup.objects.exists()
        assert User.objects.filter(pk=b.pk).exists()


def test_unpaired_surrogate_in_json_is_a_parse_error(api, admin, tenant_a):
    client = api(admin)
    before = people_rows(tenant_a)
    response = client.post(
        "/api/v1/users", '{"email": "\\ud800@example.com"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert people_rows(tenant_a) == before
