"""Admins delete people (the person page's "Delete person", `DELETE /api/v1/users/<id>`) as
the tenant's removal policy says, set on `/manage/people/removal/`: access ends at once,
personal data goes at once or after the retention period, learning records stay. Nobody
deletes themselves or the last active admin; learners cannot delete anyone; another
tenant's person is a 404."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from core.errors import Conflict
from tenant_apps.audit.models import AuditAction, AuditEntry
from tenant_apps.people import services as people
from tenant_apps.people.models import PeoplePolicy, Role, User
from tests.snapshots import snapshot


def _anonymise_at_once(tenant_a, admin) -> None:
    with schema_context(tenant_a.schema):
        people.people_policy_update(actor=admin, removal_mode="anonymise_now")


# ------------------------------------------------------------------------------------------
# The person page
def test_admin_deletes_a_person_who_is_signed_out_and_kept_until_the_retention_ends(
    portal, admin, learner, tenant_a
):
    learners_browser = portal(learner)
    assert learners_browser.get("/").status_code == 200
    client = portal(admin)
    shown = client.get(f"/manage/people/{learner.pk}/").content.decode()
    assert "erased after 30 days" in shown
    assert 'href="/manage/people/removal/"' in shown
    assert shown.count("Delete person</button>") == 1
    assert "<title>Lena Learner ·" in shown
    page = client.post(f"/manage/people/{learner.pk}/delete/", follow=True)
    text = page.content.decode()
    assert "Deleted the person: they are signed out everywhere." in text
    assert "To be anonymised" in text
    assert "Delete person</button>" not in text and "Reactivate</button>" not in text
    assert learners_browser.get("/").status_code == 302  # signed out
    listed = client.get("/manage/people/?status=deleted").content.decode()
    assert "lena@example.com" in listed and ">Deleted</span>" in listed
    assert "lena@example.com" not in client.get("/manage/people/?status=inactive").content.decode()
    with schema_context(tenant_a.schema):
        person = User.objects.get(pk=learner.pk)
        assert (person.is_active, person.email) == (False, "lena@example.com")
        assert person.removed_at is not None and person.anonymised_at is None
        entry = AuditEntry.objects.get(action=AuditAction.USER_REMOVED)
        assert (entry.actor_id, entry.target_id) == (admin.pk, str(learner.pk))


def test_with_anonymising_at_once_the_details_go_with_the_deletion(
    portal, admin, learner, tenant_a
):
    _anonymise_at_once(tenant_a, admin)
    assert "erased at once" in portal(admin).get(f"/manage/people/{learner.pk}/").content.decode()
    portal(admin).post(f"/manage/people/{learner.pk}/delete/")
    with schema_context(tenant_a.schema):
        person = User.objects.get(pk=learner.pk)
        assert person.email == f"deleted-{learner.pk}@deleted.invalid"
        assert person.full_name == "" and person.anonymised_at is not None


def test_an_admin_cannot_delete_themselves_or_the_last_active_admin(portal, admin, tenant_a):
    client = portal(admin)
    own_page = client.get(f"/manage/people/{admin.pk}/").content.decode()
    assert "Delete person</button>" not in own_page
    before = snapshot(User, tenant=tenant_a)
    refused = client.post(f"/manage/people/{admin.pk}/delete/", follow=True)
    assert "You cannot delete yourself: ask another admin to." in refused.content.decode()
    assert snapshot(User, tenant=tenant_a) == before
    # With every other admin deactivated, not even SCIM (no actor) deletes the last one.
    with schema_context(tenant_a.schema):
        User.objects.exclude(pk=admin.pk).filter(role=Role.ADMIN).update(is_active=False)
        before = snapshot(User, tenant=tenant_a)
        with pytest.raises(Conflict) as refusal:
            people.user_remove(user=admin, actor=None)
    assert refusal.value.code == "last_admin"  # an error-code member, compared by value
    assert snapshot(User, tenant=tenant_a) == before


def test_a_learner_cannot_delete_anyone_and_another_tenants_person_is_404(
    portal, admin, learner, make_person, tenant_a, tenant_b
):
    learners_browser = portal(learner)
    before = snapshot(User, tenant=tenant_a)
    assert learners_browser.post(f"/manage/people/{admin.pk}/delete/").status_code == 403
    assert learners_browser.get("/manage/people/removal/").status_code == 403
    assert snapshot(User, tenant=tenant_a) == before
    stranger = make_person(Role.LEARNER, tenant=tenant_b, email="stranger@b.example")
    with schema_context(tenant_a.schema):
        if User.objects.filter(pk=stranger.pk).exists():
            pytest.skip("the two tenants' ids happen to coincide")
    before_b = snapshot(User, tenant=tenant_b)
    assert portal(admin).post(f"/manage/people/{stranger.pk}/delete/").status_code == 404
    assert snapshot(User, tenant=tenant_b) == before_b


# ------------------------------------------------------------------------------------------
# The API
def test_the_api_deletes_once_and_shows_when(api, admin, learner, tenant_a):
    client = api(admin)
    assert client.delete(f"/api/v1/users/{learner.pk}").status_code == 204
    shown = client.get(f"/api/v1/users/{learner.pk}").json()
    assert shown["is_active"] is False
    assert shown["removed_at"] is not None and shown["anonymised_at"] is None
    assert client.delete(f"/api/v1/users/{learner.pk}").status_code == 204  # nothing more
    with schema_context(tenant_a.schema):
        assert AuditEntry.objects.filter(action=AuditAction.USER_REMOVED).count() == 1


def test_the_api_refuses_self_deletion_learners_and_other_tenants(
    api, admin, learner, make_person, tenant_a, tenant_b
):
    admins_client, learners_client = api(admin), api(learner)
    before = snapshot(User, tenant=tenant_a)
    refused = admins_client.delete(f"/api/v1/users/{admin.pk}")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "removing_self"
    assert learners_client.delete(f"/api/v1/users/{admin.pk}").status_code == 403
    assert snapshot(User, tenant=tenant_a) == before
    stranger = make_person(Role.LEARNER, tenant=tenant_b, email="stranger@b.example")
    with schema_context(tenant_a.schema):
        if User.objects.filter(pk=stranger.pk).exists():
            pytest.skip("the two tenants' ids happen to coincide")
    assert api(admin).delete(f"/api/v1/users/{stranger.pk}").status_code == 404


# ------------------------------------------------------------------------------------------
# The removal policy page
def test_admin_sets_the_removal_policy_on_the_page(portal, admin, tenant_a):
    page = portal(admin)
    shown = page.get("/manage/people/removal/")
    assert shown.status_code == 200
    assert 'name="removal_retention_days" value="30"' in shown.content.decode()
    refused = page.post(
        "/manage/people/removal/",
        {"removal_mode": "anonymise_later", "removal_retention_days": "0"},
    )
    assert refused.status_code == 400
    assert "removal_retention_days" in refused.content.decode()
    saved = page.post(
        "/manage/people/removal/",
        {"removal_mode": "anonymise_later", "removal_retention_days": "90"},
    )
    assert saved.status_code == 302
    with schema_context(tenant_a.schema):
        policy = PeoplePolicy.objects.get(pk=1)
        assert (policy.removal_mode, policy.removal_retention_days) == ("anonymise_later", 90)
        entry = AuditEntry.objects.get(action="settings.people_changed")
        assert entry.actor_id == admin.pk
        assert entry.before == {"removal_retention_days": 30}
        assert entry.after == {"removal_retention_days": 90}


def test_the_old_address_of_the_policy_page_leads_to_it(portal, admin):
    moved = portal(admin).get("/manage/people-sync/removal/")
    assert (moved.status_code, moved["Location"]) == (301, "/manage/people/removal/")


def test_inviting_someone_with_a_deleted_persons_address_frees_it(api, admin, learner, tenant_a):
    """While a deleted person waits to be anonymised they keep their e-mail; a new person
    given it (here through the API) has them anonymised now."""
    client = api(admin)
    assert client.delete(f"/api/v1/users/{learner.pk}").status_code == 204
    made = client.post("/api/v1/users", {"email": "Lena@example.com"})
    assert made.status_code == 201, made.json()
    with schema_context(tenant_a.schema):
        old = User.objects.get(pk=learner.pk)
        assert old.anonymised_at is not None and old.email != "lena@example.com"
        assert User.objects.get(pk=made.json()["id"]).email == "lena@example.com"
