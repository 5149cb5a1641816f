"""SCIM Users through the tenant host: create, read, list, replace, patch, delete."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tenant_apps.audit.models import AuditEntry
from tenant_apps.events.models import OutboxEvent
from tenant_apps.people.models import GroupKind, LearnerGroup, User
from tests.tenant_apps.scim.conftest import SCIM_JSON, new_user, patch_body

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def test_create_read_and_lookup_by_user_name_and_external_id(scim, tenant_a):
    body = new_user(
        externalId="hr-1", **{ENTERPRISE: {"employeeNumber": "42", "department": "Sales"}}
    )
    created = scim.post("/Users", body)
    assert created.status_code == 201, created.content
    assert created["Content-Type"] == SCIM_JSON
    resource = created.json()
    assert resource["userName"] == "ada@example.com"
    assert resource[ENTERPRISE] == {"employeeNumber": "42", "department": "Sales"}
    assert created["ETag"] == resource["meta"]["version"]
    with schema_context(tenant_a.schema):
        person = User.objects.get(pk=resource["id"])
        assert person.full_name == "Ada Lovelace"
        assert person.external_id == "hr-1"
        assert person.attribute_sources["full_name"] == "scim"
        assert LearnerGroup.objects.get(name="Sales").kind == GroupKind.DEPARTMENT
        assert OutboxEvent.objects.filter(
            event_type="user.created", subject_id=str(person.pk)
        ).exists()
    for query in ('userName eq "ADA@example.com"', 'externalId eq "hr-1"'):
        found = scim.get("/Users", filter=query).json()
        assert found["totalResults"] == 1, query
        assert found["Resources"][0]["id"] == resource["id"]
    assert scim.get("/Users", filter='externalId eq "HR-1"').json()["totalResults"] == 0
    assert scim.get(f"/Users/{resource['id']}").json()["id"] == resource["id"]
    again = scim.post("/Users", new_user())
    assert again.status_code == 409
    assert again.json()["scimType"] == "uniqueness"
    assert again.json()["status"] == "409"


def test_entra_patch_quirks_deactivate_and_keep_records(scim, tenant_a):
    user_id = scim.post("/Users", new_user()).json()["id"]
    answer = scim.patch(
        f"/Users/{user_id}",
        patch_body(
            {"op": "Replace", "path": "active", "value": "False"},
            {
                "op": "Replace",
                "value": {
                    "displayName": "Ada King",
                    "name.familyName": "King",
                    f"{ENTERPRISE}:costCenter": "CC-9",
                },
            },
            {"op": "Add", "path": 'emails[type eq "work"].value', "value": "ada.king@example.com"},
        ),
    )
    assert answer.status_code == 200, answer.content
    resource = answer.json()
    assert resource["active"] is False
    assert resource["displayName"] == "Ada King"
    assert resource["name"]["familyName"] == "King"
    assert resource[ENTERPRISE]["costCenter"] == "CC-9"
    with schema_context(tenant_a.schema):
        person = User.objects.get(pk=user_id)
        assert not person.is_active
        assert person.full_name == "Ada King"
        assert AuditEntry.objects.filter(action="user.deactivated", target_id=str(user_id)).exists()


def test_okta_put_without_active_leaves_a_deactivated_person_deactivated(scim, tenant_a):
    resource = scim.post("/Users", new_user(displayName="Ada")).json()
    assert (
        scim.patch(
            f"/Users/{resource['id']}",
            patch_body({"op": "replace", "path": "active", "value": False}),
        ).json()["active"]
        is False
    )
    okta = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": resource["id"],
        "userName": "ada@example.com",
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "displayName": "Ada Lovelace",
        "emails": [{"value": "ada@example.com", "type": "work", "primary": True}],
    }
    answer = scim.put(f"/Users/{resource['id']}", okta)
    assert answer.status_code == 200, answer.content
    assert answer.json()["active"] is False
    assert answer.json()["displayName"] == "Ada Lovelace"
    # An explicit null is no value either: it reactivates nobody.
    assert scim.put(f"/Users/{resource['id']}", okta | {"active": None}).json()["active"] is False
    with schema_context(tenant_a.schema):
        assert User.objects.get(pk=resource["id"]).is_active is False
        assert not AuditEntry.objects.filter(
            action="user.reactivated", target_id=str(resource["id"])
        ).exists()


def test_okta_put_replaces_and_if_match(scim, tenant_a):
    resource = scim.post("/Users", new_user(displayName="Ada")).json()
    stale = resource["meta"]["version"]
    changed = dict(resource, displayName="Ada L.", active=True)
    changed.pop("meta")
    answer = scim.put(f"/Users/{resource['id']}", changed, headers={"If-Match": stale})
    assert answer.status_code == 200, answer.content
    assert answer.json()["displayName"] == "Ada L."
    refused = scim.put(f"/Users/{resource['id']}", changed, headers={"If-Match": stale})
    assert refused.status_code == 412
    assert refused.json()["status"] == "412"
    fresh = scim.get(f"/Users/{resource['id']}")
    assert (
        scim.get(f"/Users/{resource['id']}", headers={"If-None-Match": fresh["ETag"]}).status_code
        == 304
    )


def test_delete_hides_at_once_and_keeps_data_until_due(scim, tenant_a):
    user_id = scim.post("/Users", new_user(externalId="hr-2")).json()["id"]
    assert scim.delete(f"/Users/{user_id}").status_code == 204
    assert scim.get(f"/Users/{user_id}").status_code == 404
    assert scim.get("/Users", filter='externalId eq "hr-2"').json()["totalResults"] == 0
    assert scim.delete(f"/Users/{user_id}").status_code == 404
    with schema_context(tenant_a.schema):
        person = User.objects.get(pk=user_id)
        assert not person.is_active
        assert person.removed_at is not None and person.anonymised_at is None
        # The default policy: kept 30 days, then anonymised by the beat task.
        assert person.email == "ada@example.com" and person.external_id == "hr-2"


def test_list_paging_sorting_and_attributes(scim):
    for index in range(5):
        scim.post("/Users", new_user(f"p{index}@example.com", displayName=f"P {4 - index}"))
    page = scim.get(
        "/Users",
        filter='userName sw "p"',
        startIndex="2",
        count="2",
        sortBy="displayName",
        sortOrder="descending",
        attributes="userName",
    ).json()
    assert page["totalResults"] == 5
    assert page["startIndex"] == 2 and page["itemsPerPage"] == 2
    assert [r["userName"] for r in page["Resources"]] == ["p1@example.com", "p2@example.com"]
    assert set(page["Resources"][0]) == {"id", "schemas", "meta", "userName"}
    searched = scim.post(
        "/Users/.search",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": 'userName eq "p3@example.com"',
            "excludedAttributes": ["emails"],
        },
    ).json()
    assert searched["totalResults"] == 1
    assert "emails" not in searched["Resources"][0]


@pytest.mark.parametrize(
    "text",
    ["userName eq", 'userName xx "a"', '(userName eq "a"', 'nope eq "a"', 'active eq "maybe"'],
)
def test_bad_filters_are_400_invalid_filter(scim, text):
    answer = scim.get("/Users", filter=text)
    assert answer.status_code == 400
    assert answer.json()["scimType"] == "invalidFilter"
    assert answer.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]


def test_fields_managed_in_lectern_are_left_alone(scim, tenant_a):
    user_id = scim.post("/Users", new_user(**{ENTERPRISE: {"employeeNumber": "1"}})).json()["id"]
    with schema_context(tenant_a.schema):
        User.objects.filter(pk=user_id).update(
            full_name="Countess Ada", managed_fields=["full_name", "employee_number"]
        )
    answer = scim.patch(
        f"/Users/{user_id}",
        patch_body(
            {"op": "replace", "path": "displayName", "value": "Ada HR"},
            {"op": "replace", "path": f"{ENTERPRISE}:employeeNumber", "value": "2"},
            {"op": "replace", "path": f"{ENTERPRISE}:costCenter", "value": "C1"},
        ),
    )
    assert answer.status_code == 200
    with schema_context(tenant_a.schema):
        person = User.objects.get(pk=user_id)
        assert person.full_name == "Countess Ada"
        assert person.employee_number == "1"
        assert person.cost_center == "C1"
        assert person.attribute_sources["cost_center"] == "scim"
