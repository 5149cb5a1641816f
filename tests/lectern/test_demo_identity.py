"""The demo's identity provider (what `lectern dev` runs): its configuration makes a working
OIDC provider of the tenant, and a person picked on its sign-in page is signed into the
portal — an existing one linked, a new one created just in time."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
from django.contrib.auth import SESSION_KEY
from django_tenants.utils import schema_context

from lectern.demo_identity import (
    PEOPLE,
    SLUG,
    demo_identity_command,
    demo_identity_configure,
)
from sso.models import ExternalIdentity, IdentityProvider
from tenant_apps.people.models import User
from tests.live import REPO_ROOT, free_port


@contextlib.contextmanager
def demo_idp(config_path: Path, port: int):
    log = config_path.with_suffix(".log")
    process = subprocess.Popen(
        demo_identity_command(config_path),
        cwd=REPO_ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, log.read_text()
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"http://127.0.0.1:{port}/jwks", timeout=2).ok:
                    break
            assert time.monotonic() < deadline, "the demo identity provider did not start"
            time.sleep(0.1)
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def _pick_at_idp(authorization_url: str, sub: str) -> tuple[str, str]:
    """Go through the IdP's sign-in page as a browser would, choosing `sub`; return (the
    chooser page's HTML, the URL it sends the browser back to)."""
    browser = requests.Session()
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(authorization_url))
    url, chooser = authorization_url, ""
    for _ in range(12):
        if url.startswith(f"{origin}/interaction/") and not chooser:
            page = browser.get(url, timeout=10)
            assert page.status_code == 200
            chooser = page.text
            response = browser.post(url, data={"sub": sub}, allow_redirects=False, timeout=10)
        else:
            response = browser.get(url, allow_redirects=False, timeout=10)
        assert response.status_code in (302, 303), response.text[:300]
        url = urljoin(url, response.headers["Location"])
        if not url.startswith(origin):
            return chooser, url
    raise AssertionError("the identity provider kept redirecting")


def test_a_person_picked_at_the_demo_idp_signs_into_the_portal(
    tenant_a, client_a, tmp_path, settings, make_person
):
    settings.SSO_DEVELOPMENT_URLS = True  # as under `lectern dev`: an http IdP on loopback
    port = free_port()
    config_path = tmp_path / "demo-identity.json"
    issuer = demo_identity_configure(
        schema_name=tenant_a.schema,
        portal_url=f"http://{tenant_a.host}",
        port=port,
        config_path=config_path,
    )
    config = json.loads(config_path.read_text())
    assert issuer == config["issuer"]
    with schema_context(tenant_a.schema):
        provider = IdentityProvider.objects.get(slug=SLUG)
        assert provider.oidc_client_secret_sealed  # sealed, not the plain secret
        assert config["client"]["client_secret"] not in provider.oidc_client_secret_sealed
    lena = make_person(email="learner@demo.example.com", full_name="Lena")

    with demo_idp(config_path, port):
        for person, expect_created in ((PEOPLE[2], True), (PEOPLE[0], False)):
            start = client_a.get(f"/sso/oidc/{SLUG}/login/")
            assert start.status_code == 302
            chooser, callback = _pick_at_idp(start["Location"], person["sub"])
            assert all(p["name"] in chooser for p in PEOPLE)
            answer = client_a.get(callback)
            assert answer.status_code == 302 and answer["Location"] == "/"
            with schema_context(tenant_a.schema):
                signed_in = User.objects.get(pk=client_a.session[SESSION_KEY])
                assert signed_in.email == person["email"]
                assert (signed_in.pk != lena.pk) is expect_created
                assert ExternalIdentity.objects.filter(
                    provider=provider, subject=person["sub"], user=signed_in
                ).exists()
            client_a.logout()

    # Run again (a new `lectern dev`): the same provider, brought up to date, a new secret.
    demo_identity_configure(
        schema_name=tenant_a.schema,
        portal_url=f"http://{tenant_a.host}",
        port=port + 1,
        config_path=config_path,
    )
    with schema_context(tenant_a.schema):
        again = IdentityProvider.objects.get(slug=SLUG)
        assert again.pk == provider.pk
        assert again.oidc_issuer.endswith(f":{port + 1}")
