"""The SSO configuration API: admins create, read, change and delete providers (secrets and
private keys never in an answer), validation names each field, another tenant's provider is
a 404, and every other role is refused with nothing changed."""

from __future__ import annotations

import json

import pytest
from django_tenants.utils import schema_context

from sso.models import IdentityProvider, ProviderKind, SsoPolicy
from sso.services.providers import provider_create
from tenant_apps.people.models import Role
from tests.sso.admin_documents import body_of, certificate_pem, metadata_xml

CERT = certificate_pem("idp.api.example")
SECRET = "client-secret-do-not-show-42"


@pytest.fixture
def admin(make_person):
    return make_person(Role.ADMIN, email="sso-admin@example.com")


def _saml_body(**extra) -> dict:
    return {
        "kind": "saml",
        "name": "Acme Okta",
        "slug": "acme-okta",
        "preset": "okta",
        "saml_entity_id": "http://www.okta.com/exk1",
        "saml_sso_url": "https://acme.okta.com/app/sso/saml",
        "saml_certificates": [CERT],
        "email_domains": ["acme.example"],
        **extra,
    }


def test_an_admin_creates_reads_changes_and_deletes_a_provider(api, admin, tenant_a):
    client = api(admin)
    created = client.post("/api/v1/sso/providers", _saml_body(), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["slug"] == "acme-okta"
    assert body["saml_certificates"] == [body_of(CERT)]
    assert body["certificates"][0]["days_left"] in (364, 365)
    assert body["attribute_mapping"]["email"] == "email"
    assert body["sp_metadata_url"] == "http://alpha.localhost/sso/saml/acme-okta/metadata/"
    provider_id = body["id"]

    listed = client.get("/api/v1/sso/providers").json()
    assert [p["id"] for p in listed] == [provider_id]

    changed = client.patch(
        f"/api/v1/sso/providers/{provider_id}",
        {"attribute_mapping": {"email": "mail", "groups": "memberOf"}, "enabled": False},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["attribute_mapping"] == {"email": "mail", "groups": "memberOf"}
    assert changed.json()["enabled"] is False

    assert client.delete(f"/api/v1/sso/providers/{provider_id}").status_code == 204
    assert client.get(f"/api/v1/sso/providers/{provider_id}").status_code == 404


def test_the_client_secret_is_never_returned(api, admin, tenant_a):
    client = api(admin)
    created = client.post(
        "/api/v1/sso/providers",
        {
            "kind": "oidc",
            "name": "Keycloak",
            "slug": "kc",
            "preset": "keycloak",
            "oidc_issuer": "https://kc.example/realms/acme",
            "oidc_client_id": "lectern",
            "oidc_client_secret": SECRET,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    provider_id = created.json()["id"]
    answers = [
        created,
        client.get(f"/api/v1/sso/providers/{provider_id}"),
        client.get("/api/v1/sso/providers"),
        client.patch(
            f"/api/v1/sso/providers/{provider_id}", {"oidc_client_secret": ""}, format="json"
        ),
    ]
    with schema_context(tenant_a.schema):
        sealed = IdentityProvider.objects.get(pk=provider_id).oidc_client_secret_sealed
    for answer in answers:
        text = answer.content.decode()
        assert SECRET not in text and sealed not in text
        assert "oidc_client_secret" not in text
    assert created.json()["client_secret_set"] is True


def test_validation_names_each_field(api, admin):
    answer = api(admin).post(
        "/api/v1/sso/providers",
        _saml_body(
            slug="Bad Slug",
            saml_sso_url="http://plain.example/sso",
            saml_certificates=["garbage"],
            group_role_rules=[{"group": "staff", "role": "admin"}],
            group_membership_rules=[{"group": "staff", "tenant_group": 4242}],
        ),
        format="json",
    )
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "sso_provider_invalid"
    assert {d["field"] for d in error["details"]} == {
        "slug",
        "saml_sso_url",
        "saml_certificates[0]",
        "group_membership_rules[0].tenant_group",
    }


@pytest.mark.parametrize(
    ("issuer", "reason"),
    [
        ("https://127.0.0.1:8443", "127.0.0.1 is a loopback address"),
        ("https://169.254.169.254/latest", "cloud metadata"),
        ("https://login.intranet.example.test/realms/acme", "10.20.30.40 is a private address"),
        ("https://[fd00:ec2::254]/", "cloud metadata"),
    ],
)
def test_an_issuer_inside_the_platform_is_refused_naming_the_field(
    api, admin, tenant_a, outbound_dns, issuer, reason
):
    outbound_dns.addresses["login.intranet.example.test"] = ["10.20.30.40"]
    answer = api(admin).post(
        "/api/v1/sso/providers",
        {
            "kind": "oidc",
            "name": "Keycloak",
            "slug": "kc",
            "oidc_issuer": issuer,
            "oidc_client_id": "lectern",
            "oidc_client_secret": SECRET,
        },
        format="json",
    )
    assert answer.status_code == 400, answer.json()
    details = answer.json()["error"]["details"]
    assert [d["field"] for d in details] == ["oidc_issuer"]
    assert reason in details[0]["message"]
    with schema_context(tenant_a.schema):
        assert not IdentityProvider.objects.exists()


def test_an_unknown_mapping_key_or_role_is_refused_by_the_contract(api, admin):
    client = api(admin)
    answer = client.post(
        "/api/v1/sso/providers",
        _saml_body(attribute_mapping={"email": "mail", "shoe_size": "x"}),
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["details"] == [
        {"field": "attribute_mapping.shoe_size", "message": "Unknown field."}
    ]
    answer = client.post(
        "/api/v1/sso/providers",
        _saml_body(group_role_rules=[{"group": "staff", "role": "emperor"}]),
        format="json",
    )
    assert answer.status_code == 400
    # (the JSON contract names list items by index: the house style of core.api.contract)
    assert answer.json()["error"]["details"][0]["field"] == "group_role_rules.0.role"


def test_a_saml_provider_is_imported_from_metadata_xml(api, admin):
    answer = api(admin).post(
        "/api/v1/sso/providers/import",
        {
            "name": "Acme",
            "slug": "acme",
            "preset": "shibboleth",
            "metadata_xml": metadata_xml(certificates=[CERT]),
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["saml_entity_id"] == "https://idp.acme.example/saml"
    assert body["attribute_mapping"]["email"] == "urn:oid:0.9.2342.19200300.100.1.3"
    bad = api(admin).post(
        "/api/v1/sso/providers/import",
        {"name": "X", "slug": "x", "metadata_xml": "<!DOCTYPE x []><x/>"},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["details"][0]["field"] == "metadata_xml"


def test_another_tenants_provider_is_not_found(api, admin, tenant_b):
    with schema_context(tenant_b.schema):
        theirs = provider_create(
            actor=None,
            kind=ProviderKind.SAML,
            name="Bravo IdP",
            slug="bravo-idp",
            saml_entity_id="https://bravo.example/idp",
            saml_sso_url="https://bravo.example/sso",
            saml_certificates=[CERT],
        )
    client = api(admin)
    assert client.get(f"/api/v1/sso/providers/{theirs.pk}").status_code == 404
    answer = client.patch(f"/api/v1/sso/providers/{theirs.pk}", {"name": "Mine"}, format="json")
    assert answer.status_code == 404
    assert client.delete(f"/api/v1/sso/providers/{theirs.pk}").status_code == 404
    assert client.post(f"/api/v1/sso/providers/{theirs.pk}/tests").status_code == 404
    with schema_context(tenant_b.schema):
        assert IdentityProvider.objects.get(pk=theirs.pk).name == "Bravo IdP"


@pytest.mark.parametrize("role", [Role.INSTRUCTOR, Role.CONTENT_CREATOR, Role.LEARNER])
def test_other_roles_are_refused_and_nothing_changes(api, make_person, tenant_a, role):
    with schema_context(tenant_a.schema):
        provider = provider_create(
            actor=None,
            kind=ProviderKind.SAML,
            name="Acme",
            slug="acme",
            saml_entity_id="https://acme.example/idp",
            saml_sso_url="https://acme.example/sso",
            saml_certificates=[CERT],
        )
    client = api(make_person(role, email=f"{role}@example.com"))
    answers = [
        client.get("/api/v1/sso/providers"),
        client.post("/api/v1/sso/providers", _saml_body(slug="mine"), format="json"),
        client.patch(f"/api/v1/sso/providers/{provider.pk}", {"name": "Hijacked"}, format="json"),
        client.delete(f"/api/v1/sso/providers/{provider.pk}"),
        client.patch("/api/v1/sso/policy", {"sso_only": True}, format="json"),
        client.post("/api/v1/sso/keys/next"),
        client.get("/api/v1/sso/keys"),
        client.post(f"/api/v1/sso/providers/{provider.pk}/tests"),
    ]
    assert [a.status_code for a in answers] == [403] * len(answers)
    assert answers[2].json()["error"]["code"] == "permission_denied"
    with schema_context(tenant_a.schema):
        assert list(IdentityProvider.objects.values_list("slug", "name")) == [("acme", "Acme")]
        assert not SsoPolicy.objects.filter(sso_only=True).exists()


def test_keys_are_listed_and_rolled_over_without_private_keys(api, admin):
    client = api(admin)
    listed = client.get("/api/v1/sso/keys")
    assert [k["state"] for k in listed.json()] == ["active"]
    published = client.post("/api/v1/sso/keys/next")
    assert published.status_code == 201 and published.json()["state"] == "next"
    assert client.post("/api/v1/sso/keys/next").status_code == 409
    activated = client.post("/api/v1/sso/keys/next/activate")
    assert activated.json()["state"] == "active"
    states = [k["state"] for k in client.get("/api/v1/sso/keys").json()]
    assert sorted(states) == ["active", "retired"]
    for answer in (listed, published, activated):
        assert "PRIVATE KEY" not in answer.content.decode()
        assert "private_key" not in answer.content.decode()


def test_policy_and_presets(api, admin):
    client = api(admin)
    assert client.get("/api/v1/sso/policy").json() == {
        "sso_only": False,
        "break_glass_admin_ids": [],
        "default_provider_id": None,
    }
    refused = client.patch("/api/v1/sso/policy", {"sso_only": True}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["details"][0]["field"] == "sso_only"
    codes = {(p["kind"], p["code"]) for p in client.get("/api/v1/sso/presets").json()}
    assert ("saml", "shibboleth") in codes and ("oidc", "keycloak") in codes


def test_a_test_run_is_started_and_read(api, admin, tenant_a):
    client = api(admin)
    provider_id = client.post("/api/v1/sso/providers", _saml_body(), format="json").json()["id"]
    started = client.post(f"/api/v1/sso/providers/{provider_id}/tests")
    assert started.status_code == 201
    test = started.json()
    assert test["status"] == "started"
    assert test["trace_url"] == f"http://alpha.localhost/manage/sso/tests/{test['id']}/"
    read = client.get(f"/api/v1/sso/tests/{test['id']}")
    assert read.json()["id"] == test["id"] and read.json()["steps"] == []
    assert client.get("/api/v1/sso/tests/00000000-0000-0000-0000-000000000000").status_code == 404


def test_the_api_document_describes_the_sso_endpoints(api, admin):
    document = api(admin).get("/api/v1/schema/", {"format": "json"})
    paths = json.loads(document.content)["paths"]
    assert "/api/v1/sso/providers/{provider_id}" in paths
    assert "oidc_client_secret" not in json.dumps(
        paths["/api/v1/sso/providers/{provider_id}"]["get"]["responses"]["200"]
    )
