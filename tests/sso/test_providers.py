"""Identity providers as admins set them up: each wrong value refused naming its field,
presets applied, certificates stored as bodies, the OIDC client secret sealed and kept on a
blank change, every change audited without secrets."""

from __future__ import annotations

import json

import pytest

from core.errors import ValidationFailed
from core.secret_box import secret_open
from sso.models import IdentityProvider, NameIdFormat, ProviderKind
from sso.services.policy import sso_policy_update
from sso.services.providers import provider_create, provider_delete, provider_update
from tenant_apps.audit.models import AuditAction, AuditEntry
from tenant_apps.people.models import LearnerGroup, Role
from tests.factories import UserFactory
from tests.sso.admin_documents import body_of, certificate_pem

CERT = certificate_pem("idp.acme.example")


def _saml(**values) -> IdentityProvider:
    fields = {
        "name": "Acme Entra ID",
        "slug": "acme",
        "saml_entity_id": "https://sts.windows.net/acme/",
        "saml_sso_url": "https://login.microsoftonline.com/acme/saml2",
        "saml_certificates": [CERT],
    }
    fields.update(values)
    return provider_create(actor=None, kind=ProviderKind.SAML, **fields)


def _fields_refused(**values) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as refused:
        _saml(**values)
    return {detail.field: detail.message for detail in refused.value.details}


def test_a_saml_provider_stores_the_certificate_body_and_applies_the_preset(in_tenant_a):
    provider = _saml(preset="entra_id", email_domains=["@Acme.Example", "acme.example"])
    provider.refresh_from_db()
    assert provider.saml_certificates == [body_of(CERT)]
    assert provider.preset == "entra_id"
    assert provider.attribute_mapping["email"] == (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
    )
    assert provider.saml_name_id_format == NameIdFormat.EMAIL
    assert provider.email_domains == ["acme.example"]
    entry = AuditEntry.objects.get(action=AuditAction.SSO_PROVIDER_CREATED)
    assert entry.after["slug"] == "acme"
    assert entry.after["saml_certificates"][0].startswith("sha256:")


def test_each_wrong_value_is_named(in_tenant_a):
    problems = _fields_refused(
        slug="Not A Slug!",
        saml_sso_url="http://idp.example/sso",
        saml_certificates=["not a certificate", CERT],
        attribute_mapping={"email": "mail", "shoe_size": "shoe"},
        group_role_rules=[{"group": "staff", "role": "emperor"}],
        group_membership_rules=[{"group": "staff", "tenant_group": 999999}],
        email_domains=["not a domain"],
    )
    assert set(problems) == {
        "slug",
        "saml_sso_url",
        "saml_certificates[0]",
        "attribute_mapping.shoe_size",
        "group_role_rules[0].role",
        "group_membership_rules[0].tenant_group",
        "email_domains",
    }
    assert problems["saml_sso_url"] == "Use an https:// address."
    assert not IdentityProvider.objects.exists()


def test_kind_specific_fields_are_required(in_tenant_a):
    with pytest.raises(ValidationFailed) as refused:
        provider_create(actor=None, kind=ProviderKind.SAML, name="Bare", slug="bare")
    assert {d.field for d in refused.value.details} == {
        "saml_entity_id",
        "saml_sso_url",
        "saml_certificates",
    }
    with pytest.raises(ValidationFailed) as refused:
        provider_create(
            actor=None, kind=ProviderKind.OIDC, name="Bare", slug="bare", oidc_scopes="email"
        )
    assert {d.field for d in refused.value.details} == {
        "oidc_issuer",
        "oidc_client_id",
        "oidc_client_secret",
        "oidc_scopes",
    }


def test_a_private_key_pasted_as_certificate_is_refused_in_words(in_tenant_a):
    problems = _fields_refused(saml_certificates=["-----BEGIN PRIVATE KEY-----\nabc\n-----END"])
    assert problems == {
        "saml_certificates[0]": (
            "This is a private key. Paste the identity provider's certificate instead."
        )
    }


def test_an_email_domain_served_by_another_provider_is_refused(in_tenant_a):
    _saml(email_domains=["acme.example"])
    problems = _fields_refused(slug="second", email_domains=["ACME.example"])
    assert problems == {"email_domains": "acme.example is already served by Acme Entra ID."}


def test_group_rules_keep_valid_roles_and_existing_groups(in_tenant_a):
    group = LearnerGroup.objects.create(name="Sales")
    provider = _saml(
        group_role_rules=[{"group": "Teachers", "role": Role.INSTRUCTOR}],
        group_membership_rules=[{"group": "sales-team", "tenant_group": group.pk}],
    )
    assert provider.group_role_rules == [{"group": "Teachers", "role": "instructor"}]
    assert provider.group_membership_rules == [{"group": "sales-team", "tenant_group": group.pk}]


def test_the_client_secret_is_sealed_kept_on_blank_and_never_audited(in_tenant_a):
    admin = UserFactory(role=Role.ADMIN, email="admin-sso@example.com")
    provider = provider_create(
        actor=admin,
        kind=ProviderKind.OIDC,
        name="Okta",
        slug="okta",
        preset="okta",
        oidc_issuer="https://acme.okta.com",
        oidc_client_id="client-1",
        oidc_client_secret="s3cret-value-123",
    )
    assert provider.oidc_scopes == "openid email profile groups"
    assert secret_open(provider.oidc_client_secret_sealed) == "s3cret-value-123"
    assert "s3cret" not in provider.oidc_client_secret_sealed
    provider_update(provider=provider, actor=admin, oidc_client_secret="", name="Okta SSO")
    provider.refresh_from_db()
    assert secret_open(provider.oidc_client_secret_sealed) == "s3cret-value-123"
    provider_update(provider=provider, actor=admin, oidc_client_secret="n3w-secret-456")
    provider.refresh_from_db()
    assert secret_open(provider.oidc_client_secret_sealed) == "n3w-secret-456"
    entries = AuditEntry.objects.filter(target_type="identityprovider").order_by("pk")
    assert [e.action for e in entries] == [
        AuditAction.SSO_PROVIDER_CREATED,
        AuditAction.SSO_PROVIDER_CHANGED,
        AuditAction.SSO_PROVIDER_CHANGED,
    ]
    assert entries[1].before == {"name": "Okta"} and entries[1].after == {"name": "Okta SSO"}
    assert entries[2].after == {"oidc_client_secret": "(replaced)"}
    recorded = json.dumps([[e.before, e.after] for e in entries])
    assert "s3cret" not in recorded and "n3w-secret" not in recorded
    assert provider.oidc_client_secret_sealed not in recorded


def test_the_last_enabled_provider_of_an_sso_only_portal_stays(in_tenant_a):
    admin = UserFactory(role=Role.ADMIN, email="glass@example.com")
    provider = _saml()
    sso_policy_update(actor=admin, sso_only=True, break_glass_admin_ids=[admin.pk])
    with pytest.raises(ValidationFailed) as refused:
        provider_update(provider=provider, actor=admin, enabled=False)
    assert refused.value.details[0].field == "enabled"
    from sso.errors import SsoRefused

    with pytest.raises(SsoRefused):
        provider_delete(provider=provider, actor=admin)
    assert IdentityProvider.objects.filter(pk=provider.pk, enabled=True).exists()


def test_delete_is_audited(in_tenant_a):
    provider = _saml()
    provider_delete(provider=provider, actor=None)
    assert not IdentityProvider.objects.exists()
    entry = AuditEntry.objects.get(action=AuditAction.SSO_PROVIDER_DELETED)
    assert entry.before["slug"] == "acme"
