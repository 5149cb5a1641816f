"""Addresses under /api/ that name no route, whatever DEBUG says.

* An address that names a route but for its trailing slash (`/api/v1/courses/`,
  `/api/v1/docs`) is a permanent redirect (308, which keeps the method and the body) to
  that route: API resources have no trailing slash, the document and docs pages have one.
* Any other answers 404 with the API's error body, as a missing row does, never Django's
  page (which, with DEBUG on, would list every route).

Answers of views (a 404 for a row someone may not see, say) pass untouched.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.http.response import HttpResponseRedirectBase
from django.urls import is_valid_path
from django.utils.translation import gettext as _

from core.api.errors import error_body

API_PREFIX = "/api/"


class HttpResponsePermanentRedirect308(HttpResponseRedirectBase):
    """A permanent redirect that keeps the method and the body (RFC 9110 §15.4.9)."""

    status_code = 308


def _with_other_slash(request: HttpRequest) -> str | None:
    """The request's path with its trailing slash added or removed, when that names a
    route; None otherwise."""
    path = request.path_info
    other = path[:-1] if path.endswith("/") else f"{path}/"
    if other in ("", "/") or not is_valid_path(other, getattr(request, "urlconf", None)):
        return None
    return request.path[: len(request.path) - len(path)] + other


class ApiAddressMiddleware:
    """After tenant routing (which picks the URLconf the addresses are looked up in)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if isinstance(response, HttpResponsePermanentRedirect) and request.path.startswith(
            API_PREFIX
        ):
            # CommonMiddleware's APPEND_SLASH answers 301, which turns a POST into a GET.
            return HttpResponsePermanentRedirect308(response["Location"])
        if (
            response.status_code != 404
            or not request.path.startswith(API_PREFIX)
            or is_valid_path(request.path_info, getattr(request, "urlconf", None))
        ):
            return response
        other = _with_other_slash(request)
        if other is not None:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect308(other + (f"?{query}" if query else ""))
        return JsonResponse(error_body("not_found", _("Not found.")), status=404)
