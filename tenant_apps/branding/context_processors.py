"""What every portal page needs of the branding: the URL of the tenant's tokens, its logo
and favicon, the sign-in page's image and welcome text, and whether the person is
previewing the draft (then all of these are the draft's, for them alone)."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest
from django.urls import reverse
from django_tenants.utils import get_public_schema_name

from tenant_apps.branding.preview import previewing
from tenant_apps.branding.services import branding_shown
from tenant_apps.branding.tokens import tokens_version


def branding_tokens(request: HttpRequest) -> dict[str, object]:
    """On a tenant's host (the public host has no tenant branding): `branding_tokens_url`,
    `branding_logo_url`, `branding_favicon_url`, `branding_login_image_url`,
    `branding_welcome_text` (plain text: templates escape it) and `branding_preview`."""
    if connection.schema_name == get_public_schema_name():
        return {}
    preview = previewing(request)
    branding = branding_shown(previewing=preview)
    url = reverse("branding-tokens", urlconf=getattr(request, "urlconf", None))
    version = tokens_version(branding)
    return {
        "branding_tokens_url": f"{url}?draft={version}" if preview else f"{url}?v={version}",
        "branding_logo_url": branding.logo.url if branding.logo else "",
        "branding_favicon_url": branding.favicon.url if branding.favicon else "",
        "branding_login_image_url": branding.login_image.url if branding.login_image else "",
        "branding_welcome_text": branding.welcome_text,
        "branding_preview": preview,
    }
