"""The tenant admin's webhook pages (`/manage/webhooks/...`): endpoints (list, add, edit,
switch on again, delete), the signing secret shown once after it is made or rotated, test
events, replay, each endpoint's health over the last 24 hours, and the delivery log with
each attempt's request and answer. Each page authorises with the API's rule
(MANAGE_WEBHOOKS), calls one service or selector, and renders."""

from __future__ import annotations

import json
from datetime import datetime

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.pages import page_of, page_requires, query_without_page
from core.secret_box import secret_open, secret_seal
from webhooks import selectors_log
from webhooks.catalogue import EVENT_TYPES
from webhooks.hooks import can_manage_webhooks
from webhooks.manage_forms import (
    DeliveryLogFilterForm,
    EndpointForm,
    ReplayForm,
    service_errors_show,
)
from webhooks.models import WebhookEndpoint
from webhooks.services import endpoints, messages

# The secret waits here, sealed, between the POST that made it and the one page showing it.
_REVEAL_KEY = "webhooks_secret_reveal"


def _reveal_later(request: HttpRequest, endpoint: WebhookEndpoint, secret: str) -> HttpResponse:
    request.session[_REVEAL_KEY] = {"endpoint_id": endpoint.pk, "sealed": secret_seal(secret)}
    return redirect("manage-webhook-secret", endpoint_id=endpoint.pk)


def _log_url(**filters) -> str:
    return reverse("manage-webhook-log") + "?" + urlencode(filters)


@page_requires(can_manage_webhooks)
def webhooks_home(request: HttpRequest) -> HttpResponse:
    """The endpoints with their state and last delivery."""
    return render(
        request,
        "webhooks/manage/endpoints.html",
        {"endpoints": list(selectors_log.endpoints_with_last_attempt())},
    )


@page_requires(can_manage_webhooks)
def endpoint_add(request: HttpRequest) -> HttpResponse:
    form = EndpointForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                endpoint, secret = endpoints.endpoint_create(actor=request.user, **form.values())
            except ApplicationError as error:
                service_errors_show(form, error)
            else:
                flash.success(request, _("Added the endpoint."))
                return _reveal_later(request, endpoint, secret)
        status = 400
    return render(
        request,
        "webhooks/manage/add.html",
        {"form": form, "event_types": EVENT_TYPES},
        status=status,
    )


