"""Every page carries a Content Security Policy that allows no inline script or style; in a
real browser, the pages there are break none of it."""

from __future__ import annotations

import pytest

from tests.browser import RECORD_CSP_VIOLATIONS, chromium, csp_violations
from tests.live import live_server, server_env


def policy_of(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


def test_portal_pages_and_the_api_carry_the_policy(client_a):
    for path in ("/accounts/login/", "/accounts/password-reset/", "/api/v1/"):
        directives = policy_of(client_a.get(path))
        assert directives["script-src"] == "'self'", path
        assert directives["style-src"] == "'self'", path
        assert directives["frame-ancestors"] == "'none'", path


def test_the_api_docs_alone_allow_inline_styles_never_scripts(client_a):
    """Swagger UI adds a <style> of its own; the page shows nothing anyone wrote."""
    directives = policy_of(client_a.get("/api/v1/docs/"))
    assert (directives["script-src"], directives["style-src"]) == (
        "'self'",
        "'self' 'unsafe-inline'",
    )


def test_the_operator_console_is_left_out(public_client):
    assert "Content-Security-Policy" not in public_client.get("/admin/login/")


@pytest.fixture
def server(tenant_a, tmp_path):
    with live_server(server_env(), tmp_path / "server.log", workers=1) as base_url:
        yield base_url.replace("127.0.0.1", tenant_a.host)


@pytest.mark.timeout(180)
def test_no_page_breaks_the_policy_in_a_browser(server):
    with chromium() as browser:
        context = browser.new_context()
        context.add_init_script(RECORD_CSP_VIOLATIONS)
        page = context.new_page()
        for path in ("/accounts/login/", "/accounts/password-reset/", "/api/v1/docs/"):
            assert page.goto(f"{server}{path}").status == 200, path
            page.wait_for_load_state("networkidle")
            assert csp_violations(page) == [], path
        # The docs' own script ran: Swagger UI drew the document and its operations (it
        # draws only those in view, so their number depends on the window's height).
        assert page.locator(".info .title").inner_text().startswith("Lectern API")
        assert page.locator(".opblock").count() > 0
