from django.urls import path

from tenant_apps.notifications import api

urlpatterns = [
    path("me/notifications", api.MyNotificationsApi.as_view(), name="my-notifications"),
    path(
        "me/notifications/read-all",
        api.NotificationsReadAllApi.as_view(),
        name="my-notifications-read-all",
    ),
    path(
        "me/notifications/<int:notification_id>/read",
        api.NotificationReadApi.as_view(),
        name="my-notification-read",
    ),
]
