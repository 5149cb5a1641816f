"""SAML sign-in at the ACS with responses the pysaml2 IdP mints: just-in-time creation, a
second sign-in bringing attributes up to date, IdP-initiated allowed or refused, a test run
signing nobody in."""

from __future__ import annotations

import base64
import re

from django_tenants.utils import schema_context
from saml2 import BINDING_HTTP_REDIRECT

from sso.models import ExternalIdentity, SamlBinding
from tenant_apps.people.models import User
from tests.sso.conftest import failures, person_attributes
from tests.sso.idps.pysaml2_idp import query_of


def test_sp_initiated_sign_in_creates_the_person_and_goes_to_next(sign_in, tenant_a):
    request_id = sign_in.start("/courses/")
    answer = sign_in.post(sign_in.mint(request_id))
    assert answer.status_code == 302
    assert answer["Location"] == "/courses/"
    with schema_context(tenant_a.schema):
        pat = User.objects.get(email="pat@corp.test")
        assert pat.full_name == "Pat Jones"
        assert sign_in.signed_in_user_id() == str(pat.pk)
        assert sign_in.client.session["sso_saml"]["name_id"] == "pat@corp.test"
    assert failures(tenant_a.schema) == []


def test_a_second_sign_in_updates_the_mapped_attributes(sign_in, tenant_a):
    sign_in.post(sign_in.mint(sign_in.start()))
    sign_in.client.logout()
    attributes = person_attributes("pat@corp.test", first="Patricia", employeeNumber=["E-7"])
    answer = sign_in.post(sign_in.mint(sign_in.start(), attributes=attributes))
    assert answer["Location"] == "/"
    with schema_context(tenant_a.schema):
        people = list(User.objects.filter(email="pat@corp.test"))
        assert [(p.full_name, p.employee_number) for p in people] == [("Patricia Jones", "E-7")]
        link = ExternalIdentity.objects.get(subject="pat@corp.test")
        assert link.user_id == people[0].pk
        assert link.last_attributes["urn:oid:2.5.4.42"] == ["Patricia"]


def test_idp_initiated_sign_in_where_allowed_goes_to_the_relay_state(sign_in, tenant_a, provider):
    provider.saml_allow_idp_initiated = True
    provider.save()
    answer = sign_in.post(sign_in.mint(None), relay_state="/catalogue/")
    assert answer["Location"] == "/catalogue/"
    assert sign_in.signed_in_user_id() is not None


def test_an_encrypted_assertion_is_decrypted_also_with_the_next_key(sign_in, tenant_a, provider):
    """The IdP encrypts to our active key, or already to the next one of a rollover."""
    from sso.services.keys import sp_key_active, sp_key_next_create

    provider.saml_want_assertions_encrypted = True
    provider.save()
    with schema_context(tenant_a.schema):
        active = sp_key_active().certificate_pem
        upcoming = sp_key_next_create(actor=None).certificate_pem
    answer = sign_in.post(sign_in.mint(sign_in.start(), encrypt_to_pem=active))
    assert answer["Location"] == "/", failures(tenant_a.schema)
    sign_in.client.logout()
    answer = sign_in.post(
        sign_in.mint(sign_in.start(), name_id="sam@corp.test", encrypt_to_pem=upcoming)
    )
    assert answer["Location"] == "/"
    sign_in.client.logout()
    # Required, so a plain assertion is refused.
    answer = sign_in.post(sign_in.mint(sign_in.start(), name_id="kim@corp.test"))
    assert answer["Location"] == "/accounts/login/"
    assert [entry["code"] for entry in failures(tenant_a.schema)] == ["sso_response_invalid"]
    assert "not encrypted" in failures(tenant_a.schema)[0]["reason"]


def test_a_deactivated_person_is_refused_even_when_the_idp_says_yes(sign_in, tenant_a, make_person):
    from sso.models import ExternalIdentity as Link

    sign_in.post(sign_in.mint(sign_in.start()))
    sign_in.client.logout()
    with schema_context(tenant_a.schema):
        User.objects.filter(email="pat@corp.test").update(is_active=False)
        assert Link.objects.count() == 1
    answer = sign_in.post(sign_in.mint(sign_in.start()))
    assert answer["Location"] == "/accounts/login/"
    assert sign_in.signed_in_user_id() is None
    assert [entry["code"] for entry in failures(tenant_a.schema)] == ["sso_person_deactivated"]
    page = sign_in.client.get("/accounts/login/")
    assert "Your account in this portal is deactivated." in page.content.decode()


