"""In-app notifications: one's own only, read and unread."""

from __future__ import annotations

from django_tenants.utils import schema_context

from tenant_apps.notifications.models import Notification, NotificationKind
from tenant_apps.notifications.services import notification_send
from tests.snapshots import snapshot


def test_list_unread_and_mark_read(api, make_person, tenant_a):
    me, other = make_person(), make_person()
    with schema_context(tenant_a.schema):
        first = notification_send(recipient_id=me.pk, kind=NotificationKind.GENERAL, title="One")
        notification_send(recipient_id=me.pk, kind=NotificationKind.GENERAL, title="Two")
        notification_send(recipient_id=other.pk, kind=NotificationKind.GENERAL, title="Theirs")
    client = api(me)
    listed = client.get("/api/v1/me/notifications")
    assert [n["title"] for n in listed.json()["results"]] == ["Two", "One"]
    assert listed["X-Unread-Count"] == "2"

    assert client.post(f"/api/v1/me/notifications/{first.pk}/read").status_code == 204
    unread = client.get("/api/v1/me/notifications?unread=true").json()
    assert [n["title"] for n in unread["results"]] == ["Two"]
    assert client.post("/api/v1/me/notifications/read-all").json() == {"marked_read": 1}


def test_someone_elses_notification_is_404_and_stays_unread(api, make_person, tenant_a):
    me, other = make_person(), make_person()
    with schema_context(tenant_a.schema):
        theirs = notification_send(
            recipient_id=other.pk, kind=NotificationKind.GENERAL, title="Theirs"
        )
    client = api(me)
    before = snapshot(Notification, tenant=tenant_a)
    assert client.post(f"/api/v1/me/notifications/{theirs.pk}/read").status_code == 404
    assert snapshot(Notification, tenant=tenant_a) == before
    with schema_context(tenant_a.schema):
        assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_anonymous_gets_401(api):
    assert api().get("/api/v1/me/notifications").status_code == 401


def test_enrollment_and_assignment_arrive_in_the_inbox(api, make_person, tenant_a):
    """The due date reads in the learner's time zone, as in the e-mail."""
    from datetime import UTC, datetime

    from tenant_apps.enrollments.services import enrollment_assign, enrollment_self_enroll
    from tenant_apps.people.models import Role
    from tenant_apps.people.services import user_update
    from tests.builders import course_build

    owner, admin = make_person(Role.INSTRUCTOR), make_person(Role.ADMIN)
    learner = make_person()
    with schema_context(tenant_a.schema):
        user_update(user=learner, actor=learner, time_zone="Pacific/Auckland")
        free = course_build(owner=owner, title="Free Basics")
        assigned = course_build(owner=owner, title="Mandatory Safety")
        enrollment_self_enroll(user=learner, course=free)
        due = datetime(2031, 6, 30, 15, 0, tzinfo=UTC)
        enrollment_assign(user=learner, course=assigned, actor=admin, due_at=due)
    inbox = api(learner).get("/api/v1/me/notifications").json()["results"]
    assert [(n["kind"], n["title"], n["body"]) for n in inbox] == [
        ("assigned", "Assigned: Mandatory Safety", "Due 1 July 2031, 03:00 NZST."),
        ("enrolled", "Enrolled: Free Basics", ""),
    ]
    assert inbox[0]["link"] == f"/courses/{assigned.pk}/"
