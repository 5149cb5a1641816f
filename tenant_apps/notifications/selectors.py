from __future__ import annotations

from django.db.models import QuerySet

from tenant_apps.notifications.models import Notification


def notifications_of(*, recipient_id: int, unread_only: bool = False) -> QuerySet[Notification]:
    found = Notification.objects.filter(recipient_id=recipient_id)
    return found.filter(read_at__isnull=True) if unread_only else found


def unread_count(*, recipient_id: int) -> int:
    return Notification.objects.filter(recipient_id=recipient_id, read_at__isnull=True).count()
