"""One's own notifications: /api/v1/me/notifications."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.notifications import selectors, services
from tenant_apps.notifications.models import Notification


class NotificationOutput(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at", "read"]

    def get_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class MyNotificationsApi(generics.ListAPIView):
    serializer_class = NotificationOutput
    filter_backends: list = []

    @extend_schema(parameters=[OpenApiParameter("unread", bool, allow_blank=True)])
    def get(self, request: Request, *args, **kwargs) -> Response:
        response = super().get(request, *args, **kwargs)
        response["X-Unread-Count"] = str(selectors.unread_count(recipient_id=request.user.pk))
        return response

    def get_queryset(self):
        unread = self.request.query_params.get("unread", "")
        if unread not in {"", "true", "false"}:  # as the document says
            raise ValidationError({"unread": [_("Use true or false.")]})
        return selectors.notifications_of(
            recipient_id=self.request.user.pk, unread_only=unread == "true"
        )


class NotificationReadApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, notification_id: int) -> Response:
        if not services.notification_mark_read(
            recipient_id=request.user.pk, notification_id=notification_id
        ):
            return Response(
                {
                    "error": {
                        "code": "not_found",
                        "message": _("No such notification."),
                        "details": [],
                    }
                },
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


class MarkedReadOutput(serializers.Serializer):
    marked_read = serializers.IntegerField()


class NotificationsReadAllApi(APIView):
    @extend_schema(request=None, responses={200: MarkedReadOutput})
    def post(self, request: Request) -> Response:
        marked = services.notifications_mark_all_read(recipient_id=request.user.pk)
        return Response({"marked_read": marked})
