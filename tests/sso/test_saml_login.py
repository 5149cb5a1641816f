"""SAML sign-in at the ACS with responses the pysaml2 IdP mints: just-in-time creation, a
second sign-in bringing attributes up to date, IdP-initiated allowed or refused, a test run
signing nobody in."""

from __future__ import annotations

from django_tenants.utils import schema_context

from tenant_apps.people.models import User
from tests.sso.conftest import failures


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
