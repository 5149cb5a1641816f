"""Addresses the admin pages and the API give out for a provider: its SP metadata (SAML)
and where a test connection starts. The SAML and OIDC round trips own those routes; until
they are routed here, a test run cannot start (None) and the metadata address is the one
the issue fixes (`/sso/saml/<slug>/metadata/`)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from sso.hooks import login_url
from sso.models import ConnectionTest, IdentityProvider, ProviderKind


def sp_metadata_path(provider: IdentityProvider) -> str | None:
    if provider.kind != ProviderKind.SAML:
        return None
    try:
        return reverse("sso-saml-metadata", kwargs={"slug": provider.slug})
    except NoReverseMatch:
        return f"/sso/saml/{provider.slug}/metadata/"


def login_path(provider: IdentityProvider) -> str | None:
    """Where a sign-in through `provider` starts, or None when no round trip is routed
    for its kind."""
    try:
        return login_url(provider)
    except NoReverseMatch:
        return None


def test_run_path(test: ConnectionTest) -> str | None:
    """Where the test run `test` starts (its provider's login, marked as a test)."""
    start = login_path(test.provider)
    return f"{start}?test={test.pk}" if start else None
