"""Roles from SCIM groups by the admin's rules: real SCIM requests change members and the
rules give roles (highest wins); managed roles and the last admin are left; only admins
edit the rules on the SCIM page."""

from __future__ import annotations

from django_tenants.utils import schema_context

from tenant_apps.audit.models import AuditEntry
from tenant_apps.people.models import Role, User
from tenant_apps.people.services import user_managed_fields_set
from tenant_apps.scim.models import ScimRoleRule
from tenant_apps.scim.role_rules import role_rule_save
from tests.tenant_apps.scim.conftest import new_user, patch_body

GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"


def _group(scim, name: str, members=()) -> str:
    made = scim.post(
        "/Groups",
        {"schemas": [GROUP], "displayName": name, "members": [{"value": m} for m in members]},
    )
    assert made.status_code == 201, made.content
    return made.json()["id"]


def _add(scim, group_id: str, *ids: str) -> None:
    answer = scim.patch(
        f"/Groups/{group_id}",
        patch_body({"op": "Add", "path": "members", "value": [{"value": i} for i in ids]}),
    )
    assert answer.status_code in (200, 204), answer.content


def _remove(scim, group_id: str, person_id: str) -> None:
    answer = scim.patch(
        f"/Groups/{group_id}",
        patch_body({"op": "remove", "path": f'members[value eq "{person_id}"]'}),
    )
    assert answer.status_code in (200, 204), answer.content


def _person(tenant, person_id: str) -> User:
    with schema_context(tenant.schema):
        return User.objects.get(pk=int(person_id))


def _rule(tenant, group_id: str, role: str) -> None:
    with schema_context(tenant.schema):
        role_rule_save(group_id=int(group_id), role=role, actor=None)


def test_admin_sets_rules_on_the_page_and_scim_membership_gives_roles(
    scim, tenant_a, portal, make_person
):
    admin = make_person(Role.ADMIN)
    page = portal(admin)
    teachers = _group(scim, "Teachers")
    admins = _group(scim, "Lectern admins")
    assert "Teachers" in page.get("/manage/people-sync/scim/").content.decode()
    for group_id, role in ((teachers, Role.INSTRUCTOR), (admins, Role.ADMIN)):
        saved = page.post("/manage/people-sync/scim/role-rules/", {"group": group_id, "role": role})
        assert saved.status_code == 302
    refused = page.post("/manage/people-sync/scim/role-rules/", {"group": "999999", "role": "x"})
    assert refused.status_code == 400
    with schema_context(tenant_a.schema):
        assert ScimRoleRule.objects.count() == 2
        assert (
            AuditEntry.objects.filter(action="scim.role_rule_added", actor_id=admin.pk).count() == 2
        )
    ada = scim.post("/Users", new_user("ada@example.com")).json()["id"]
    assert _person(tenant_a, ada).role == Role.LEARNER

    _add(scim, teachers, ada)
    person = _person(tenant_a, ada)
    assert person.role == Role.INSTRUCTOR and person.attribute_sources["role"] == "scim"
    _add(scim, admins, ada)
    assert _person(tenant_a, ada).role == Role.ADMIN  # the highest rule wins
    _remove(scim, admins, ada)
    assert _person(tenant_a, ada).role == Role.INSTRUCTOR
    # Okta replaces the members by PUT: Ada is out of every ruled group, back to learner.
    scim.put(f"/Groups/{teachers}", {"schemas": [GROUP], "displayName": "Teachers"})
    person = _person(tenant_a, ada)
    assert person.role == Role.LEARNER and "role" not in person.attribute_sources
    with schema_context(tenant_a.schema):
        assert (
            AuditEntry.objects.filter(action="user.role_changed", target_id=str(ada)).count() == 4
        )

    # Removing a rule on the page recomputes its members' roles.
    _add(scim, teachers, ada)
    assert _person(tenant_a, ada).role == Role.INSTRUCTOR
    with schema_context(tenant_a.schema):
        rule = ScimRoleRule.objects.get(group_id=int(teachers))
    assert page.post(f"/manage/people-sync/scim/role-rules/{rule.pk}/remove/").status_code == 302
    assert _person(tenant_a, ada).role == Role.LEARNER
    with schema_context(tenant_a.schema):
        assert AuditEntry.objects.filter(action="scim.role_rule_removed").count() == 1


