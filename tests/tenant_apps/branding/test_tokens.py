"""The tenant's design tokens: a stylesheet of validated colours that every portal page
links, per tenant, cacheable for good under its version."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from tenant_apps.branding.models import Branding
from tenant_apps.branding.services import branding_update
from tenant_apps.branding.tokens import tokens_css

TOKENS_LINK = re.compile(r'<link rel="stylesheet" href="(/branding/tokens\.css\?v=[^"]+)">')


def tokens_url_on(client: Client, path: str = "/accounts/login/") -> str:
    page = client.get(path)
    assert page.status_code == 200
    found = TOKENS_LINK.search(page.content.decode())
    assert found, "the page links no tokens"
    return found[1]


def test_the_defaults_until_an_admin_changes_them(client_a):
    response = client_a.get(tokens_url_on(client_a))
    assert (response.status_code, response["Content-Type"]) == (200, "text/css; charset=utf-8")
    assert response.content.decode() == (
        ":root { --colour-primary: #3b5bdb; --colour-on-primary: #ffffff; "
        "--colour-accent: #f59f00; --colour-on-accent: #1f2933; }\n"
    )
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"


def test_new_colours_reach_every_page_under_a_new_version(client_a, tenant_a, make_person):
    before = tokens_url_on(client_a)
    with schema_context(tenant_a.schema):
        branding_update(primary_colour="#AA3300", accent_colour="#0055FF", actor=None)
    after = tokens_url_on(client_a)
    assert after != before
    for path in ("/accounts/login/", "/accounts/password-reset/"):
        assert tokens_url_on(client_a, path) == after
    person = make_person()
    client_a.force_login(person)
    assert tokens_url_on(client_a, "/") == after
    css = client_a.get(after).content.decode()
    assert css == (
        ":root { --colour-primary: #aa3300; --colour-on-primary: #ffffff; "
        "--colour-accent: #0055ff; --colour-on-accent: #ffffff; }\n"
    )


def test_each_tenant_has_its_own_tokens(client_a, client_b, tenant_a):
    with schema_context(tenant_a.schema):
        branding_update(primary_colour="#112233", actor=None)
    css_a = client_a.get(tokens_url_on(client_a)).content.decode()
    css_b = client_b.get(tokens_url_on(client_b)).content.decode()
    assert "#112233" in css_a
    assert "#112233" not in css_b


def test_an_old_version_is_revalidated_not_kept(client_a):
    response = client_a.get("/branding/tokens.css?v=stale")
    assert response["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("value", ["red", "#12345", "#1234567", "#12345g", "#fff;}body{x:1"])
def test_nothing_but_a_hex_colour_is_ever_written_out(value):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        tokens_css(Branding(primary_colour=value))


def test_the_portal_stylesheet_is_served(client_a):
    page = client_a.get("/accounts/login/").content.decode()
    [href] = re.findall(r'href="(/static/lectern/portal[^"]*\.css)"', page)
    response = client_a.get(href)
    assert response.status_code == 200
    assert b"var(--colour-primary)" in b"".join(response.streaming_content)


def test_text_on_each_colour_is_whichever_reads_better(client_a, tenant_a):
    with schema_context(tenant_a.schema):
        branding_update(primary_colour="#123456", accent_colour="#ffdd00", actor=None)
    css = client_a.get(tokens_url_on(client_a)).content.decode()
    assert "--colour-primary: #123456; --colour-on-primary: #ffffff;" in css
    assert "--colour-accent: #ffdd00; --colour-on-accent: #1f2933;" in css


def test_the_font_is_one_of_our_stacks(client_a, tenant_a):
    with schema_context(tenant_a.schema):
        branding_update(font="transitional", actor=None)
    css = client_a.get(tokens_url_on(client_a)).content.decode()
    stack = 'Charter, "Bitstream Charter", "Sitka Text", Cambria, Georgia, serif'
    assert f"--font-body: {stack};" in css
