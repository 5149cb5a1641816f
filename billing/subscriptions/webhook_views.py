"""Stripe's platform-billing webhook on the public host: `/billing/webhooks/stripe/`.

The signature is checked by the official SDK (`stripe.WebhookSignature.verify_header`, the
check `stripe.Webhook.construct_event` makes, with its 300 s tolerance) over the raw body;
anything that fails is a 400 and nothing is stored. A verified event is stored once under
(provider, event_id) and applied; a duplicate or an unknown type answers 200 so Stripe
stops retrying."""

from __future__ import annotations

import json
import logging

import stripe
from django.conf import settings
from django.db import DataError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing.subscriptions.services.events import provider_event_receive

logger = logging.getLogger("billing.subscriptions")

SIGNATURE_TOLERANCE_SECONDS = 300
MAX_BODY_BYTES = 512 * 1024


def _refused(reason: str) -> HttpResponse:
    logger.warning("platform stripe webhook refused: %s", reason)
    return JsonResponse(
        {"error": {"code": "invalid_event", "message": reason, "details": []}}, status=400
    )


def _is_event(event: object) -> bool:
    if not isinstance(event, dict):
        return False
    event_id, event_type = event.get("id"), event.get("type")
    return (
        isinstance(event_id, str)
        and 0 < len(event_id) <= 255
        and isinstance(event_type, str)
        and len(event_type) <= 100
    )


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    secret = settings.STRIPE_PLATFORM_WEBHOOK_SECRET
    if not secret:
        return _refused("webhook secret not configured")
    payload = request.body
    if len(payload) > MAX_BODY_BYTES:
        return _refused("body too large")
    try:
        # The SDK's check (construct_event's own), before the body is read at all.
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"),
            request.headers.get("Stripe-Signature", ""),
            secret,
            tolerance=SIGNATURE_TOLERANCE_SECONDS,
        )
        event = json.loads(payload)
    except (ValueError, stripe.SignatureVerificationError):
        return _refused("signature or body invalid")
    if not _is_event(event):
        return _refused("not an event")
    try:
        outcome = provider_event_receive(event)
    except DataError:  # a value the database cannot keep (a NUL character, say)
        return _refused("event not storable")
    return JsonResponse({"received": True, "outcome": outcome})
