"""Full SAML round trips against a real pysaml2 IdP process on a loopback port, driven over
HTTP without a browser: our side through Django's test client (tenant A's host), the IdP's
through `requests`. SP-initiated sign-in with just-in-time creation, a second sign-in
updating the person, IdP-initiated sign-in allowed and refused, and single logout started by
either side."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import pytest
import requests
from django.contrib.sessions.models import Session
from django_tenants.utils import schema_context

from tenant_apps.people.models import User
from tests.live import free_port
from tests.sso.conftest import IDP_ENTITY_ID, failures, person_attributes, provider_make
from tests.sso.idps.pysaml2_idp import idp_process

SP = "http://alpha.localhost/sso/saml/corp"


def form_of(html: str) -> tuple[str, dict[str, str]]:
    """The auto-posting form an IdP answers with: (action, fields)."""
    action = unescape(re.search(r'<form[^>]*action="([^"]+)"', html).group(1))
    fields = {
        unescape(name): unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)
    }
    return action, fields


@pytest.fixture
def live_idp(in_tenant_a, idp_keys, client_a, tmp_path):
    """The IdP process, knowing our SP from the metadata we publish; tenant A's provider
    `corp` pointing at it."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    provider = provider_make(keys=idp_keys, base_url=base)
    metadata = client_a.get("/sso/saml/corp/metadata/").content.decode()
    config = {
        "port": port,
        "entity_id": IDP_ENTITY_ID,
        "base_url": base,
        "key_file": idp_keys.key_file,
        "cert_file": idp_keys.cert_file,
        "sp_metadata": [metadata],
    }
    with idp_process(config, tmp_path) as url:
        yield url, provider


def idp_person(idp_url: str, email: str, **attributes) -> None:
    person = {"name_id": email, "attributes": person_attributes(email, **attributes)}
    requests.post(f"{idp_url}/_test/person", json=person, timeout=10).raise_for_status()


def idp_log(idp_url: str) -> list[dict]:
    return requests.get(f"{idp_url}/_test/log", timeout=10).json()


def post_form(client, html: str):
    action, fields = form_of(html)
    assert action.startswith(SP), action
    return client.post(urlsplit(action).path, fields)


def sign_in(client, idp_url: str, next_url: str = "/"):
    answer = client.get("/sso/saml/corp/login/", {"next": next_url})
    assert answer["Location"].startswith(f"{idp_url}/sso/redirect?")
    at_idp = requests.get(answer["Location"], timeout=10)
    assert at_idp.status_code == 200, at_idp.text
    return post_form(client, at_idp.text)


