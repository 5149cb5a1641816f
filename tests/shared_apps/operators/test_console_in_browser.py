"""The operator console in a real browser: an operator signs in on the public host, creates
a tenant, and its first admin accepts the invitation from the e-mail, chooses a password and
signs in on the new tenant's host. axe-core finds nothing serious on the console's pages, and
the Content Security Policy blocks nothing on them."""

from __future__ import annotations

import email
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from shared_apps.operators.services import operator_create
from tests.browser import (
    RECORD_CSP_VIOLATIONS,
    chromium,
    csp_violations,
    serious_accessibility_violations,
)
from tests.live import REPO_ROOT, live_server, server_env, tenant_drop_if_present

SLUG = "delta"
OPERATOR = "browser-ops@lectern.example.com"
OPERATOR_PASSWORD = "browser-ops-pass-123"
ADMIN = "head@delta.example.com"
ADMIN_PASSWORD = "Delta-admin-pass-42"
PHONE = {"width": 360, "height": 780}


@pytest.fixture
def committed_operator(tenant_a, django_db_blocker):
    """An operator committed for the live server (another process) to see; the tenant the
    test creates is purged afterwards (and before, if an interrupted run left it)."""
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        tenant_drop_if_present(SLUG)
        operator = operator_create(email=OPERATOR, password=OPERATOR_PASSWORD)
    yield operator
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        tenant_drop_if_present(SLUG)
        # Only the row: the ORM's cascade would look for tenant tables in the public schema.
        get_user_model().objects.filter(pk=operator.pk)._raw_delete(connection.alias)


@pytest.fixture
def server(committed_operator, tmp_path):
    mail = tmp_path / "mail"
    env = server_env(
        "tests.shared_apps.operators.live_settings",
        EMAIL_FILE_PATH=str(mail),
        PYTHONPATH=str(REPO_ROOT),
    )
    with live_server(env, tmp_path / "server.log", workers=1) as base_url:
        yield base_url.replace("127.0.0.1", "localhost"), mail


def invitation_link(mail: Path) -> str:
    """The set-password link of the one e-mail the server wrote, from its text part."""
    files = list(mail.glob("*.log"))
    assert len(files) == 1, files
    message = email.message_from_bytes(files[0].read_bytes().split(b"\n" + b"-" * 79)[0])
    assert message["To"] == ADMIN
    text = next(
        part.get_payload(decode=True).decode()
        for part in message.walk()
        if part.get_content_type() == "text/plain"
    )
    return re.search(r"https?://\S+/accounts/set-password/\S+/", text).group(0)


def no_serious_violations(page, axe_page, url: str) -> None:
    """Open `url` in the axe context (signed in as the main one is, on a 360 px wide
    screen) and check it: nothing serious for axe, nothing wider than the screen."""
    axe_page.goto(url)
    assert serious_accessibility_violations(axe_page) == [], url
    assert axe_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], url
    assert csp_violations(page) == [], page.url


@pytest.mark.timeout(300)
def test_operator_creates_a_tenant_whose_admin_accepts_the_invitation(server):
    base, mail = server
    port = urlsplit(base).port
    with chromium() as browser:
        context = browser.new_context()
        context.add_init_script(RECORD_CSP_VIOLATIONS)
        page = context.new_page()

        page.goto(f"{base}/tenants/")
        assert urlsplit(page.url).path == "/accounts/login/"
        assert page.locator("header").inner_text().startswith("Lectern operator console")
        axe = browser.new_context(bypass_csp=True, viewport=PHONE).new_page()
        no_serious_violations(page, axe, page.url)

        page.get_by_label("E-mail").fill(OPERATOR)
        page.get_by_label("Password").fill(OPERATOR_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{base}/tenants/")
        assert csp_violations(page) == []
        # The axe context signs in with the same session from here on.
        axe = browser.new_context(
            bypass_csp=True, viewport=PHONE, storage_state=context.storage_state()
        )
        axe = axe.new_page()
        no_serious_violations(page, axe, page.url)

        page.get_by_role("link", name="New tenant").first.click()
        page.wait_for_url(f"{base}/tenants/new/")
        no_serious_violations(page, axe, page.url)
        page.get_by_label("Name").fill("Delta Institute")
        page.get_by_label("Slug").fill(SLUG)
        page.get_by_label("First admin's e-mail").fill(ADMIN)
        page.get_by_role("button", name="Create tenant").click()
        page.wait_for_url(f"{base}/tenants/{SLUG}/")
        notice = page.locator(".messages").inner_text()
        assert re.search(r"Delta Institute was provisioned in \d+\.\d\d s\.", notice), notice
        assert f"{ADMIN}, was sent an invitation" in notice
        assert csp_violations(page) == []
        no_serious_violations(page, axe, page.url)

        # The list filters as the operator types (HTMX), and the address follows.
        console_nav = page.get_by_role("navigation", name="Operator console")
        console_nav.get_by_role("link", name="Tenants").click()
        page.wait_for_url(f"{base}/tenants/")
        page.get_by_label("Search").fill("delt")
        page.wait_for_url(f"{base}/tenants/?q=delt*")
        rows = page.locator("#tenant-results tbody tr")
        rows.first.wait_for()
        assert rows.count() == 1
        assert "Delta Institute" in rows.first.inner_text()
        assert csp_violations(page) == []

        console_nav.get_by_role("link", name="Metrics").click()
        page.wait_for_url(f"{base}/metrics/")
        drawn = page.evaluate(
            "Array.from(document.querySelectorAll('canvas[data-chart]'))"
            ".map((canvas) => Boolean(window.Chart.getChart(canvas)))"
        )
        assert drawn and all(drawn), drawn
        assert csp_violations(page) == []
        no_serious_violations(page, axe, page.url)

        # The first admin, in a browser of their own, follows the link in the e-mail.
        link = invitation_link(mail)
        assert link.startswith(f"http://{SLUG}.localhost/")
        admin = browser.new_context().new_page()
        admin.goto(link.replace(f"{SLUG}.localhost/", f"{SLUG}.localhost:{port}/", 1))
        admin.locator("#id_new_password1").fill(ADMIN_PASSWORD)
        admin.locator("#id_new_password2").fill(ADMIN_PASSWORD)
        admin.locator("main form button[type=submit]").click()
        admin.wait_for_load_state()
        assert "/set-password/" not in admin.url

        # Then signs in on the new tenant's host with that password.
        admin.context.clear_cookies()
        admin.goto(f"http://{SLUG}.localhost:{port}/accounts/login/")
        admin.locator("#id_username").fill(ADMIN)
        admin.locator("#id_password").fill(ADMIN_PASSWORD)
        admin.locator("main form button[type=submit]").click()
        admin.wait_for_url(f"http://{SLUG}.localhost:{port}/")
        assert "Delta Institute" in admin.content()
        assert ADMIN in admin.content()
