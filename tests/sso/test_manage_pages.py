"""The admin's SSO pages: add a provider from pasted metadata or by hand (errors next to
their fields, what was typed kept), edit, the mapping with a preview against the last test
run, the test trace (polling while it runs), policy and keys; bounded queries; other roles
refused."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from sso import models as sso_models
from sso.models import ConnectionTest, IdentityProvider, ProviderKind
from sso.services import trace
from sso.services.providers import provider_create
from sso.services.trace import trace_finish, trace_step
from tenant_apps.people.models import LearnerGroup, Role
from tests.sso.admin_documents import body_of, certificate_pem, metadata_xml

CERT = certificate_pem("idp.pages.example")
CLAIMS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"


@pytest.fixture
def admin(make_person):
    return make_person(Role.ADMIN, email="pages-admin@example.com")


def _provider(slug: str = "acme", **values) -> IdentityProvider:
    return provider_create(
        actor=None,
        kind=ProviderKind.SAML,
        name=f"IdP {slug}",
        slug=slug,
        preset="entra_id",
        saml_entity_id=f"https://{slug}.example/idp",
        saml_sso_url=f"https://{slug}.example/sso",
        saml_certificates=[CERT],
        **values,
    )


def test_an_admin_adds_a_saml_provider_from_pasted_metadata(portal, admin, tenant_a):
    client = portal(admin)
    assert client.get("/manage/sso/add/saml/").status_code == 200
    answer = client.post(
        "/manage/sso/add/saml/",
        {
            "name": "Acme",
            "slug": "acme",
            "preset": "okta",
            "email_domains": "acme.example, Acme.co.uk",
            "metadata_xml": metadata_xml(certificates=[CERT]),
        },
    )
    assert answer.status_code == 302
    with schema_context(tenant_a.schema):
        provider = IdentityProvider.objects.get(slug="acme")
    assert answer["Location"] == f"/manage/sso/providers/{provider.pk}/"
    assert provider.saml_certificates == [body_of(CERT)]
    assert provider.email_domains == ["acme.example", "acme.co.uk"]
    page = client.get(answer["Location"]).content.decode()
    assert "http://alpha.localhost/sso/saml/acme/metadata/" in page


def test_errors_sit_next_to_their_fields_and_what_was_typed_stays(portal, admin, tenant_a):
    answer = portal(admin).post(
        "/manage/sso/add/saml/",
        {
            "name": "Acme",
            "slug": "Acme Corp",
            "saml_entity_id": "https://acme.example/idp",
            "saml_sso_url": "http://acme.example/sso",
            "saml_certificates": "not a certificate",
        },
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert 'id="id_slug_error"' in page and 'value="Acme Corp"' in page
    assert 'id="id_saml_sso_url_error"' in page and "Use an https:// address." in page
    assert 'id="id_saml_certificates_error"' in page
    assert "Certificate 1: This base64 text is not an X.509 certificate." in page
    assert 'value="https://acme.example/idp"' in page
    with schema_context(tenant_a.schema):
        assert not IdentityProvider.objects.exists()


def test_bad_metadata_is_named_on_the_page(portal, admin):
    answer = portal(admin).post(
        "/manage/sso/add/saml/",
        {"name": "Acme", "slug": "acme", "metadata_xml": "<!DOCTYPE x []><x/>"},
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert 'id="id_metadata_xml_error"' in page
    assert "document type declaration or entities" in page


def test_an_issuer_resolving_to_a_private_address_is_refused_next_to_its_field(
    portal, admin, tenant_a, outbound_dns
):
    outbound_dns.addresses["login.intranet.example.test"] = ["10.20.30.40"]
    answer = portal(admin).post(
        "/manage/sso/add/oidc/",
        {
            "kind": "oidc",
            "name": "Intranet",
            "slug": "intranet",
            "oidc_issuer": "https://login.intranet.example.test",
            "oidc_client_id": "abc",
            "oidc_client_secret": "page-secret-9876",
        },
    )
    page = answer.content.decode()
    assert answer.status_code == 400
    assert 'id="id_oidc_issuer_error"' in page
    assert "10.20.30.40 is a private address" in page
    with schema_context(tenant_a.schema):
        assert not IdentityProvider.objects.filter(slug="intranet").exists()


def test_an_oidc_provider_is_added_and_its_secret_never_shown(portal, admin, tenant_a):
    client = portal(admin)
    answer = client.post(
        "/manage/sso/add/oidc/",
        {
            "kind": "oidc",
            "name": "Okta",
            "slug": "okta",
            "preset": "okta",
            "oidc_issuer": "https://acme.okta.com",
            "oidc_client_id": "abc",
            "oidc_client_secret": "page-secret-9876",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    page = client.get(answer["Location"]).content.decode()
    assert "page-secret-9876" not in page
    with schema_context(tenant_a.schema):
        provider = IdentityProvider.objects.get(slug="okta")
    assert provider.oidc_client_secret_sealed not in page
    # Saving the settings with the secret left empty keeps it.
    answer = client.post(
        f"/manage/sso/providers/{provider.pk}/",
        {
            "name": "Okta SSO",
            "slug": "okta",
            "enabled": "on",
            "default_role": "learner",
            "create_people": "on",
            "oidc_issuer": "https://acme.okta.com",
            "oidc_client_id": "abc",
            "oidc_client_secret": "",
            "oidc_scopes": "openid email",
        },
    )
    assert answer.status_code == 302
    with schema_context(tenant_a.schema):
        provider.refresh_from_db()
    assert provider.name == "Okta SSO" and provider.has_client_secret


def test_the_mapping_page_saves_and_previews_against_the_last_test(portal, admin, tenant_a):
    with schema_context(tenant_a.schema):
        provider = _provider()
        group = LearnerGroup.objects.create(name="Sales")
        test = trace.test_run_start(provider=provider, actor=admin)
        trace_finish(
            test,
            attributes={
                CLAIMS + "emailaddress": ["ada@acme.example"],
                "mail": ["ada.l@acme.example"],
                CLAIMS + "givenname": ["Ada"],
                "memberOf": ["teachers", "sales-team"],
            },
        )
    client = portal(admin)
    page = client.get(f"/manage/sso/providers/{provider.pk}/mapping/").content.decode()
    assert "ada@acme.example" in page  # the preset's mapping, previewed
    fields = {
        "email": "mail",
        "first_name": CLAIMS + "givenname",
        "groups": "memberOf",
        "group_role_rules": "teachers = instructor",
        "group_membership_rules": "sales-team = Sales",
    }
    preview = client.post(
        f"/manage/sso/providers/{provider.pk}/mapping/", {**fields, "preview": "1"}
    )
    assert preview.status_code == 200
    shown = preview.content.decode()
    assert "ada.l@acme.example" in shown and "instructor" in shown and "Sales" in shown
    with schema_context(tenant_a.schema):
        provider.refresh_from_db()
    assert provider.attribute_mapping["email"] != "mail"  # a preview saves nothing
    saved = client.post(f"/manage/sso/providers/{provider.pk}/mapping/", fields)
    assert saved.status_code == 302
    with schema_context(tenant_a.schema):
        provider.refresh_from_db()
    assert provider.attribute_mapping == {
        "email": "mail",
        "first_name": CLAIMS + "givenname",
        "groups": "memberOf",
    }
    assert provider.group_role_rules == [{"group": "teachers", "role": "instructor"}]
    assert provider.group_membership_rules == [{"group": "sales-team", "tenant_group": group.pk}]
    bad = client.post(
        f"/manage/sso/providers/{provider.pk}/mapping/",
        {**fields, "group_membership_rules": "x = Nope"},
    )
    assert bad.status_code == 400
    assert "Line 1: “Nope” is not a group here." in bad.content.decode()
    bad = client.post(
        f"/manage/sso/providers/{provider.pk}/mapping/",
        {**fields, "group_role_rules": "teachers = instructor\nboss = emperor"},
    )
    assert bad.status_code == 400
    text = bad.content.decode()
    assert 'id="id_group_role_rules_error"' in text and "Line 2: Choose one of:" in text
    assert "boss = emperor" in text  # what was typed stays


def test_the_trace_page_shows_steps_and_polls_while_running(portal, admin, tenant_a):
    with schema_context(tenant_a.schema):
        provider = _provider()
        test = trace.test_run_start(provider=provider, actor=admin)
        trace_step(test, "AuthnRequest sent", ok=None, data="<samlp:AuthnRequest/>")
    client = portal(admin)
    running = client.get(f"/manage/sso/tests/{test.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in running
    assert f'href="/manage/sso/tests/{test.pk}/"' in running  # refresh without JavaScript
    assert "&lt;samlp:AuthnRequest/&gt;" in running and "<details>" in running
    partial = client.get(
        f"/manage/sso/tests/{test.pk}/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="test-trace"
    ).content.decode()
    assert partial.startswith('<div id="test-trace"') and "<html" not in partial
    with schema_context(tenant_a.schema):
        trace_step(test, "Audience", ok=False, detail="Wrong audience: https://other.example")
        trace_finish(
            test,
            failure="The audience https://other.example is not this service provider.",
            failure_code="sso_audience_wrong",
            attributes={"mail": ["ada@acme.example"]},
            mapped={"email": "ada@acme.example", "groups": []},
        )
    done = client.get(f"/manage/sso/tests/{test.pk}/").content.decode()
    assert "hx-trigger" not in done
    assert "The connection failed." in done and "addressed its answer to another service" in done
    assert "ada@acme.example" in done


def test_starting_a_test_makes_a_run(portal, admin, tenant_a):
    with schema_context(tenant_a.schema):
        provider = _provider()
    answer = portal(admin).post(f"/manage/sso/providers/{provider.pk}/test/")
    assert answer.status_code == 302
    with schema_context(tenant_a.schema):
        test = ConnectionTest.objects.get(provider=provider)
    # To the provider's login marked as a test (or, with no round trip routed, the trace).
    assert answer["Location"].endswith(f"?test={test.pk}") or (
        answer["Location"] == f"/manage/sso/tests/{test.pk}/"
        and test.status == sso_models.TestRunStatus.FAILED
    )


def test_pages_run_a_bounded_number_of_queries(
    portal, admin, tenant_a, django_assert_max_num_queries
):
    with schema_context(tenant_a.schema):
        first = _provider("first")
        _provider("second")
    client = portal(admin)
    pages = [
        "/manage/sso/",
        f"/manage/sso/providers/{first.pk}/",
        f"/manage/sso/providers/{first.pk}/mapping/",
        "/manage/sso/policy/",
        "/manage/sso/keys/",
        "/manage/sso/add/saml/",
    ]
    for path in pages:
        client.get(path)
    counts = {}
    for path in pages:
        with django_assert_max_num_queries(16) as captured:
            assert client.get(path).status_code == 200, path
        counts[path] = len(captured.captured_queries)
    with schema_context(tenant_a.schema):
        for number in range(15):
            _provider(f"more{number}")
    client.get("/manage/sso/")  # (the schema switch above costs the next request a query)
    with django_assert_max_num_queries(counts["/manage/sso/"]):
        assert client.get("/manage/sso/").status_code == 200


@pytest.mark.parametrize("role", [Role.INSTRUCTOR, Role.LEARNER])
def test_other_roles_are_refused(portal, make_person, tenant_a, role):
    with schema_context(tenant_a.schema):
        provider = _provider()
    client = portal(make_person(role, email=f"page-{role}@example.com"))
    assert client.get("/manage/sso/").status_code == 403
    assert client.post(f"/manage/sso/providers/{provider.pk}/delete/").status_code == 403
    with schema_context(tenant_a.schema):
        assert IdentityProvider.objects.filter(pk=provider.pk).exists()


def test_keys_page_rolls_over(portal, admin, tenant_a):
    client = portal(admin)
    assert "Publish the next key" in client.get("/manage/sso/keys/").content.decode()
    assert client.post("/manage/sso/keys/", {"publish": "1"}).status_code == 302
    assert "Activate the next key" in client.get("/manage/sso/keys/").content.decode()
    assert client.post("/manage/sso/keys/", {"activate": "1"}).status_code == 302
    assert "Retired" in client.get("/manage/sso/keys/").content.decode()


def test_the_person_page_marks_managed_fields_and_shows_identities(portal, admin, tenant_a):
    from sso.models import ExternalIdentity
    from tenant_apps.audit.models import AuditAction, AuditEntry
    from tests.factories import UserFactory

    with schema_context(tenant_a.schema):
        provider = _provider()
        person = UserFactory(email="linked@example.com")
        ExternalIdentity.objects.create(provider=provider, subject="linked-sub-77", user=person)
    client = portal(admin)
    page = client.get(f"/manage/people/{person.pk}/").content.decode()
    assert "Single sign-on identities" in page and "linked-sub-77" in page and "IdP acme" in page
    answer = client.post(
        f"/manage/people/{person.pk}/",
        {"role": "learner", "managed_fields": ["full_name", "department"]},
    )
    assert answer.status_code == 302
    with schema_context(tenant_a.schema):
        person.refresh_from_db()
        assert person.managed_fields == ["full_name", "department"]
        entry = AuditEntry.objects.get(action=AuditAction.USER_MANAGED_FIELDS_CHANGED)
    assert entry.after == {"managed_fields": ["department", "full_name"]}
