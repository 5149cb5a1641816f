"""`/billing/webhooks/<provider>/` on a tenant's host: Stripe and Razorpay deliver course
payment events here. No login, no CSRF token: the provider's signature over the raw body
is the only credential. 400 when it does not verify (nothing kept); 200 for a duplicate or
an unknown type; 404 for an order this tenant does not have (nothing kept)."""

from __future__ import annotations

import logging

from django.db import DataError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing.payments.models import Provider
from billing.payments.providers.common import WebhookRejected
from billing.payments.services.events import EventRefused, provider_webhook_receive

logger = logging.getLogger(__name__)

# Provider events are small; anything larger is not one.
MAX_BODY_BYTES = 256 * 1024


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "details": []}}, status=status)


@csrf_exempt
@require_POST
def provider_webhook(request: HttpRequest, provider: str) -> JsonResponse:
    if provider not in Provider.values:
        return _error(404, "provider_not_found", "No such payment provider.")
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
        return _error(413, "payload_too_large", "The event is too large.")
    raw_body = request.body
    if len(raw_body) > MAX_BODY_BYTES:  # a chunked body names no length
        return _error(413, "payload_too_large", "The event is too large.")
    try:
        receipt = provider_webhook_receive(
            provider=provider, raw_body=raw_body, headers=request.headers
        )
    except DataError:  # signed, but holding what the database refuses (a NUL character)
        logger.warning("%s webhook refused: the event cannot be stored", provider)
        return _error(400, "event_invalid", "The event cannot be stored.")
    except WebhookRejected as exc:
        logger.info("%s webhook refused: %s", provider, exc)
        return _error(400, "signature_invalid", "The signature does not verify.")
    except EventRefused as exc:
        logger.warning("%s webhook for an order not here: %s", provider, exc)
        return _error(404, "order_not_found", "No such order here.")
    return JsonResponse({"received": True, "outcome": receipt.outcome})