def test_bulk_and_group_delete_change_roles(scim, tenant_a):
    ada = scim.post("/Users", new_user("ada@example.com")).json()["id"]
    authors = _group(scim, "Authors")
    _rule(tenant_a, authors, Role.CONTENT_CREATOR)
    answer = scim.post(
        "/Bulk",
        {
            "schemas": [BULK],
            "Operations": [
                {
                    "method": "PATCH",
                    "path": f"/Groups/{authors}",
                    "data": patch_body({"op": "add", "path": "members", "value": [{"value": ada}]}),
                }
            ],
        },
    )
    assert answer.status_code == 200, answer.content
    assert _person(tenant_a, ada).role == Role.CONTENT_CREATOR
    assert scim.delete(f"/Groups/{authors}").status_code == 204
    assert _person(tenant_a, ada).role == Role.LEARNER


def test_role_not_set_by_rules_and_managed_role_are_left(scim, tenant_a, make_person):
    teachers = _group(scim, "Teachers")
    _rule(tenant_a, teachers, Role.ADMIN)
    creator = make_person(Role.CONTENT_CREATOR)
    managed = make_person(Role.LEARNER)
    with schema_context(tenant_a.schema):
        user_managed_fields_set(user=managed, fields=["role"], actor=None)
    _add(scim, teachers, str(managed.pk))
    assert _person(tenant_a, managed.pk).role == Role.LEARNER
    # In an unruled group and then out of it: a role an admin gave stays.
    other = _group(scim, "Book club", members=[str(creator.pk)])
    _remove(scim, other, str(creator.pk))
    _remove(scim, teachers, str(managed.pk))
    assert _person(tenant_a, creator.pk).role == Role.CONTENT_CREATOR
    assert _person(tenant_a, managed.pk).role == Role.LEARNER
    with schema_context(tenant_a.schema):
        assert not AuditEntry.objects.filter(
            action="user.role_changed", target_id__in=[str(creator.pk), str(managed.pk)]
        ).exists()


def test_the_last_admin_is_not_removed(scim, tenant_a):
    ada = scim.post("/Users", new_user("ada@example.com")).json()["id"]
    admins = _group(scim, "Admins")
    _rule(tenant_a, admins, Role.ADMIN)
    _add(scim, admins, ada)
    with schema_context(tenant_a.schema):
        User.objects.exclude(pk=int(ada)).update(role=Role.LEARNER)  # Ada: the only admin
    _remove(scim, admins, ada)
    person = _person(tenant_a, ada)
    assert person.role == Role.ADMIN and person.attribute_sources["role"] == "scim"
    assert scim.get(f"/Groups/{admins}").json().get("members", []) == []


def test_non_admins_cannot_edit_rules(scim, tenant_a, portal, make_person):
    teachers = _group(scim, "Teachers")
    _rule(tenant_a, teachers, Role.INSTRUCTOR)
    with schema_context(tenant_a.schema):
        rule = ScimRoleRule.objects.get()
    for role in (Role.LEARNER, Role.INSTRUCTOR, Role.CONTENT_CREATOR):
        page = portal(make_person(role))
        added = page.post(
            "/manage/people-sync/scim/role-rules/", {"group": teachers, "role": Role.ADMIN}
        )
        removed = page.post(f"/manage/people-sync/scim/role-rules/{rule.pk}/remove/")
        assert added.status_code == 403 and removed.status_code == 403
    with schema_context(tenant_a.schema):
        assert list(ScimRoleRule.objects.values_list("role", flat=True)) == [Role.INSTRUCTOR]
        assert not AuditEntry.objects.filter(
            action__startswith="scim.role_rule", actor_id__isnull=False
        ).exists()


def test_rules_raise_a_role_given_in_lectern_but_never_lower_it(scim, tenant_a, make_person):
    learners = _group(scim, "Everyone")
    _rule(tenant_a, learners, Role.LEARNER)
    authors = _group(scim, "Authors")
    _rule(tenant_a, authors, Role.INSTRUCTOR)
    promoted = make_person(Role.ADMIN)  # made an admin in Lectern, not by a rule
    newcomer = make_person(Role.LEARNER)
    _add(scim, learners, str(promoted.pk))
    assert _person(tenant_a, promoted.pk).role == Role.ADMIN
    _add(scim, authors, str(newcomer.pk))
    assert _person(tenant_a, newcomer.pk).role == Role.INSTRUCTOR
