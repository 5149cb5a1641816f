"""In-app notifications: one's own only, read and unread."""

from __future__ import annotations

from django_tenants.utils import schema_context

from tenant_apps.notifications.models import Notification, NotificationKind
from tenant_apps.notifications.services import notification_send


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
    assert api(me).post(f"/api/v1/me/notifications/{theirs.pk}/read").status_code == 404
    with schema_context(tenant_a.schema):
        assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_anonymous_gets_401(api):
    assert api().get("/api/v1/me/notifications").status_code == 401
