"""One's notifications in the portal: /notifications/. The same selectors and services as
/api/v1/me/notifications; each person only ever reaches their own (another person's id is
404, like the API's)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.pages import page_of, page_requires, signed_in
from tenant_apps.notifications import selectors, services

PER_PAGE = 20


def _local_path(link: str) -> str | None:
    """A notification's link when it is a path on this host (`/courses/4/`); anything else
    (another site, `//host`, `javascript:`) is not followed."""
    if not link.startswith("/") or link.startswith("//") or "\\" in link:
        return None
    if not url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return None
    return link


@page_requires(signed_in)
def notification_list(request: HttpRequest) -> HttpResponse:
    """Newest first, a page at a time; unread ones marked."""
    page = page_of(
        request, selectors.notifications_of(recipient_id=request.user.pk), per_page=PER_PAGE
    )
    context = {
        "page": page,
        "notifications": page.object_list,
        "unread": selectors.unread_count(recipient_id=request.user.pk),
    }
    return render(request, "notifications/list.html", context)


@page_requires(signed_in)
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notification: mark it read, then go where it leads (the list when it
    leads nowhere on this site)."""
    notification = selectors.notification_of(
        recipient_id=request.user.pk, notification_id=notification_id
    )
    services.notification_mark_read(recipient_id=request.user.pk, notification_id=notification.pk)
    return redirect(_local_path(notification.link) or "notifications")


@require_POST
@page_requires(signed_in)
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    if not services.notification_mark_read(
        recipient_id=request.user.pk, notification_id=notification_id
    ):
        raise Http404
    if request.htmx:
        notification = selectors.notification_of(
            recipient_id=request.user.pk, notification_id=notification_id
        )
        unread = selectors.unread_count(recipient_id=request.user.pk)
        context = {"notification": notification, "unread": unread}
        return render(request, "notifications/_read_swap.html", context)
    messages.success(request, _("Marked as read."))
    return redirect(_back_to_list(request))


@require_POST
@page_requires(signed_in)
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    marked = services.notifications_mark_all_read(recipient_id=request.user.pk)
    messages.success(
        request,
        ngettext(
            "Marked %(count)d notification as read.",
            "Marked %(count)d notifications as read.",
            marked,
        )
        % {"count": marked},
    )
    return redirect(_back_to_list(request))


def _back_to_list(request: HttpRequest) -> str:
    """The list page the form was on (only a page number is carried)."""
    page = request.POST.get("page", "")
    base = "/notifications/"
    return f"{base}?page={page}" if page.isdigit() else base
