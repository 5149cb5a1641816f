"""The tenant's colours in a real browser: Chromium opens the tenant's signed-out pages,
served by gunicorn, and computes the tokens the tenant chose; axe-core finds nothing
serious on them."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from tenant_apps.branding.services import branding_update
from tests.api_fuzzing import drop_fuzz_tenant, live_server
from tests.browser import chromium, page_for_axe, serious_accessibility_violations
from tests.databases import database_url

SLUG = "browsed"


@pytest.fixture
def branded_tenant(request, django_db_setup, django_db_blocker):
    """A tenant of its own, committed (the server is another process), with its colours
    changed; purged afterwards."""
    from shared_apps.tenants.services import tenant_create

    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        drop_fuzz_tenant(SLUG)  # left by an interrupted run
        tenant = tenant_create(
            slug=SLUG, name="Browsed Academy", admin_email=f"admin@{SLUG}.example.com"
        ).tenant
        with schema_context(tenant.schema_name):
            primary, accent = request.param
            branding_update(primary_colour=primary, accent_colour=accent, actor=None)
        connection.set_schema_to_public()
        try:
            yield tenant
        finally:
            connection.set_schema_to_public()
            drop_fuzz_tenant(SLUG)


@pytest.fixture
def server(branded_tenant, tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lectern.settings.test",
        "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
        "REDIS_URL": settings.REDIS_URL,
    }
    with live_server(env, tmp_path / "server.log", workers=1) as base_url:
        # Chromium resolves every *.localhost name to this machine; the port stays.
        yield base_url.replace("127.0.0.1", f"{SLUG}.localhost")


@pytest.mark.timeout(180)
@pytest.mark.parametrize(
    ("branded_tenant", "header", "accent"),
    [
        (("#AA3300", "#0055FF"), ["rgb(170, 51, 0)", "rgb(255, 255, 255)"], "#0055ff"),
        # A light primary colour: the header's text turns dark so that it reads.
        (("#FFDD00", "#123456"), ["rgb(255, 221, 0)", "rgb(31, 41, 51)"], "#123456"),
    ],
    indirect=["branded_tenant"],
)
def test_signed_out_pages_wear_the_tenants_colours_and_pass_axe(server, header, accent):
    with chromium() as browser:
        page = page_for_axe(browser)
        for path in ("/accounts/login/", "/accounts/password-reset/"):
            response = page.goto(f"{server}{path}")
            assert response.status == 200, path
            shown = page.evaluate(
                "(() => { const s = getComputedStyle(document.querySelector('header'));"
                " return [s.backgroundColor, s.color]; })()"
            )
            token = page.evaluate(
                "getComputedStyle(document.documentElement)"
                ".getPropertyValue('--colour-accent').trim()"
            )
            assert (shown, token) == (header, accent), path
            assert serious_accessibility_violations(page) == [], path
