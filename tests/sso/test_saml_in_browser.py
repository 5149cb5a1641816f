"""One SAML round trip in a real browser: Chromium against gunicorn (tenant host
`samlb.localhost`) and the pysaml2 IdP process. The login page's button starts the sign-in,
the IdP's page posts the response back, the person lands on the page they asked for, signed
in; signing out through the provider ends the session here and at the IdP."""

from __future__ import annotations

import pytest
import requests
from django_tenants.utils import schema_context

from tests.browser import chromium
from tests.live import free_port, live_server, server_env
from tests.sso.conftest import IDP_ENTITY_ID, person_attributes, provider_make
from tests.sso.idps.pysaml2_idp import idp_process

SLUG = "samlb"


@pytest.fixture
def saml_tenant(committed_tenant, django_db_blocker, idp_keys):
    idp_port = free_port()
    tenant = committed_tenant(SLUG, "SAML Browser")
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        provider_make(keys=idp_keys, base_url=f"http://127.0.0.1:{idp_port}")
    return tenant, idp_port


@pytest.fixture
def servers(saml_tenant, idp_keys, tmp_path):
    tenant, idp_port = saml_tenant
    with live_server(server_env(), tmp_path / "server.log", workers=1) as base_url:
        site = base_url.replace("127.0.0.1", f"{SLUG}.localhost")
        host = site.split("://", 1)[1]
        metadata = requests.get(
            f"{base_url}/sso/saml/corp/metadata/", headers={"Host": host}, timeout=10
        )
        assert metadata.status_code == 200
        config = {
            "port": idp_port,
            "entity_id": IDP_ENTITY_ID,
            "base_url": f"http://127.0.0.1:{idp_port}",
            "key_file": idp_keys.key_file,
            "cert_file": idp_keys.cert_file,
            "sp_metadata": [metadata.text],
        }
        with idp_process(config, tmp_path) as idp_url:
            yield site, base_url, idp_url, tenant


@pytest.mark.timeout(240)
def test_a_person_signs_in_and_out_through_saml_in_the_browser(servers, django_db_blocker):
    from tenant_apps.people.models import User

    site, base_url, idp_url, tenant = servers
    person = {"name_id": "bea@corp.test", "attributes": person_attributes("bea@corp.test", "Bea")}
    requests.post(f"{idp_url}/_test/person", json=person, timeout=10).raise_for_status()
    with chromium() as browser:
        page = browser.new_page()
        assert page.goto(f"{site}/accounts/login/?next=/account/profile/").status == 200
        page.click("text=Sign in with Corp IdP")
        page.wait_for_url(f"{site}/account/profile/", timeout=30_000)
        assert "Bea Jones" in page.content()

        # Single logout started here: out here at once, then at the IdP, which answers.
        cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
        answer = requests.post(
            f"{base_url}/sso/saml/corp/logout/",
            cookies={"sessionid": cookie["value"], "csrftoken": "x" * 32},
            headers={
                "Host": site.split("://", 1)[1],
                "X-CSRFToken": "x" * 32,
                "Referer": f"{site}/",
            },
            allow_redirects=False,
            timeout=10,
        )
        assert answer.status_code == 302
        page.goto(answer.headers["Location"])
        page.wait_for_url(f"{site}/accounts/login/", timeout=30_000)
        assert "You are signed out." in page.content()
        assert page.goto(f"{site}/account/profile/").url.startswith(f"{site}/accounts/login/")
    # Read after the browser is gone (inside its event loop Django would use another
    # connection, left open).
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        assert User.objects.get(email="bea@corp.test").full_name == "Bea Jones"
    log = requests.get(f"{idp_url}/_test/log", timeout=10).json()
    assert [entry["event"] for entry in log] == ["authn_request", "sso", "logout_request"]