@page_requires(can_manage_webhooks)
def endpoint_secret(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """The secret just made for this endpoint, once: reading it here forgets it."""
    endpoint = endpoints.endpoint_get(endpoint_id=endpoint_id)
    waiting = request.session.get(_REVEAL_KEY)
    secret = None
    if waiting and waiting.get("endpoint_id") == endpoint.pk:
        secret = secret_open(waiting["sealed"])
        del request.session[_REVEAL_KEY]
    response = render(
        request, "webhooks/manage/secret.html", {"endpoint": endpoint, "secret": secret}
    )
    response["Cache-Control"] = "no-store"
    return response


def _endpoint_page(request, endpoint, form, replay_form, status: int = 200) -> HttpResponse:
    return render(
        request,
        "webhooks/manage/endpoint.html",
        {
            "endpoint": endpoint,
            "form": form,
            "replay_form": replay_form,
            "event_types": EVENT_TYPES,
            "recent": list(selectors_log.messages_filtered(endpoint_id=endpoint.pk)[:10]),
            "log_url": _log_url(endpoint=endpoint.pk),
        },
        status=status,
    )


@page_requires(can_manage_webhooks)
def endpoint_page(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = endpoints.endpoint_get(endpoint_id=endpoint_id)
    form = EndpointForm(request.POST or None, endpoint=endpoint)
    if request.method == "POST":
        if form.is_valid():
            try:
                endpoints.endpoint_update(endpoint=endpoint, actor=request.user, **form.values())
            except ApplicationError as error:
                service_errors_show(form, error)
            else:
                flash.success(request, _("Saved the endpoint."))
                return redirect("manage-webhook-endpoint", endpoint_id=endpoint.pk)
        return _endpoint_page(request, endpoint, form, ReplayForm(), status=400)
    return _endpoint_page(request, endpoint, form, ReplayForm())


@require_POST
@page_requires(can_manage_webhooks)
def endpoint_rotate(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = endpoints.endpoint_get(endpoint_id=endpoint_id)
    secret = endpoints.endpoint_secret_rotate(endpoint=endpoint, actor=request.user)
    flash.success(request, _("Made a new secret. The previous one signs too for 24 hours."))
    return _reveal_later(request, endpoint, secret)


@require_POST
@page_requires(can_manage_webhooks)
def endpoint_enable(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = endpoints.endpoint_get(endpoint_id=endpoint_id)
    endpoints.endpoint_enable(endpoint=endpoint, actor=request.user)
    flash.success(request, _("The endpoint receives events again."))
    return redirect("manage-webhook-endpoint", endpoint_id=endpoint.pk)


@require_POST
@page_requires(can_manage_webhooks)
def endpoint_test(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = endpoints.endpoint_get(endpoint_id=endpoint_id)
    message = messages.test_event_send(endpoint=endpoint, actor=request.user)
    flash.success(
        request, _("Sent a test event (%(id)s). It shows below.") % {"id": message.message_id}
    )
    return redirect(_log_url(endpoint=endpoint.pk))


@require_POST
@page_requires(can_manage_webhooks)
def endpoint_replay(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = endpoints.endpoint_get(endpoint_id=endpoint_id)
    form = ReplayForm(request.POST)
    if not form.is_valid():
        return _endpoint_page(request, endpoint, EndpointForm(endpoint=endpoint), form, status=400)
    since = form.cleaned_data["since"]
    count = messages.messages_replay(endpoint=endpoint, since=since, actor=request.user)
    flash.success(
        request,
        ngettext("Sending %(count)s message again.", "Sending %(count)s messages again.", count)
        % {"count": count},
    )
    return redirect(_log_url(endpoint=endpoint.pk))


@require_POST
@page_requires(can_manage_webhooks)
def endpoint_delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = endpoints.endpoint_get(endpoint_id=endpoint_id)
    endpoints.endpoint_delete(endpoint=endpoint, actor=request.user)
    flash.success(request, _("Deleted the endpoint and its delivery log."))
    return redirect("manage-webhooks")


@page_requires(can_manage_webhooks)
def endpoint_health(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """Success rate and latency over the last 24 hours: charts, and the same as a table."""
    endpoint = endpoints.endpoint_get(endpoint_id=endpoint_id)
    health = selectors_log.endpoint_health_by_hour(endpoint=endpoint, hours=24)
    rows = [{**row, "hour": datetime.fromisoformat(row["hour"])} for row in health["per_hour"]]
    labels = [timezone.localtime(row["hour"]).strftime("%H:%M") for row in rows]
    charts = {
        "latency": {
            "labels": labels,
            "unit": "ms",
            "series": [
                {"label": _("Median (p50)"), "values": [r["latency_ms"]["p50"] for r in rows]},
                {"label": _("95th percentile"), "values": [r["latency_ms"]["p95"] for r in rows]},
            ],
        },
        "attempts": {
            "labels": labels,
            "stacked": True,
            "series": [
                {"label": _("Succeeded"), "values": [row["succeeded"] for row in rows]},
                {"label": _("Failed"), "values": [row["failed"] for row in rows]},
            ],
        },
    }
    rate = health["success_rate"]
    return render(
        request,
        "webhooks/manage/health.html",
        {
            "endpoint": endpoint,
            "health": health,
            "success_percent": None if rate is None else round(rate * 100, 1),
            "rows": rows,
            "charts": charts,
        },
    )


@page_requires(can_manage_webhooks)
def delivery_log(request: HttpRequest) -> HttpResponse:
    """Messages, newest first, filtered by endpoint, event type, status and time."""
    known = list(WebhookEndpoint.objects.only("pk", "url", "description").order_by("pk"))
    filtering = any(request.GET.get(name) for name in ("endpoint", "event_type", "status"))
    filtering = filtering or any(request.GET.get(name) for name in ("since", "until"))
    form = DeliveryLogFilterForm(request.GET if filtering else None, endpoints=known)
    valid = form.is_bound and form.is_valid()
    filters = form.cleaned_data if valid else {}
    found = selectors_log.messages_filtered(
        endpoint_id=filters.get("endpoint"),
        event_type=filters.get("event_type") or "",
        status=filters.get("status") or "",
        since=filters.get("since"),
        until=filters.get("until"),
    )
    status = 400 if form.is_bound and not valid else 200
    return render(
        request,
        "webhooks/manage/log.html",
        {"form": form, "page": page_of(request, found), "query": query_without_page(request)},
        status=status,
    )


@page_requires(can_manage_webhooks)
def message_page(request: HttpRequest, message_id: str) -> HttpResponse:
    """One message: its body, and every attempt's request headers and answer."""
    message = selectors_log.message_get(message_id=message_id)
    return render(
        request,
        "webhooks/manage/message.html",
        {
            "message": message,
            "payload": json.dumps(message.payload, indent=2, ensure_ascii=False),
            "attempts": list(selectors_log.attempts_of(message)),
        },
    )


@require_POST
@page_requires(can_manage_webhooks)
def message_resend(request: HttpRequest, message_id: str) -> HttpResponse:
    message = selectors_log.message_get(message_id=message_id)
    messages.message_resend(message=message, actor=request.user)
    flash.success(request, _("Sending the message again, with the same webhook-id."))
    return redirect("manage-webhook-message", message_id=message.message_id)
