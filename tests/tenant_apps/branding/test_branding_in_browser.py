"""The tenant's branding in a real browser: Chromium against gunicorn. The tenant's colours
on its signed-out pages; an admin drafts a new primary colour, previews it (only they see
it), publishes it, and a learner's page then computes it; a low-contrast colour is refused
on the page with its message; axe-core finds nothing serious on the admin pages."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tenant_apps.branding.services import branding_update
from tenant_apps.people.models import Role
from tests.browser import chromium, page_for_axe, serious_accessibility_violations
from tests.factories import PASSWORD, UserFactory
from tests.live import live_server, server_env

SLUG = "browsed"
PRIMARY_TOKEN = (
    "getComputedStyle(document.documentElement).getPropertyValue('--colour-primary').trim()"
)


@pytest.fixture
def branded_tenant(request, committed_tenant, django_db_blocker):
    """A committed tenant (the server is another process) with the colours asked for."""
    tenant = committed_tenant(SLUG, "Browsed Academy")
    primary, accent = getattr(request, "param", ("#3b5bdb", "#f59f00"))
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        branding_update(primary_colour=primary, accent_colour=accent, actor=None)
    return tenant


@pytest.fixture
def server(branded_tenant, tmp_path):
    env = server_env(MEDIA_ROOT=str(tmp_path / "media"))
    with live_server(env, tmp_path / "server.log", workers=1) as base_url:
        # Chromium resolves every *.localhost name to this machine; the port stays.
        yield base_url.replace("127.0.0.1", f"{SLUG}.localhost")


@pytest.mark.timeout(180)
@pytest.mark.parametrize(
    ("branded_tenant", "header", "accent"),
    [
        (("#AA3300", "#0055FF"), ["rgb(170, 51, 0)", "rgb(255, 255, 255)"], "#0055ff"),
        # A light accent colour: the text on it turns dark so that it reads.
        (("#123456", "#FFDD00"), ["rgb(18, 52, 86)", "rgb(255, 255, 255)"], "#ffdd00"),
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


@pytest.fixture
def people(branded_tenant, django_db_blocker):
    with django_db_blocker.unblock(), schema_context(branded_tenant.schema_name):
        admin = UserFactory(role=Role.ADMIN, email="admin-browser@example.com")
        learner = UserFactory(role=Role.LEARNER, email="learner-browser@example.com")
    return admin, learner


def signed_in(browser, server: str, email: str):
    page = page_for_axe(browser)
    page.goto(f"{server}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")
    return page


@pytest.mark.timeout(240)
def test_an_admin_drafts_previews_and_publishes_a_colour_a_learner_then_sees(server, people):
    admin, learner = people
    with chromium() as browser:
        admin_page = signed_in(browser, server, admin.email)
        learner_page = signed_in(browser, server, learner.email)

        admin_page.goto(f"{server}/manage/branding/")
        assert serious_accessibility_violations(admin_page) == []

        # A colour links cannot be read in is refused on the page, with the pair and ratio.
        admin_page.fill("#id_primary_colour", "#ffdd00")
        admin_page.click("text=Save the draft")
        error = admin_page.locator("#id_primary_colour_error")
        assert error.inner_text() == (
            "Links in the primary colour #ffdd00 on the white page read at only 1.3:1; "
            "choose a colour that reaches 4.5:1 on white."
        )
        assert (
            admin_page.locator(".error-summary a")
            .first.inner_text()
            .startswith("Primary colour: Links in the primary colour #ffdd00")
        )
        assert serious_accessibility_violations(admin_page) == []

        # A readable one is saved in the draft: nobody sees it yet.
        admin_page.fill("#id_primary_colour", "#aa3300")
        admin_page.click("text=Save the draft")
        admin_page.wait_for_selector("text=The draft is saved.")
        assert admin_page.evaluate(PRIMARY_TOKEN) == "#3b5bdb"

        # Preview: the admin's real pages wear the draft; the learner's do not.
        admin_page.click("text=Preview the draft")
        admin_page.wait_for_selector("text=Previewing draft")
        assert admin_page.evaluate(PRIMARY_TOKEN) == "#aa3300"
        admin_page.goto(f"{server}/")
        assert admin_page.evaluate(PRIMARY_TOKEN) == "#aa3300"
        learner_page.reload()
        assert learner_page.evaluate(PRIMARY_TOKEN) == "#3b5bdb"

        # Publish: everyone wears it.
        admin_page.goto(f"{server}/manage/branding/")
        admin_page.click("text=Publish the draft")
        admin_page.wait_for_selector("text=The branding is published")
        learner_page.reload()
        assert learner_page.evaluate(PRIMARY_TOKEN) == "#aa3300"
        header = learner_page.evaluate(
            "getComputedStyle(document.querySelector('header')).backgroundColor"
        )
        assert header == "rgb(170, 51, 0)"


@pytest.mark.timeout(180)
def test_the_domains_pages_pass_axe(server, people):
    admin, _learner = people
    with chromium() as browser:
        page = signed_in(browser, server, admin.email)
        page.goto(f"{server}/manage/domains/")
        assert serious_accessibility_violations(page) == []
        page.fill("#id_name", "learn.browsed.example")
        page.click("text=Add the domain")
        page.wait_for_selector("text=DNS records to create")
        assert page.locator("table.dns-records").inner_text().count("learn.browsed.example") == 2
        assert serious_accessibility_violations(page) == []
        page.goto(f"{server}/manage/domains/")
        assert serious_accessibility_violations(page) == []
        # A refused name: the error summary and the field's error.
        page.fill("#id_name", "bad name.example")
        page.click("text=Add the domain")
        assert page.locator("#id_name_error").is_visible()
        assert serious_accessibility_violations(page) == []
