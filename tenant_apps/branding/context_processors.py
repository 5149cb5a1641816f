"""What every portal page needs of the branding: the URL of the tenant's tokens."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest
from django.urls import reverse
from django_tenants.utils import get_public_schema_name

from tenant_apps.branding.services import branding_current
from tenant_apps.branding.tokens import tokens_version


def branding_tokens(request: HttpRequest) -> dict[str, str]:
    """`branding_tokens_url` and `branding_logo_url` on a tenant's host (the public host has
    no tenant branding)."""
    if connection.schema_name == get_public_schema_name():
        return {}
    branding = branding_current()
    url = reverse("branding-tokens", urlconf=getattr(request, "urlconf", None))
    return {
        "branding_tokens_url": f"{url}?v={tokens_version(branding)}",
        "branding_logo_url": branding.logo.url if branding.logo else "",
    }
