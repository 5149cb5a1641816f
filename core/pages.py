"""What every portal page shares: service errors shown on the form that caused them, and
service errors no page caught rendered as the branded error pages (never a 500).

A page view parses its input with a Django form, authorises with the same check as the API
(`page_requires`), calls one service, and renders. When the service refuses,
`form_errors_show` puts each field's message next to that field and keeps what was typed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from core.errors import ApplicationError


def form_errors_show(
    form: forms.BaseForm, error: ApplicationError, field_names: Mapping[str, str] | None = None
) -> None:
    """Attach a service's refusal to `form`: each detail on its field (renamed through
    `field_names` where the form calls it otherwise), the rest above the form."""
    field_names = field_names or {}
    placed = False
    for detail in error.details:
        name = field_names.get(detail.field, detail.field)
        if name in form.fields:
            form.add_error(name, detail.message)
            placed = True
        else:
            form.add_error(None, detail.message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


def page_requires(allowed: Callable[[object], bool]):
    """A page decorator: sign in first, then `allowed(user)` (a rule from the app's
    `permissions` module, the same one its API checks) or the branded 403 page."""

    def decorate(view):
        @wraps(view)
        def guarded(request: HttpRequest, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return guarded

    return decorate


def signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def partial_wanted(request: HttpRequest, target: str | None = None) -> bool:
    """An HTMX request for a region of the page only (the region with id `target`, when
    given) — never htmx restoring a page from its history, which needs the whole page."""
    htmx = getattr(request, "htmx", None)
    if not htmx or htmx.history_restore_request:
        return False
    return target is None or htmx.target == target


def query_without_page(request: HttpRequest) -> str:
    """A list's filters as a query string, for the links to its other pages."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def page_of(request: HttpRequest, items, per_page: int = 25) -> Page:
    """The page of `items` the `page` query parameter asks for (the last one when past the
    end, the first when not a number)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


class ApplicationErrorPageMiddleware:
    """A service error no page handled becomes the matching branded page: 404 for what does
    not exist (another tenant's id included), 403 for what one may not do, else a 400 page
    with the service's message. The API handles its own errors before this."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, ApplicationError):
            return None
        if exception.status == 404:
            raise Http404(exception.message) from exception
        if exception.status == 403:
            raise PermissionDenied(exception.message) from exception
        return render(
            request,
            "400.html",
            {"message": exception.message, "details": exception.details},
            status=exception.status,
        )
