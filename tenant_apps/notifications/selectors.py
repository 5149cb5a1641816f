from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.errors import NotFound
from tenant_apps.notifications.errors import NotificationErrorCode
from tenant_apps.notifications.models import Notification


def notifications_of(*, recipient_id: int, unread_only: bool = False) -> QuerySet[Notification]:
    found = Notification.objects.filter(recipient_id=recipient_id)
    return found.filter(read_at__isnull=True) if unread_only else found


def unread_count(*, recipient_id: int) -> int:
    return Notification.objects.filter(recipient_id=recipient_id, read_at__isnull=True).count()


def notification_of(*, recipient_id: int, notification_id: int) -> Notification:
    """One of the person's own notifications; anyone else's id (or none) is 404."""
    found = Notification.objects.filter(pk=notification_id, recipient_id=recipient_id).first()
    if found is None:
        raise NotFound(NotificationErrorCode.NOTIFICATION_NOT_FOUND, _("No such notification."))
    return found
