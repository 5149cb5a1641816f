"""One DRF exception handler: every API error is
`{"error": {"code", "message", "details": [{"field", "message"}]}}`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.errors import ApplicationError


def _printable(text: str) -> str:
    """Messages may quote the input; keep them encodable whatever it held."""
    return text.encode("utf-8", "replace").decode("utf-8")


def error_body(code: str, message: str, details: list[dict[str, str]] | None = None) -> dict:
    return {
        "error": {
            "code": code,
            "message": _printable(message),
            "details": [
                {"field": _printable(d["field"]), "message": _printable(d["message"])}
                for d in details or []
            ],
        }
    }


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """Turn DRF's nested validation detail into a flat list of (field, message)."""
    if isinstance(detail, dict):
        rows: list[dict[str, str]] = []
        for key, value in detail.items():
            name = prefix if key == "non_field_errors" else (f"{prefix}.{key}" if prefix else key)
            rows.extend(_flatten(value, name))
        return rows
    if isinstance(detail, list):
        rows = []
        for index, value in enumerate(detail):
            nested = isinstance(value, dict | list)
            rows.extend(_flatten(value, f"{prefix}[{index}]" if nested else prefix))
        return rows
    return [{"field": prefix or "non_field_errors", "message": str(detail)}]


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ApplicationError):
        details = [{"field": d.field, "message": d.message} for d in exc.details]
        response = Response(error_body(exc.code.value, exc.message, details), status=exc.status)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after:
            response["Retry-After"] = str(retry_after)
        return response
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = error_body("invalid", _("The request has invalid fields."), _flatten(exc.detail))
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", None) or "error"
        if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
            code = "throttled"
        body = error_body(str(code), str(detail))
    response.data = body
    return response
