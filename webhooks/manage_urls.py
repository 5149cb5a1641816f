"""The tenant admin's webhook pages (see manage_views.py)."""

from django.urls import path

from webhooks import manage_views

urlpatterns = [
    path("manage/webhooks/", manage_views.webhooks_home, name="manage-webhooks"),
    path("manage/webhooks/add/", manage_views.endpoint_add, name="manage-webhook-add"),
    path("manage/webhooks/log/", manage_views.delivery_log, name="manage-webhook-log"),
    path(
        "manage/webhooks/endpoints/<int:endpoint_id>/",
        manage_views.endpoint_page,
        name="manage-webhook-endpoint",
    ),
    path(
        "manage/webhooks/endpoints/<int:endpoint_id>/secret/",
        manage_views.endpoint_secret,
        name="manage-webhook-secret",
    ),
    path(
        "manage/webhooks/endpoints/<int:endpoint_id>/rotate/",
        manage_views.endpoint_rotate,
        name="manage-webhook-rotate",
    ),
    path(
        "manage/webhooks/endpoints/<int:endpoint_id>/enable/",
        manage_views.endpoint_enable,
        name="manage-webhook-enable",
    ),
    path(
        "manage/webhooks/endpoints/<int:endpoint_id>/test/",
        manage_views.endpoint_test,
        name="manage-webhook-test",
    ),
    path(
        "manage/webhooks/endpoints/<int:endpoint_id>/replay/",
        manage_views.endpoint_replay,
        name="manage-webhook-replay",
    ),
    path(
        "manage/webhooks/endpoints/<int:endpoint_id>/delete/",
        manage_views.endpoint_delete,
        name="manage-webhook-delete",
    ),
    path(
        "manage/webhooks/endpoints/<int:endpoint_id>/health/",
        manage_views.endpoint_health,
        name="manage-webhook-health",
    ),
    path(
        "manage/webhooks/messages/<str:message_id>/",
        manage_views.message_page,
        name="manage-webhook-message",
    ),
    path(
        "manage/webhooks/messages/<str:message_id>/resend/",
        manage_views.message_resend,
        name="manage-webhook-resend",
    ),
]