@pytest.mark.timeout(120)
def test_sign_in_update_and_single_logout_both_ways(live_idp, client_a, tenant_a):
    idp_url, _ = live_idp
    idp_person(idp_url, "pat@corp.test", ou=["Sales"])
    answer = sign_in(client_a, idp_url, "/courses/")
    assert answer["Location"] == "/courses/"
    with schema_context(tenant_a.schema):
        pat = User.objects.get(email="pat@corp.test")
        assert pat.full_name == "Pat Jones"
        assert list(pat.learner_groups.values_list("name", flat=True)) == ["Sales"]
    assert client_a.session["_auth_user_id"] == str(pat.pk)
    request_log = [entry for entry in idp_log(idp_url) if entry["event"] == "authn_request"]
    assert request_log[0]["signed"] is True

    # SP-initiated single logout from the portal's own "Sign out": signed LogoutRequest,
    # the IdP answers at our SLS.
    answer = client_a.post("/accounts/logout/")
    assert answer["Location"].startswith(f"{idp_url}/slo?SAMLRequest=")
    assert client_a.session.get("_auth_user_id") is None  # signed out here at once
    at_idp = requests.get(answer["Location"], allow_redirects=False, timeout=10)
    assert at_idp.status_code == 302
    back = urlsplit(at_idp.headers["Location"])
    assert f"http://alpha.localhost{back.path}" == f"{SP}/sls/"
    answer = client_a.get(f"{back.path}?{back.query}")
    assert answer["Location"] == "/accounts/login/"
    logout = next(entry for entry in idp_log(idp_url) if entry["event"] == "logout_request")
    assert logout == {"event": "logout_request", "name_id": "pat@corp.test", "signed": True}

    # A second sign-in brings the attributes up to date (same person).
    idp_person(idp_url, "pat@corp.test", first="Patricia", ou=["Support"])
    assert sign_in(client_a, idp_url)["Location"] == "/"
    with schema_context(tenant_a.schema):
        pat.refresh_from_db()
        assert pat.full_name == "Patricia Jones"
        assert list(pat.learner_groups.values_list("name", flat=True)) == ["Support"]
        assert User.objects.filter(email="pat@corp.test").count() == 1
        session_key = client_a.session.session_key
        assert Session.objects.filter(session_key=session_key).exists()

    # IdP-initiated single logout: a signed LogoutRequest ends the session here (the
    # browser bringing it has no session of ours; the server ends it by the NameID).
    to_sp = requests.get(
        f"{idp_url}/start-logout",
        params={"name_id": "pat@corp.test"},
        allow_redirects=False,
        timeout=10,
    )
    sls = urlsplit(to_sp.headers["Location"])
    assert f"http://alpha.localhost{sls.path}" == f"{SP}/sls/"
    from django.test import Client

    answer = Client(HTTP_HOST=tenant_a.host).get(f"{sls.path}?{sls.query}")
    assert answer["Location"].startswith(f"{idp_url}/slo?SAMLResponse=")
    with schema_context(tenant_a.schema):
        assert not Session.objects.filter(session_key=session_key).exists()
    assert client_a.get("/account/profile/")["Location"].startswith("/accounts/login/")
    assert failures(tenant_a.schema) == []


@pytest.mark.timeout(120)
def test_an_unsigned_idp_logout_request_is_refused(live_idp, client_a, tenant_a):
    idp_url, _ = live_idp
    idp_person(idp_url, "pat@corp.test")
    sign_in(client_a, idp_url)
    session_key = client_a.session.session_key
    to_sp = requests.get(
        f"{idp_url}/start-logout",
        params={"name_id": "pat@corp.test"},
        allow_redirects=False,
        timeout=10,
    )
    sls = urlsplit(to_sp.headers["Location"])
    query = "&".join(
        part for part in sls.query.split("&") if not part.startswith(("Signature=", "SigAlg="))
    )
    answer = client_a.get(f"{sls.path}?{query}")
    assert answer["Location"] == "/accounts/login/"
    with schema_context(tenant_a.schema):
        assert Session.objects.filter(session_key=session_key).exists()
    assert [entry["code"] for entry in failures(tenant_a.schema)] == ["sso_response_invalid"]


@pytest.mark.timeout(120)
def test_idp_initiated_sign_in_allowed_and_refused(live_idp, client_a, tenant_a):
    idp_url, provider = live_idp
    idp_person(idp_url, "kim@corp.test")
    unsolicited = {"sp": f"{SP}/metadata/", "acs": f"{SP}/acs/", "relay": "/catalogue/"}
    at_idp = requests.get(f"{idp_url}/idp-initiated", params=unsolicited, timeout=10)
    answer = post_form(client_a, at_idp.text)
    assert answer["Location"] == "/accounts/login/"
    assert client_a.session.get("_auth_user_id") is None
    assert [entry["code"] for entry in failures(tenant_a.schema)] == ["sso_idp_initiated_off"]

    provider.saml_allow_idp_initiated = True
    provider.save()
    at_idp = requests.get(f"{idp_url}/idp-initiated", params=unsolicited, timeout=10)
    answer = post_form(client_a, at_idp.text)
    assert answer["Location"] == "/catalogue/"
    with schema_context(tenant_a.schema):
        kim = User.objects.get(email="kim@corp.test")
    assert client_a.session["_auth_user_id"] == str(kim.pk)
