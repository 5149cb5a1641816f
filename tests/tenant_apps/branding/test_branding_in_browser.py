"""The tenant's colours in a real browser: Chromium opens the tenant's signed-out pages,
served by gunicorn, and computes the tokens the tenant chose; axe-core finds nothing
serious on them."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tenant_apps.branding.services import branding_update
from tests.browser import chromium, page_for_axe, serious_accessibility_violations
from tests.live import live_server, server_env

SLUG = "browsed"


@pytest.fixture
def branded_tenant(request, committed_tenant, django_db_blocker):
    """A committed tenant (the server is another process) with the colours asked for."""
    tenant = committed_tenant(SLUG, "Browsed Academy")
    primary, accent = request.param
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        branding_update(primary_colour=primary, accent_colour=accent, actor=None)
    return tenant


@pytest.fixture
def server(branded_tenant, tmp_path):
    with live_server(server_env(), tmp_path / "server.log", workers=1) as base_url:
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