def test_a_test_run_records_each_check_and_signs_nobody_in(
    sign_in, tenant_a, provider, portal, make_person
):
    from sso.services.trace import test_run_start
    from tenant_apps.people.models import Role

    admin = make_person(Role.ADMIN, email="ada@alpha.example.com")
    with schema_context(tenant_a.schema):
        run = test_run_start(provider=provider, actor=admin)
    sign_in.client = portal(admin)
    answer = sign_in.client.get("/sso/saml/corp/login/", {"test": str(run.pk)})
    query = query_of(answer["Location"])
    request_id = sign_in.idp.server.parse_authn_request(
        query["SAMLRequest"], BINDING_HTTP_REDIRECT
    ).message.id
    sign_in.post(sign_in.mint(request_id))
    with schema_context(tenant_a.schema):
        run.refresh_from_db()
        assert run.status == "succeeded", run.steps
        titles = [step["title"] for step in run.steps]
        assert titles[:3] == ["AuthnRequest sent", "Response received", "InResponseTo"]
        assert "Signature on the Response" in titles
        assert "Signature on the Assertion" in titles
        assert {"Audience", "Destination", "Validity period", "Issuer"} <= set(titles)
        assert all(step["ok"] is not False for step in run.steps), run.steps
        assert run.mapped["email"] == "pat@corp.test"
        assert run.mapped["full_name"] == "Pat Jones"
        assert not User.objects.filter(email="pat@corp.test").exists()
        assert str(admin.pk) == sign_in.client.session["_auth_user_id"]  # still the admin


def test_a_failed_test_run_names_the_reason(sign_in, tenant_a, provider, portal, make_person):
    from sso.services.trace import test_run_start
    from tenant_apps.people.models import Role

    admin = make_person(Role.ADMIN, email="ada@alpha.example.com")
    with schema_context(tenant_a.schema):
        run = test_run_start(provider=provider, actor=admin)
    sign_in.client = portal(admin)
    answer = sign_in.client.get("/sso/saml/corp/login/", {"test": str(run.pk)})
    query = query_of(answer["Location"])
    request_id = sign_in.idp.server.parse_authn_request(
        query["SAMLRequest"], BINDING_HTTP_REDIRECT
    ).message.id
    sign_in.post(sign_in.mint(request_id, audience="http://alpha.localhost/elsewhere/"))
    with schema_context(tenant_a.schema):
        run.refresh_from_db()
        assert run.status == "failed"
        assert "wrong audience" in run.failure_reason
        assert run.failure_code == "sso_audience_wrong"
        audience = next(step for step in run.steps if step["title"] == "Audience")
        assert audience["ok"] is False
    assert failures(tenant_a.schema) == []  # a test run is not a refused sign-in
    # The trace page's advice follows from the code, whatever language the reason is in.
    page = sign_in.client.get(f"/manage/sso/tests/{run.pk}/").content.decode()
    assert "addressed its answer to another service" in page


def test_the_sp_metadata_is_signed_and_lists_every_published_key(client_a, tenant_a, provider):
    from onelogin.saml2.utils import OneLogin_Saml2_Utils

    from sso.services.keys import pem_body, sp_key_active, sp_key_next_create

    with schema_context(tenant_a.schema):
        active = sp_key_active()
        upcoming = sp_key_next_create(actor=None)
    answer = client_a.get("/sso/saml/corp/metadata/")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/samlmetadata+xml"
    xml = answer.content.decode()
    assert 'entityID="http://alpha.localhost/sso/saml/corp/metadata/"' in xml
    assert 'Location="http://alpha.localhost/sso/saml/corp/acs/"' in xml
    assert 'Location="http://alpha.localhost/sso/saml/corp/sls/"' in xml
    for key in (active, upcoming):
        assert xml.count(pem_body(key.certificate_pem)) == 2  # signing and encryption
    assert OneLogin_Saml2_Utils.validate_metadata_sign(xml, active.certificate_pem)
    assert client_a.get("/sso/saml/nope/metadata/").status_code == 404


def test_the_login_of_an_unknown_provider_goes_back_to_the_login_page(client_a):
    answer = client_a.get("/sso/saml/nope/login/", follow=True)
    assert answer.redirect_chain[-1][0] == "/accounts/login/"
    assert "This sign-in method does not exist." in answer.content.decode()


def test_the_post_binding_sends_a_signed_request_in_a_form(client_a, provider, tenant_a):
    provider.saml_sso_binding = SamlBinding.POST
    provider.save()
    answer = client_a.get("/sso/saml/corp/login/", {"next": "/x/"})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert 'action="http://127.0.0.1:9/sso/redirect"' in page
    assert "form-action 'self' http://127.0.0.1:9" in answer["Content-Security-Policy"]
    saml_request = re.search(r'name="SAMLRequest" value="([^"]+)"', page).group(1)
    xml = base64.b64decode(saml_request).decode()
    assert "<ds:Signature" in xml
    assert 'AssertionConsumerServiceURL="http://alpha.localhost/sso/saml/corp/acs/"' in xml
