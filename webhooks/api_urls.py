from django.urls import path

from webhooks import api

urlpatterns = [
    path("webhooks/endpoints", api.EndpointListApi.as_view(), name="webhook-endpoint-list"),
    path(
        "webhooks/endpoints/<int:endpoint_id>",
        api.EndpointDetailApi.as_view(),
        name="webhook-endpoint-detail",
    ),
    path(
        "webhooks/endpoints/<int:endpoint_id>/rotate-secret",
        api.EndpointSecretRotateApi.as_view(),
        name="webhook-endpoint-rotate-secret",
    ),
    path(
        "webhooks/endpoints/<int:endpoint_id>/replay",
        api.EndpointReplayApi.as_view(),
        name="webhook-endpoint-replay",
    ),
    path(
        "webhooks/endpoints/<int:endpoint_id>/test",
        api.EndpointTestApi.as_view(),
        name="webhook-endpoint-test",
    ),
    path(
        "webhooks/endpoints/<int:endpoint_id>/health",
        api.EndpointHealthApi.as_view(),
        name="webhook-endpoint-health",
    ),
    path("webhooks/messages", api.MessageListApi.as_view(), name="webhook-message-list"),
    path(
        "webhooks/messages/<str:message_id>",
        api.MessageDetailApi.as_view(),
        name="webhook-message-detail",
    ),
    path(
        "webhooks/messages/<str:message_id>/resend",
        api.MessageResendApi.as_view(),
        name="webhook-message-resend",
    ),
    path("webhooks/attempts", api.AttemptListApi.as_view(), name="webhook-attempt-list"),
    path("webhooks/event-types", api.EventTypeListApi.as_view(), name="webhook-event-types"),
]
