"""What the webhook configuration refuses, each code with a message an admin can act on."""

from __future__ import annotations

from enum import StrEnum


class WebhookErrorCode(StrEnum):
    ENDPOINT_NOT_FOUND = "webhook_endpoint_not_found"
    ENDPOINT_INVALID = "webhook_endpoint_invalid"
    MESSAGE_NOT_FOUND = "webhook_message_not_found"
    ATTEMPT_NOT_FOUND = "webhook_attempt_not_found"
    FILTER_INVALID = "webhook_filter_invalid"
    ENDPOINT_DISABLED = "webhook_endpoint_disabled"
