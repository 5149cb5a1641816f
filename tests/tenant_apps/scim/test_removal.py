"""A SCIM DELETE removes a person as the tenant's removal policy says: access ends at once,
personal data is replaced at once or when the retention period is over, learning records
and certificates stay (and a certificate still verifies)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from sso.models import ExternalIdentity, IdentityProvider
from tenant_apps.audit.models import AuditEntry
from tenant_apps.certificates.models import Certificate
from tenant_apps.enrollments.models import Enrollment
from tenant_apps.events.models import OutboxEvent
from tenant_apps.people import services as people
from tenant_apps.people.models import LearnerGroup, Role, User
from tenant_apps.people.tasks import removed_people_anonymise
from tenant_apps.people.tokens import personal_token_issue
from tenant_apps.scim.models import ScimProfile
from tests.builders import course_build
from tests.tenant_apps.certificates.conftest import course_finish
from tests.tenant_apps.scim.conftest import new_user

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

pytestmark = pytest.mark.usefixtures("_media_root")


@pytest.fixture
def _media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def _policy(tenant, **settings) -> None:
    with schema_context(tenant.schema):
        people.people_policy_update(actor=None, **settings)


def _provision(scim, tenant, manager_id: str | None = None) -> int:
    extension = {"employeeNumber": "E-7", "department": "Sales", "costCenter": "CC-1"}
    if manager_id:
        extension["manager"] = {"value": manager_id}
    made = scim.post("/Users", new_user(externalId="hr-7", **{ENTERPRISE: extension}))
    assert made.status_code == 201, made.content
    return int(made.json()["id"])


def _event_types(user_id: int) -> list[str]:
    return list(
        OutboxEvent.objects.filter(subject_type="user", subject_id=str(user_id))
        .order_by("id")
        .values_list("event_type", flat=True)
    )


def test_delete_anonymises_at_once_and_keeps_learning_records(scim, tenant_a, instructor, api):
    _policy(tenant_a, removal_mode="anonymise_now")
    boss = scim.post("/Users", new_user("boss@example.com")).json()["id"]
    user_id = _provision(scim, tenant_a, manager_id=boss)
    with schema_context(tenant_a.schema):
        person = User.objects.get(pk=user_id)
        assert person.full_name == "Ada Lovelace"
        course = course_build(owner=instructor, title="Safety Basics", certificate_enabled=True)
        course_finish(learner=person, course=course)
        certificate = Certificate.objects.get(user=person)
        provider = IdentityProvider.objects.create(slug="okta", name="Okta", kind="oidc")
        ExternalIdentity.objects.create(provider=provider, subject="00u-ada", user=person)
        secret = personal_token_issue(user=person, name="CI").secret
    with_token = api()
    with_token.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert with_token.get("/api/v1/me").status_code == 200
    assert scim.delete(f"/Users/{user_id}").status_code == 204
    assert scim.get(f"/Users/{user_id}").status_code == 404
    with schema_context(tenant_a.schema):
        person = User.objects.get(pk=user_id)
        assert person.email == f"deleted-{user_id}@deleted.invalid"
        assert (person.full_name, person.external_id, person.employee_number) == ("", "", "")
        assert (person.cost_center, person.organization, person.manager_id) == ("", "", None)
        assert person.attribute_sources == {}
        assert not person.is_active and not person.has_usable_password()
        assert person.removed_at is not None and person.anonymised_at is not None
        assert not LearnerGroup.objects.filter(members=person).exists()
        assert not ScimProfile.objects.filter(user=person).exists()
        assert not ExternalIdentity.objects.filter(user=person).exists()
        assert not person.access_tokens.filter(revoked_at__isnull=True).exists()
        enrollment = Enrollment.objects.get(user=person, course=course)
        assert enrollment.completed_at is not None
        assert Certificate.objects.filter(pk=certificate.pk, user=person).exists()
        assert _event_types(user_id)[-2:] == ["user.deactivated", "user.anonymised"]
        anonymised = OutboxEvent.objects.get(
            event_type="user.anonymised", subject_id=str(user_id)
        ).payload
        assert anonymised["email"] == f"deleted-{user_id}@deleted.invalid"
        assert anonymised["full_name"] == ""
        actions = list(
            AuditEntry.objects.filter(target_id=str(user_id))
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert actions[-3:] == ["user.deactivated", "user.removed", "user.anonymised"]
        about = AuditEntry.objects.filter(target_type="user", target_id=str(user_id))
        assert set(about.values_list("target_label", flat=True)) == {f"user {user_id}"}
        assert "ada@example.com" not in str(list(about.values("before", "after")))
    assert with_token.get("/api/v1/me").status_code == 401
    verified = api().get(f"/api/v1/certificates/verify/{certificate.code}")
    assert verified.status_code == 200
    # The certificate keeps the name it was issued with (Certificate.learner_name).
    assert verified.json()["status"] == "valid"
    assert verified.json()["learner_name"] == "Ada Lovelace"
    again = scim.post("/Users", new_user(externalId="hr-7"))
    assert again.status_code == 201, again.content
    assert int(again.json()["id"]) != user_id


def test_delete_keeps_data_until_the_retention_period_is_over(scim, tenant_a):
    _policy(tenant_a, removal_mode="anonymise_later", removal_retention_days=10)
    user_id = _provision(scim, tenant_a)
    group = scim.post(
        "/Groups",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Readers",
            "members": [{"value": str(user_id)}],
        },
    ).json()
    assert [m["value"] for m in group["members"]] == [str(user_id)]
    assert scim.delete(f"/Users/{user_id}").status_code == 204
    assert scim.get(f"/Groups/{group['id']}").json().get("members", []) == []
    with schema_context(tenant_a.schema):
        person = User.objects.get(pk=user_id)
        assert not person.is_active
        assert person.email == "ada@example.com" and person.anonymised_at is None
        assert _event_types(user_id)[-1] == "user.deactivated"
        removed = AuditEntry.objects.get(action="user.removed", target_id=str(user_id))
        assert removed.after["removal_mode"] == "anonymise_later"
        nine_days = person.removed_at + datetime.timedelta(days=9)
        assert people.removed_people_anonymise_due(now=nine_days) == 0
        assert User.objects.get(pk=user_id).email == "ada@example.com"
        User.objects.filter(pk=user_id).update(
            removed_at=timezone.now() - datetime.timedelta(days=10, minutes=1)
        )
        assert removed_people_anonymise() == 1
        person = User.objects.get(pk=user_id)
        assert person.email == f"deleted-{user_id}@deleted.invalid"
        assert person.external_id == "" and person.anonymised_at is not None
        assert _event_types(user_id)[-1] == "user.anonymised"
        assert removed_people_anonymise() == 0


def test_the_person_page_says_when_a_deleted_person_is_anonymised(
    scim, tenant_a, portal, make_person
):
    _policy(tenant_a, removal_mode="anonymise_later", removal_retention_days=10)
    user_id = _provision(scim, tenant_a)
    assert scim.delete(f"/Users/{user_id}").status_code == 204
    page = portal(make_person(Role.ADMIN)).get(f"/manage/people/{user_id}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "<h2>Deletion</h2>" in text and "To be anonymised" in text


def test_provisioning_the_same_user_name_during_retention_anonymises_the_old_one(scim, tenant_a):
    user_id = _provision(scim, tenant_a)
    assert scim.delete(f"/Users/{user_id}").status_code == 204
    again = scim.post("/Users", new_user(externalId="hr-7"))
    assert again.status_code == 201, again.content
    with schema_context(tenant_a.schema):
        old = User.objects.get(pk=user_id)
        assert old.email == f"deleted-{user_id}@deleted.invalid"
        assert User.objects.get(pk=again.json()["id"]).external_id == "hr-7"


def test_the_last_admin_cannot_be_deleted(scim, tenant_a):
    user_id = _provision(scim, tenant_a)
    with schema_context(tenant_a.schema):
        people.user_update(user=User.objects.get(pk=user_id), actor=None, role=Role.ADMIN)
        User.objects.exclude(pk=user_id).filter(role=Role.ADMIN).update(is_active=False)
    refused = scim.delete(f"/Users/{user_id}")
    assert refused.status_code == 409
    with schema_context(tenant_a.schema):
        person = User.objects.get(pk=user_id)
        assert person.is_active and person.removed_at is None
        assert person.email == "ada@example.com"


def test_admin_sets_the_removal_policy_through_the_api(api, make_person, tenant_a):
    admin = make_person(Role.ADMIN)
    client = api(admin)
    assert client.get("/api/v1/settings/people").json()["removal_mode"] == "anonymise_later"
    refused = client.put("/api/v1/settings/people", {"removal_retention_days": 5000}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["details"][0]["field"] == "removal_retention_days"
    refused = client.put("/api/v1/settings/people", {"removal_mode": "never"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["details"][0]["field"] == "removal_mode"
    saved = client.put("/api/v1/settings/people", {"removal_mode": "anonymise_now"}, format="json")
    assert saved.status_code == 200
    assert saved.json()["removal_mode"] == "anonymise_now"
    with schema_context(tenant_a.schema):
        assert people.people_policy().removal_mode == "anonymise_now"
        entry = AuditEntry.objects.get(action="settings.people_changed")
        assert entry.after == {"removal_mode": "anonymise_now"}


def test_a_bulk_post_with_a_deleted_persons_user_name_anonymises_them(scim, tenant_a):
    user_id = _provision(scim, tenant_a)
    assert scim.delete(f"/Users/{user_id}").status_code == 204
    answer = scim.post(
        "/Bulk",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
            "Operations": [
                {"method": "POST", "path": "/Users", "bulkId": "a", "data": new_user()},
            ],
        },
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["Operations"][0]["status"] == "201"
    with schema_context(tenant_a.schema):
        assert User.objects.get(pk=user_id).email == f"deleted-{user_id}@deleted.invalid"
        assert User.objects.filter(email="ada@example.com", removed_at__isnull=True).exists()


def test_an_admin_cannot_reactivate_a_deleted_person(scim, tenant_a, api, portal, make_person):
    user_id = _provision(scim, tenant_a)
    assert scim.delete(f"/Users/{user_id}").status_code == 204
    admin = make_person(Role.ADMIN)
    refused = api(admin).post(f"/api/v1/users/{user_id}/reactivate")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "person_removed"
    page = portal(admin).post(f"/manage/people/{user_id}/reactivate/", follow=True)
    assert page.status_code == 200
    assert "This person was deleted and cannot be reactivated." in page.content.decode()
    with schema_context(tenant_a.schema):
        assert User.objects.get(pk=user_id).is_active is False
        assert not AuditEntry.objects.filter(action="user.reactivated").exists()
