"""The tenant's design tokens as a stylesheet, linked from every portal page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from tenant_apps.branding.preview import previewing
from tenant_apps.branding.services import branding_current, branding_shown
from tenant_apps.branding.tokens import tokens_css, tokens_version


@require_GET
def tokens_stylesheet(request: HttpRequest) -> HttpResponse:
    """GET /branding/tokens.css: the tokens of the tenant whose host was asked. Asked with
    the current version (`?v=`), it may be kept for good; otherwise revalidated. Asked for
    the draft (`?draft=`) by an admin previewing it, the draft's tokens, kept by no one;
    asked so by anyone else, the published ones."""
    if "draft" in request.GET:
        branding = branding_shown(previewing=previewing(request))
        response = HttpResponse(tokens_css(branding), content_type="text/css; charset=utf-8")
        response["Cache-Control"] = "private, no-store"
        return response
    branding = branding_current()
    response = HttpResponse(tokens_css(branding), content_type="text/css; charset=utf-8")
    current = request.GET.get("v") == tokens_version(branding)
    response["Cache-Control"] = "public, max-age=31536000, immutable" if current else "no-cache"
    return response
