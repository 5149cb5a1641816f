"""SCIM Groups (members by PATCH value paths, Okta's PUTs) and /Bulk with bulkId
references and failOnErrors."""

from __future__ import annotations

from django_tenants.utils import schema_context

from tenant_apps.audit.models import AuditEntry
from tenant_apps.people import services as people
from tenant_apps.people.models import LearnerGroup, User
from tests.tenant_apps.scim.conftest import new_user, patch_body

GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"


def test_group_members_by_patch_paths_and_put(scim, tenant_a):
    ids = [scim.post("/Users", new_user(f"m{i}@example.com")).json()["id"] for i in range(3)]
    made = scim.post("/Groups", {"schemas": [GROUP], "displayName": "Engineers"})
    assert made.status_code == 201
    group_id = made.json()["id"]
    add = scim.patch(
        f"/Groups/{group_id}",
        patch_body({"op": "Add", "path": "members", "value": [{"value": i} for i in ids]}),
    )
    assert {m["value"] for m in add.json()["members"]} == set(ids)
    removed = scim.patch(
        f"/Groups/{group_id}",
        patch_body({"op": "remove", "path": f'members[value eq "{ids[0]}"]'}),
    )
    assert {m["value"] for m in removed.json()["members"]} == set(ids[1:])
    entra = scim.patch(
        f"/Groups/{group_id}",
        patch_body({"op": "Remove", "path": "members", "value": [{"value": ids[1]}]}),
    )
    assert {m["value"] for m in entra.json()["members"]} == {ids[2]}
    okta = scim.put(
        f"/Groups/{group_id}",
        {"schemas": [GROUP], "displayName": "Engineering", "members": [{"value": ids[0]}]},
    )
    assert okta.json()["displayName"] == "Engineering"
    assert [m["value"] for m in okta.json()["members"]] == [ids[0]]
    user = scim.get(f"/Users/{ids[0]}").json()
    assert user["groups"][0]["display"] == "Engineering"
    with schema_context(tenant_a.schema):
        assert AuditEntry.objects.filter(action="group.members_changed").count() >= 3
    assert scim.delete(f"/Groups/{group_id}").status_code == 204
    assert scim.get(f"/Groups/{group_id}").status_code == 404


def test_members_whose_groups_are_managed_in_lectern_are_left(scim, tenant_a):
    kept, joined, managed_out = (
        scim.post("/Users", new_user(f"g{i}@example.com")).json()["id"] for i in range(3)
    )
    group_id = scim.post(
        "/Groups", {"schemas": [GROUP], "displayName": "Sales", "members": [{"value": kept}]}
    ).json()["id"]
    with schema_context(tenant_a.schema):
        for person_id in (kept, managed_out):
            people.user_managed_fields_set(
                user=User.objects.get(pk=person_id), fields=["groups"], actor=None
            )
    patched = scim.patch(
        f"/Groups/{group_id}",
        patch_body(
            {"op": "Remove", "path": "members", "value": [{"value": kept}]},
            {"op": "Add", "path": "members", "value": [{"value": joined}, {"value": managed_out}]},
            {"op": "Replace", "path": "displayName", "value": "Sales EMEA"},
        ),
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["displayName"] == "Sales EMEA"
    assert {m["value"] for m in patched.json()["members"]} == {kept, joined}
    put = scim.put(
        f"/Groups/{group_id}",
        {"schemas": [GROUP], "displayName": "Sales", "members": [{"value": managed_out}]},
    )
    assert put.status_code == 200, put.content
    assert put.json()["displayName"] == "Sales"
    assert {m["value"] for m in put.json()["members"]} == {kept}
    with schema_context(tenant_a.schema):
        members = set(LearnerGroup.objects.get(pk=group_id).members.values_list("pk", flat=True))
        assert members == {int(kept)}


def test_bulk_with_bulk_id_references(scim, tenant_a):
    answer = scim.post(
        "/Bulk",
        {
            "schemas": [BULK],
            "Operations": [
                {
                    "method": "POST",
                    "path": "/Users",
                    "bulkId": "u1",
                    "data": new_user("b1@x.example"),
                },
                {
                    "method": "POST",
                    "path": "/Groups",
                    "bulkId": "g1",
                    "data": {
                        "schemas": [GROUP],
                        "displayName": "Bulk",
                        "members": [{"value": "bulkId:u1"}],
                    },
                },
                {
                    "method": "PATCH",
                    "path": "/Users/bulkId:u1",
                    "data": patch_body({"op": "replace", "path": "displayName", "value": "B One"}),
                },
            ],
        },
    )
    assert answer.status_code == 200, answer.content
    statuses = [op["status"] for op in answer.json()["Operations"]]
    assert statuses == ["201", "201", "200"]
    user_id = answer.json()["Operations"][0]["location"].rsplit("/", 1)[-1]
    with schema_context(tenant_a.schema):
        group = LearnerGroup.objects.get(name="Bulk")
        assert [m.pk for m in group.members.all()] == [int(user_id)]
    assert scim.get(f"/Users/{user_id}").json()["displayName"] == "B One"


def test_bulk_stops_after_fail_on_errors(scim):
    operations = [
        {"method": "POST", "path": "/Users", "bulkId": "a", "data": new_user("dup@x.example")},
        {"method": "POST", "path": "/Users", "bulkId": "b", "data": new_user("dup@x.example")},
        {"method": "POST", "path": "/Users", "bulkId": "c", "data": {"userName": ""}},
        {"method": "POST", "path": "/Users", "bulkId": "d", "data": new_user("never@x.example")},
    ]
    answer = scim.post("/Bulk", {"schemas": [BULK], "failOnErrors": 2, "Operations": operations})
    results = answer.json()["Operations"]
    assert [op["status"] for op in results] == ["201", "409", "400"]
    assert results[1]["response"]["scimType"] == "uniqueness"
    assert scim.get("/Users", filter='userName eq "never@x.example"').json()["totalResults"] == 0
    assert scim.get("/Users", filter='userName eq "dup@x.example"').json()["totalResults"] == 1


def test_bulk_creates_runs_of_people_in_one_batch(scim, tenant_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tenant_apps.events.models import OutboxEvent
    from tenant_apps.people.models import User

    enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    operations = [
        {
            "method": "POST",
            "path": "/Users",
            "bulkId": f"n{i}",
            "data": new_user(f"n{i}@x.example", **{enterprise: {"department": "Ops"}}),
        }
        for i in range(30)
    ]
    operations.append(
        {"method": "POST", "path": "/Users", "bulkId": "dup", "data": new_user("n3@x.example")}
    )
    with CaptureQueriesContext(connection) as queries:
        answer = scim.post("/Bulk", {"schemas": [BULK], "Operations": operations})
    statuses = [op["status"] for op in answer.json()["Operations"]]
    assert statuses == ["201"] * 30 + ["409"]
    assert len(queries) < 120  # a batch; one by one takes some 20 queries a person
    with schema_context(tenant_a.schema):
        made = User.objects.filter(email__endswith="@x.example")
        assert made.count() == 30
        assert all(u.attribute_sources.get("full_name") == "scim" for u in made)
        assert LearnerGroup.objects.get(name="Ops").members.count() == 30
        created = OutboxEvent.objects.filter(event_type="user.created")
        assert created.filter(subject_id__in=[str(u.pk) for u in made]).count() == 30
    listed = scim.get("/Users", filter='userName sw "n1"', count="50").json()
    assert listed["totalResults"] == 11
