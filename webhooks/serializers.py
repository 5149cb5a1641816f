"""The webhooks API's bodies. Inputs check shape and types; webhooks.services decide the rest
and name each wrong field. No output holds a signing secret except the two made to hand one
over once: the answer to creating an endpoint and the answer to rotating its secret."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from webhooks.models import AttemptTrigger, MessageStatus, WebhookAttempt, WebhookEndpoint

MAX_ID = 2**63 - 1


class WebhookEndpointFields(serializers.Serializer):
    url = serializers.CharField(
        max_length=2000,
        help_text="Where events are POSTed: https, a public host (checked when saved and at "
        "every delivery).",
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)
    event_types = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        max_length=50,
        help_text="Event types or patterns such as `course.*` (see `/api/v1/webhooks/"
        "event-types`); empty: every event type.",
    )
    enabled = serializers.BooleanField(required=False)
    custom_headers = serializers.DictField(
        child=serializers.CharField(max_length=1000, allow_blank=True, trim_whitespace=False),
        required=False,
        help_text="Extra headers sent with every delivery. Hop-by-hop headers, `host`, "
        "`content-*`, `user-agent`, `expect` and `webhook-*` are refused; `authorization` is "
        "allowed.",
    )
    rate_limit_per_second = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=10_000,
        help_text="Deliveries per second at most; 0: no limit of its own.",
    )


class WebhookEndpointCreateInput(WebhookEndpointFields):
    pass


class WebhookEndpointUpdateInput(WebhookEndpointFields):
    url = serializers.CharField(max_length=2000, required=False)


class WebhookEndpointOutput(serializers.ModelSerializer):
    previous_secret_expires_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="During a secret rotation: until when the previous secret also signs.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "enabled",
            "disabled_reason",
            "disabled_at",
            "custom_headers",
            "rate_limit_per_second",
            "failing_since",
            "previous_secret_expires_at",
            "created_at",
            "updated_at",
        ]


class WebhookEndpointCreatedOutput(WebhookEndpointOutput):
    secret = serializers.SerializerMethodField(
        help_text="The signing secret (`whsec_...`). Shown in this answer only: keep it now."
    )

    class Meta(WebhookEndpointOutput.Meta):
        fields = [*WebhookEndpointOutput.Meta.fields, "secret"]

    def get_secret(self, endpoint) -> str:
        return self.context["secret"]


class WebhookSecretOutput(serializers.Serializer):
    secret = serializers.CharField(
        help_text="The new signing secret (`whsec_...`). Shown in this answer only."
    )
    previous_secret_expires_at = serializers.DateTimeField(
        help_text="The previous secret also signs until then."
    )


class WebhookMessageQuery(serializers.Serializer):
    """The list's filters; a blank or absent one does not narrow it."""

    endpoint = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    event_type = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text="A type, or `course.*`."
    )
    status = serializers.ChoiceField(
        choices=MessageStatus.choices, required=False, allow_blank=True
    )
    since = serializers.DateTimeField(required=False, help_text="Made at or after this moment.")
    until = serializers.DateTimeField(required=False, help_text="Made before this moment.")


class WebhookAttemptQuery(serializers.Serializer):
    endpoint = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    message = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text="A `webhook-id`."
    )
    succeeded = serializers.BooleanField(required=False, allow_null=True, default=None)
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)


class WebhookMessageOutput(serializers.Serializer):
    message_id = serializers.CharField(help_text="The `webhook-id` header of its deliveries.")
    endpoint_id = serializers.IntegerField()
    event_id = serializers.UUIDField(allow_null=True)
    event_type = serializers.CharField()
    status = serializers.ChoiceField(choices=MessageStatus.choices)
    attempt_count = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class WebhookAttemptOutput(serializers.ModelSerializer):
    message_id = serializers.CharField(source="message.message_id", read_only=True)
    trigger = serializers.ChoiceField(choices=AttemptTrigger.choices)

    class Meta:
        model = WebhookAttempt
        fields = [
            "id",
            "message_id",
            "endpoint_id",
            "trigger",
            "attempted_at",
            "status_code",
            "succeeded",
            "latency_ms",
            "response_excerpt",
            "error",
            "request_headers",
            "response_headers",
        ]


class WebhookMessageDetailOutput(WebhookMessageOutput):
    payload = serializers.JSONField(help_text="The body as sent.")
    attempts = WebhookAttemptOutput(many=True, help_text="Newest first.")


class WebhookReplayInput(serializers.Serializer):
    since = serializers.DateTimeField(
        help_text="Send again every message made for the endpoint at or after this moment."
    )


class WebhookReplayOutput(serializers.Serializer):
    messages = serializers.IntegerField(help_text="How many messages are sent again.")


class WebhookHealthQuery(serializers.Serializer):
    hours = serializers.IntegerField(required=False, min_value=1, max_value=168, default=24)


class WebhookLatencyOutput(serializers.Serializer):
    p50 = serializers.IntegerField(allow_null=True, help_text="Median, in milliseconds.")
    p95 = serializers.IntegerField(allow_null=True, help_text="95th percentile, in ms.")


class WebhookHealthHourOutput(serializers.Serializer):
    hour = serializers.DateTimeField(help_text="The hour's start (UTC).")
    attempts = serializers.IntegerField()
    succeeded = serializers.IntegerField()
    failed = serializers.IntegerField()
    latency_ms = WebhookLatencyOutput(help_text="Of that hour's attempts that got an answer.")


class WebhookHealthOutput(serializers.Serializer):
    hours = serializers.IntegerField()
    attempts = serializers.IntegerField()
    succeeded = serializers.IntegerField()
    failed = serializers.IntegerField()
    success_rate = serializers.FloatField(allow_null=True, help_text="0 to 1; null: no attempt.")
    latency_ms = WebhookLatencyOutput(help_text="Of the attempts that got an answer.")
    per_hour = WebhookHealthHourOutput(many=True, help_text="Oldest first, every hour.")
    failing_since = serializers.DateTimeField(
        allow_null=True, help_text="Since when every attempt has failed; null: not failing."
    )


class WebhookEventTypeOutput(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()
    schema = serializers.SerializerMethodField(
        help_text="JSON Schema (draft 2020-12) of the body POSTed for this type; also in this "
        "document's components as `WebhookEvent_<type>`."
    )

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_schema(self, entry) -> dict:
        return entry.payload_schema()
