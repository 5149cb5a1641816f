"""The SSO admin pages in a real browser (Chromium against gunicorn): an admin adds a SAML
provider from pasted metadata XML, sets its attribute mapping, and the login page then shows
its button; axe-core finds nothing serious or critical on the SSO admin pages."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tenant_apps.people.models import Role
from tests.browser import chromium, page_for_axe, serious_accessibility_violations
from tests.factories import PASSWORD, UserFactory
from tests.live import live_server, server_env
from tests.sso.admin_documents import certificate_pem, metadata_xml

SLUG = "ssobrowsed"


@pytest.fixture
def tenant(committed_tenant, django_db_blocker):
    made = committed_tenant(SLUG, "SSO Browsed")
    with django_db_blocker.unblock(), schema_context(made.schema_name):
        UserFactory(role=Role.ADMIN, email="sso-browser-admin@example.com")
    return made


@pytest.fixture
def server(tenant, tmp_path):
    env = server_env(MEDIA_ROOT=str(tmp_path / "media"))
    with live_server(env, tmp_path / "server.log", workers=1) as base_url:
        yield base_url.replace("127.0.0.1", f"{SLUG}.localhost")


@pytest.mark.timeout(240)
def test_an_admin_adds_a_saml_provider_from_metadata_and_the_login_page_offers_it(server):
    document = metadata_xml(
        entity_id="https://idp.browsed.example/saml",
        sso_url="https://idp.browsed.example/sso",
        certificates=[certificate_pem("idp.browsed.example")],
    )
    with chromium() as browser:
        page = page_for_axe(browser)
        page.goto(f"{server}/accounts/login/")
        page.fill("#id_username", "sso-browser-admin@example.com")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server}/")

        page.goto(f"{server}/manage/sso/")
        assert page.locator("h1").inner_text() == "Single sign-on"
        assert serious_accessibility_violations(page) == []

        page.click("text=Add a SAML provider")
        page.wait_for_url(f"{server}/manage/sso/add/saml/")
        assert serious_accessibility_violations(page) == []
        # A slug the addresses cannot hold is refused next to its field, the rest kept.
        page.fill("#id_name", "Browsed IdP")
        page.fill("#id_slug", "Browsed IdP")
        page.fill("#id_metadata_xml", document)
        page.click("text=Add the provider")
        page.wait_for_selector("#id_slug_error")
        assert page.locator("#id_slug_error").inner_text().startswith("Use 1 to 40 lower-case")
        assert page.locator("#id_name").input_value() == "Browsed IdP"
        assert serious_accessibility_violations(page) == []
        page.fill("#id_slug", "browsed")
        page.select_option("#id_preset", "okta")
        page.fill("#id_email_domains", "browsed.example")
        page.click("text=Add the provider")
        page.wait_for_selector("text=Added Browsed IdP.")
        assert "/sso/saml/browsed/metadata/" in page.content()
        assert serious_accessibility_violations(page) == []

        page.click("text=Attribute mapping and group rules")
        page.wait_for_url("**/mapping/")
        page.fill("#id_email", "mail")
        page.fill("#id_group_role_rules", "Teachers = instructor")
        page.click("text=Save the mapping")
        page.wait_for_selector("text=Saved the mapping.")
        assert page.locator("#id_email").input_value() == "mail"
        assert serious_accessibility_violations(page) == []

        for path in ("/manage/sso/policy/", "/manage/sso/keys/", "/manage/sso/add/oidc/"):
            page.goto(f"{server}{path}")
            assert serious_accessibility_violations(page) == [], path

        page.click("text=Sign out")
        page.wait_for_load_state()
        page.goto(f"{server}/accounts/login/")
        button = page.locator("a", has_text="Sign in with Browsed IdP")
        assert button.get_attribute("href") == "/sso/saml/browsed/login/"
        assert serious_accessibility_violations(page) == []
