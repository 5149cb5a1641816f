"""Just-in-time provisioning: what a provider asserts becomes a person of this tenant only,
kept up to date on later sign-ins except where an admin manages a field in Lectern, and
refused where the rules say no — with nothing half-made."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from sso.errors import SsoErrorCode, SsoRefused
from sso.models import ExternalIdentity, IdentityProvider, ProviderKind
from sso.presets import preset_named
from sso.services.provisioning import AssertedIdentity, identity_map, person_from_identity
from tenant_apps.audit.models import AuditAction, AuditEntry
from tenant_apps.people.models import GroupKind, LearnerGroup, Role, User

ENTRA = preset_named("saml", "entra_id")
CLAIMS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"


def _provider(**fields) -> IdentityProvider:
    values = {
        "slug": "entra",
        "name": "Acme Entra ID",
        "kind": ProviderKind.SAML,
        "attribute_mapping": dict(ENTRA.mapping),
        "saml_entity_id": "https://sts.windows.net/acme/",
    }
    values.update(fields)
    return IdentityProvider.objects.create(**values)


def _identity(subject: str = "ada-sub", **attributes: list[str]) -> AssertedIdentity:
    base = {
        CLAIMS + "emailaddress": ["Ada@Acme.example"],
        CLAIMS + "givenname": ["Ada"],
        CLAIMS + "surname": ["Lovelace"],
    }
    base.update(attributes)
    return AssertedIdentity(subject=subject, attributes=base)


def test_the_entra_preset_maps_claim_uris_onto_a_person(in_tenant_a) -> None:
    provider = _provider()
    mapped = identity_map(
        provider,
        _identity(
            **{
                "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups": ["staff"],
                "department": ["Research"],
                "employeeid": ["E-1815"],
            }
        ),
    )
    assert mapped.email == "ada@acme.example"
    assert mapped.full_name == "Ada Lovelace"
    assert mapped.groups == ["staff"]
    assert mapped.department == "Research"
    assert mapped.employee_number == "E-1815"


def test_an_identity_without_an_email_is_refused_naming_the_attribute(in_tenant_a) -> None:
    provider = _provider()
    identity = AssertedIdentity(subject="opaque-id", attributes={CLAIMS + "givenname": ["Ada"]})
    with pytest.raises(SsoRefused) as refused:
        identity_map(provider, identity)
    assert refused.value.code == SsoErrorCode.ATTRIBUTE_MISSING
    assert CLAIMS + "emailaddress" in refused.value.message
    assert not User.objects.filter(email__icontains="ada").exists()


def test_an_email_nameid_stands_in_for_a_missing_email_attribute(in_tenant_a) -> None:
    provider = _provider(attribute_mapping={})
    mapped = identity_map(provider, AssertedIdentity(subject="grace@acme.example", attributes={}))
    assert mapped.email == "grace@acme.example"


def test_the_first_sign_in_creates_the_person_with_groups_role_and_department(
    in_tenant_a,
) -> None:
    staff = LearnerGroup.objects.create(name="Staff")
    provider = _provider(
        group_role_rules=[
            {"group": "lms-authors", "role": Role.INSTRUCTOR},
            {"group": "lms-admins", "role": Role.ADMIN},
        ],
        group_membership_rules=[{"group": "STAFF", "tenant_group": staff.pk}],
    )
    groups_claim = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"
    user = person_from_identity(
        provider,
        _identity(
            **{
                groups_claim: ["lms-authors", "staff"],
                "department": ["Research"],
                "employeeid": ["E-1815"],
            }
        ),
    )
    user.refresh_from_db()
    assert (user.email, user.full_name, user.role) == (
        "ada@acme.example",
        "Ada Lovelace",
        Role.INSTRUCTOR,
    )
    assert user.employee_number == "E-1815"
    assert set(user.learner_groups.values_list("name", flat=True)) == {"Staff", "Research"}
    assert LearnerGroup.objects.get(name="Research").kind == GroupKind.DEPARTMENT
    assert ExternalIdentity.objects.get(provider=provider, subject="ada-sub").user == user
    assert AuditEntry.objects.filter(
        action=AuditAction.SSO_PERSON_CREATED, target_id=str(user.pk)
    ).exists()


def test_later_sign_ins_update_mapped_fields_but_not_those_managed_in_lectern(
    in_tenant_a,
) -> None:
    staff = LearnerGroup.objects.create(name="Staff")
    provider = _provider(group_membership_rules=[{"group": "staff", "tenant_group": staff.pk}])
    groups_claim = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"
    user = person_from_identity(provider, _identity(**{groups_claim: ["staff"]}))
    assert user.learner_groups.filter(pk=staff.pk).exists()

    renamed = _identity(**{CLAIMS + "givenname": ["Augusta"], groups_claim: []})
    user = person_from_identity(provider, renamed)
    user.refresh_from_db()
    assert user.full_name == "Augusta Lovelace"
    assert not user.learner_groups.filter(pk=staff.pk).exists()  # the rule governs it

    User.objects.filter(pk=user.pk).update(full_name="Ada King", managed_fields=["full_name"])
    person_from_identity(provider, _identity(**{CLAIMS + "givenname": ["Someone Else"]}))
    user.refresh_from_db()
    assert user.full_name == "Ada King"
    assert User.objects.filter(email="ada@acme.example").count() == 1


def test_sign_ins_leave_attributes_scim_set_and_update_the_others(in_tenant_a) -> None:
    provider = _provider()
    user = person_from_identity(provider, _identity(employeeid=["E-1"]))
    User.objects.filter(pk=user.pk).update(
        full_name="Ada King (HR)",
        employee_number="HR-7",
        attribute_sources={"full_name": "scim", "employee_number": "scim"},
    )
    again = _identity(
        **{CLAIMS + "givenname": ["Augusta"], "employeeid": ["E-2"], "department": ["Labs"]}
    )
    person_from_identity(provider, again)
    user.refresh_from_db()
    assert user.full_name == "Ada King (HR)"
    assert user.employee_number == "HR-7"
    assert user.learner_groups.filter(name="Labs", kind=GroupKind.DEPARTMENT).exists()

    User.objects.filter(pk=user.pk).update(attribute_sources={"full_name": "sso"})
    person_from_identity(provider, again)
    user.refresh_from_db()
    assert user.full_name == "Augusta Lovelace"
    assert user.employee_number == "E-2"


def test_a_deactivated_person_is_refused_whatever_the_provider_says(in_tenant_a) -> None:
    provider = _provider()
    user = person_from_identity(provider, _identity())
    User.objects.filter(pk=user.pk).update(is_active=False)
    with pytest.raises(SsoRefused) as refused:
        person_from_identity(provider, _identity())
    assert refused.value.code == SsoErrorCode.PERSON_DEACTIVATED


def test_an_existing_local_account_is_not_taken_over_unless_linking_is_allowed(
    in_tenant_a, make_person
) -> None:
    local = make_person(email="ada@acme.example", full_name="Ada (local)")
    provider = _provider()
    with pytest.raises(SsoRefused) as refused:
        person_from_identity(provider, _identity())
    assert refused.value.code == SsoErrorCode.EMAIL_TAKEN
    assert not ExternalIdentity.objects.exists()

    provider.link_existing_accounts = True
    provider.save()
    unverified = AssertedIdentity(
        subject="ada-sub", attributes=_identity().attributes, email_verified=False
    )
    with pytest.raises(SsoRefused):
        person_from_identity(provider, unverified)

    linked = person_from_identity(provider, _identity())
    assert linked.pk == local.pk
    assert AuditEntry.objects.filter(action=AuditAction.SSO_ACCOUNT_LINKED).exists()


def test_a_provider_that_creates_nobody_refuses_unknown_people(in_tenant_a) -> None:
    provider = _provider(create_people=False)
    with pytest.raises(SsoRefused) as refused:
        person_from_identity(provider, _identity())
    assert refused.value.code == SsoErrorCode.PERSON_UNKNOWN
    assert not User.objects.filter(email="ada@acme.example").exists()


def test_an_identity_lives_in_one_tenant_only(tenant_a, tenant_b, db) -> None:
    with schema_context(tenant_a.schema):
        person_from_identity(_provider(), _identity())
    with schema_context(tenant_b.schema):
        assert not User.objects.filter(email="ada@acme.example").exists()
        assert not ExternalIdentity.objects.exists()
