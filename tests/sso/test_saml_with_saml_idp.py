"""A round trip with a second, independent IdP implementation: npm `saml-idp` (Node,
samlp). The person fills its sign-in form; the response it posts signs them in here with
the Okta preset's attribute names, created just in time."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import pytest
import requests
from django_tenants.utils import schema_context

from sso.presets import SAML_PRESETS
from tenant_apps.people.models import User
from tests.live import free_port
from tests.sso.conftest import failures, provider_make
from tests.sso.idps.saml_idp_npm import ISSUER, saml_idp_process

SP = "http://alpha.localhost/sso/saml/nodeidp"


def inputs(html: str) -> dict[str, str]:
    """The named inputs of a page and their values (either quote style)."""
    found = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r"""name=["']([^"']+)["']""", tag)
        value = re.search(r"""value=(?:"([^"]*)"|'([^']*)')""", tag)
        if name and value:
            found[unescape(name.group(1))] = unescape(value.group(1) or value.group(2) or "")
    return found


@pytest.mark.timeout(120)
def test_sign_in_through_npm_saml_idp(in_tenant_a, tenant_a, client_a, idp_keys, tmp_path):
    port = free_port()
    okta = next(preset for preset in SAML_PRESETS if preset.code == "okta")
    provider_make(
        keys=idp_keys,
        slug="nodeidp",
        name="Node IdP",
        entity_id=ISSUER,
        base_url=f"http://127.0.0.1:{port}",
        saml_sso_url=f"http://127.0.0.1:{port}/saml/sso",
        attribute_mapping=dict(okta.mapping),
    )
    with saml_idp_process(
        port=port,
        cert_file=idp_keys.cert_file,
        key_file=idp_keys.key_file,
        acs_url=f"{SP}/acs/",
        audience=f"{SP}/metadata/",
        log=tmp_path / "saml-idp.log",
    ) as idp_url:
        answer = client_a.get("/sso/saml/nodeidp/login/", {"next": "/catalogue/"})
        assert answer["Location"].startswith(f"{idp_url}/saml/sso?SAMLRequest=")
        session = requests.Session()
        form_page = session.get(answer["Location"], timeout=10)
        fields = inputs(form_page.text)
        fields.update(
            userName="nia@node.test",
            email="nia@node.test",
            firstName="Nia",
            lastName="Node",
            displayName="Nia Node",
        )
        posted = session.post(f"{idp_url}/signin", data=fields, timeout=10)
        assert posted.status_code == 200, posted.text[:500]
        action = unescape(re.search(r'<form[^>]*action="([^"]+)"', posted.text).group(1))
        assert action == f"{SP}/acs/"
        to_acs = {
            name: value
            for name, value in inputs(posted.text).items()
            if name in ("SAMLResponse", "RelayState")
        }
        answer = client_a.post(urlsplit(action).path, to_acs)
    assert failures(tenant_a.schema) == []
    assert answer["Location"] == "/catalogue/"
    with schema_context(tenant_a.schema):
        nia = User.objects.get(email="nia@node.test")
        assert nia.full_name == "Nia Node"
    assert client_a.session["_auth_user_id"] == str(nia.pk)
