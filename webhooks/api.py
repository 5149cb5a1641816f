"""The webhooks API under /api/v1/webhooks/ (tenant admins only, Capability.MANAGE_WEBHOOKS):
endpoints (the secret is in the create and rotate answers only), the delivery log (messages
and attempts), resend, replay, test events, endpoint health, and the event-type catalogue
with a JSON Schema per type.

Deliveries are at least once (deduplicate on the `webhook-id` header) and per-endpoint
ordering is not promised: order by the payload's `timestamp` where order matters. The admin
pages call the same services with the same permission."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.people.permissions import Capability, requires
from webhooks import selectors_log
from webhooks import serializers as bodies
from webhooks.catalogue import EVENT_TYPES
from webhooks.models import WebhookAttempt, WebhookMessage
from webhooks.services import endpoints, messages

CanManageWebhooks = requires(Capability.MANAGE_WEBHOOKS)

ORDERING_NOTE = (
    " Deliveries are at least once (deduplicate on `webhook-id`); per-endpoint ordering is "
    "not promised."
)


def _endpoint_values(validated: dict) -> dict:
    values = dict(validated)
    if "custom_headers" in values:
        values["custom_headers"] = dict(values["custom_headers"])
    if "event_types" in values:
        values["event_types"] = list(values["event_types"])
    return values


class EndpointListApi(APIView):
    permission_classes = [CanManageWebhooks]

    @extend_schema(responses=bodies.WebhookEndpointOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(bodies.WebhookEndpointOutput(endpoints.endpoints_all(), many=True).data)

    @extend_schema(
        request=bodies.WebhookEndpointCreateInput,
        responses={201: bodies.WebhookEndpointCreatedOutput},
    )
    def post(self, request: Request) -> Response:
        """Add an endpoint. The answer holds its signing secret, this once: keep it."""
        body = bodies.WebhookEndpointCreateInput(data=request.data)
        body.is_valid(raise_exception=True)
        endpoint, secret = endpoints.endpoint_create(
            actor=request.user, **_endpoint_values(body.validated_data)
        )
        return Response(
            bodies.WebhookEndpointCreatedOutput(endpoint, context={"secret": secret}).data,
            status=status.HTTP_201_CREATED,
        )


class EndpointDetailApi(APIView):
    permission_classes = [CanManageWebhooks]

    @extend_schema(responses=bodies.WebhookEndpointOutput)
    def get(self, request: Request, endpoint_id: int) -> Response:
        return Response(
            bodies.WebhookEndpointOutput(endpoints.endpoint_get(endpoint_id=endpoint_id)).data
        )

    @extend_schema(
        request=bodies.WebhookEndpointUpdateInput, responses=bodies.WebhookEndpointOutput
    )
    def patch(self, request: Request, endpoint_id: int) -> Response:
        """Change some fields; the others stay. `enabled: true` on an endpoint Lectern
        switched off clears why and since when it was failing."""
        endpoint = endpoints.endpoint_get(endpoint_id=endpoint_id)
        body = bodies.WebhookEndpointUpdateInput(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        endpoint = endpoints.endpoint_update(
            endpoint=endpoint, actor=request.user, **_endpoint_values(body.validated_data)
        )
        return Response(bodies.WebhookEndpointOutput(endpoint).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, endpoint_id: int) -> Response:
        """Delete the endpoint with its delivery log."""
        endpoints.endpoint_delete(
            endpoint=endpoints.endpoint_get(endpoint_id=endpoint_id), actor=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class EndpointSecretRotateApi(APIView):
    permission_classes = [CanManageWebhooks]

    @extend_schema(request=None, responses=bodies.WebhookSecretOutput)
    def post(self, request: Request, endpoint_id: int) -> Response:
        """A new signing secret, in this answer only. For 24 hours the previous one signs
        too (`webhook-signature` holds both signatures, space-separated)."""
        endpoint = endpoints.endpoint_get(endpoint_id=endpoint_id)
        secret = endpoints.endpoint_secret_rotate(endpoint=endpoint, actor=request.user)
        return Response(
            bodies.WebhookSecretOutput(
                {
                    "secret": secret,
                    "previous_secret_expires_at": endpoint.previous_secret_expires_at,
                }
            ).data
        )


class EndpointReplayApi(APIView):
    permission_classes = [CanManageWebhooks]

    @extend_schema(
        request=bodies.WebhookReplayInput,
        responses={202: bodies.WebhookReplayOutput},
        description="Send again, with their original `webhook-id`, every message made for "
        "the endpoint since a moment." + ORDERING_NOTE,
    )
    def post(self, request: Request, endpoint_id: int) -> Response:
        endpoint = endpoints.endpoint_get(endpoint_id=endpoint_id)
        body = bodies.WebhookReplayInput(data=request.data)
        body.is_valid(raise_exception=True)
        count = messages.messages_replay(
            endpoint=endpoint, since=body.validated_data["since"], actor=request.user
        )
        return Response(
            bodies.WebhookReplayOutput({"messages": count}).data, status=status.HTTP_202_ACCEPTED
        )


class EndpointTestApi(APIView):
    permission_classes = [CanManageWebhooks]

    @extend_schema(request=None, responses={202: bodies.WebhookMessageOutput})
    def post(self, request: Request, endpoint_id: int) -> Response:
        """Send a `webhook.test` event to the endpoint now; follow it in the delivery log."""
        endpoint = endpoints.endpoint_get(endpoint_id=endpoint_id)
        message = messages.test_event_send(endpoint=endpoint, actor=request.user)
        return Response(bodies.WebhookMessageOutput(message).data, status=status.HTTP_202_ACCEPTED)


class EndpointHealthApi(APIView):
    permission_classes = [CanManageWebhooks]

    @extend_schema(parameters=[bodies.WebhookHealthQuery], responses=bodies.WebhookHealthOutput)
    def get(self, request: Request, endpoint_id: int) -> Response:
        """Success rate, latency (p50, p95) and attempts per hour over the last `hours`."""
        endpoint = endpoints.endpoint_get(endpoint_id=endpoint_id)
        query = bodies.WebhookHealthQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        health = selectors_log.endpoint_health_by_hour(
            endpoint=endpoint, hours=query.validated_data["hours"]
        )
        return Response(bodies.WebhookHealthOutput(health).data)


@extend_schema(
    parameters=[bodies.WebhookMessageQuery],
    description="Messages (one per event and endpoint), newest first." + ORDERING_NOTE,
)
class MessageListApi(generics.ListAPIView):
    permission_classes = [CanManageWebhooks]
    serializer_class = bodies.WebhookMessageOutput
    filter_backends: list = []  # the filters are the selector's (WebhookMessageQuery)

    def get_queryset(self) -> QuerySet[WebhookMessage]:
        query = bodies.WebhookMessageQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        values = dict(query.validated_data)
        return selectors_log.messages_filtered(
            endpoint_id=values.get("endpoint"),
            event_type=values.get("event_type", ""),
            status=values.get("status", ""),
            since=values.get("since"),
            until=values.get("until"),
        )


class MessageDetailApi(APIView):
    permission_classes = [CanManageWebhooks]

    @extend_schema(responses=bodies.WebhookMessageDetailOutput)
    def get(self, request: Request, message_id: str) -> Response:
        """A message with its body and every attempt (request headers with the signature,
        the answer's status, headers and first 1 KB, or the error)."""
        message = selectors_log.message_get(message_id=message_id)
        data = bodies.WebhookMessageOutput(message).data
        data["payload"] = message.payload
        data["attempts"] = bodies.WebhookAttemptOutput(
            selectors_log.attempts_of(message), many=True
        ).data
        return Response(data)


class MessageResendApi(APIView):
    permission_classes = [CanManageWebhooks]

    @extend_schema(request=None, responses={202: bodies.WebhookMessageOutput})
    def post(self, request: Request, message_id: str) -> Response:
        """Send the message again now, with the same `webhook-id`."""
        message = selectors_log.message_get(message_id=message_id)
        message = messages.message_resend(message=message, actor=request.user)
        return Response(bodies.WebhookMessageOutput(message).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(parameters=[bodies.WebhookAttemptQuery])
class AttemptListApi(generics.ListAPIView):
    permission_classes = [CanManageWebhooks]
    serializer_class = bodies.WebhookAttemptOutput
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[WebhookAttempt]:
        query = bodies.WebhookAttemptQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        values = dict(query.validated_data)
        return selectors_log.attempts_filtered(
            endpoint_id=values.get("endpoint"),
            message_id=values.get("message", ""),
            succeeded=values.get("succeeded"),
            since=values.get("since"),
            until=values.get("until"),
        )


class EventTypeListApi(APIView):
    permission_classes = [CanManageWebhooks]

    @extend_schema(responses=bodies.WebhookEventTypeOutput(many=True))
    def get(self, request: Request) -> Response:
        """Every event type an endpoint can subscribe to, with the JSON Schema of its body
        (`{"type", "timestamp", "data", "tenant"}`). Per-endpoint ordering is not promised."""
        return Response(bodies.WebhookEventTypeOutput(EVENT_TYPES, many=True).data)
