"""The audit log page (`/manage/audit/`): admins only, filters by actor, action, target type
and days, paging with bounded queries, times in the viewer's time zone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_apps.audit.models import AuditAction, AuditEntry
from tenant_apps.audit.services import audit_record
from tenant_apps.people.models import Role, User


@pytest.fixture
def log(tenant_a, admin, make_person, learner):
    other_admin = make_person(Role.ADMIN, email="otto.admin@example.com")
    with schema_context(tenant_a.schema):
        audit_record(action=AuditAction.USER_DEACTIVATED, actor=admin, target=learner)
        audit_record(action=AuditAction.USER_REACTIVATED, actor=other_admin, target=learner)
        audit_record(
            action=AuditAction.USER_ROLE_CHANGED,
            actor=admin,
            target=learner,
            before={"role": "learner"},
            after={"role": "<b>admin</b>"},
        )
    return other_admin


def test_only_admins_read_the_log(portal, admin, learner, instructor, author):
    assert portal(admin).get("/manage/audit/").status_code == 200
    for person in (learner, instructor, author):
        assert portal(person).get("/manage/audit/").status_code == 403, person.role


def test_filters_by_actor_action_and_target_type(portal, admin, log):
    client = portal(admin)

    def actions(**query) -> list[str]:
        response = client.get("/manage/audit/", query)
        assert response.status_code == 200
        return [entry.action for entry in response.context["page"]]

    assert actions() == ["user.role_changed", "user.reactivated", "user.deactivated"]
    assert actions(actor=log.pk) == ["user.reactivated"]
    assert actions(action="user.deactivated") == ["user.deactivated"]
    assert actions(target_type="user", actor=admin.pk) == ["user.role_changed", "user.deactivated"]
    page = client.get("/manage/audit/").content.decode()
    assert "&lt;b&gt;admin&lt;/b&gt;" in page and "<b>admin</b>" not in page
    assert '<option value="user">user</option>' in page  # the kinds the log holds


def test_time_range_is_read_in_the_viewers_zone_and_times_shown_there(
    portal, admin, learner, tenant_a
):
    tokyo = ZoneInfo("Asia/Tokyo")
    with schema_context(tenant_a.schema):
        User.objects.filter(pk=admin.pk).update(time_zone="Asia/Tokyo")
        # 23:30 on 1 March in Tokyo is still 1 March there, but 14:30 UTC.
        late = audit_record(action=AuditAction.USER_DEACTIVATED, actor=admin, target=learner)
        AuditEntry.objects.filter(pk=late.pk).update(
            created_at=datetime(2026, 3, 1, 23, 30, tzinfo=tokyo)
        )
        early = audit_record(action=AuditAction.USER_REACTIVATED, actor=admin, target=learner)
        AuditEntry.objects.filter(pk=early.pk).update(
            created_at=datetime(2026, 3, 2, 0, 30, tzinfo=tokyo)
        )

    client = portal(admin)
    response = client.get("/manage/audit/", {"since": "2026-03-01", "until": "2026-03-01"})
    assert [e.pk for e in response.context["page"]] == [late.pk]
    assert "2026-03-01 23:30" in response.content.decode()
    assert "Asia/Tokyo" in response.content.decode()
    response = client.get("/manage/audit/", {"since": "2026-03-02"})
    assert [e.pk for e in response.context["page"]] == [early.pk]


def test_a_range_ending_before_it_starts_is_shown_on_the_field(portal, admin):
    response = portal(admin).get("/manage/audit/", {"since": "2026-03-05", "until": "2026-03-01"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_until_error"' in page
    assert 'value="2026-03-05"' in page


def test_pages_with_bounded_queries(
    portal, admin, learner, tenant_a, django_assert_max_num_queries
):
    client = portal(admin)
    client.get("/manage/audit/")
    with django_assert_max_num_queries(14):
        assert client.get("/manage/audit/").status_code == 200
    with schema_context(tenant_a.schema):
        now = timezone.now()
        actors = [User.objects.create(email=f"a{n}@example.com", role=Role.ADMIN) for n in range(5)]
        AuditEntry.objects.bulk_create(
            AuditEntry(
                action=AuditAction.USER_DEACTIVATED,
                actor_id=actors[n % 5].pk,
                actor_email=actors[n % 5].email,
                target_type="user",
                target_id=str(learner.pk),
                target_label=learner.email,
                created_at=now - timedelta(minutes=n),
            )
            for n in range(130)
        )
    with django_assert_max_num_queries(14):
        response = client.get("/manage/audit/", {"page": 2})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 50
    assert response.context["page"].paginator.count == 130


def test_entries_of_another_tenant_never_show(portal, admin, make_person, tenant_b):
    admin_b = make_person(Role.ADMIN, tenant=tenant_b, email="b-admin@b.example")
    target_b = make_person(Role.LEARNER, tenant=tenant_b, email="b-learner@b.example")
    with schema_context(tenant_b.schema):
        audit_record(action=AuditAction.USER_DEACTIVATED, actor=admin_b, target=target_b)
    response = portal(admin).get("/manage/audit/", {"actor": admin_b.pk})
    assert "b-learner@b.example" not in response.content.decode()


def test_the_api_filters_by_time_too(api, admin, log, tenant_a):
    with schema_context(tenant_a.schema):
        AuditEntry.objects.filter(action="user.deactivated").update(
            created_at=timezone.now() - timedelta(days=3)
        )
    since = (timezone.now() - timedelta(days=1)).isoformat()
    body = api(admin).get("/api/v1/audit-log", {"since": since}).json()
    assert [entry["action"] for entry in body["results"]] == [
        "user.role_changed",
        "user.reactivated",
    ]
