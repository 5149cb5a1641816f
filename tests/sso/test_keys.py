"""The tenant's SAML key pairs: one made on first use, a rollover publishes the next key
before it signs, and private keys are stored sealed."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from sso.errors import SsoRefused
from sso.models import KeyState, ServiceProviderKey
from sso.services import keys
from tenant_apps.audit.models import AuditAction, AuditEntry


def test_the_first_use_makes_one_active_key_and_keeps_it(in_tenant_a) -> None:
    first = keys.sp_key_active()
    assert keys.sp_key_active().pk == first.pk
    assert ServiceProviderKey.objects.count() == 1
    certificate = x509.load_pem_x509_certificate(first.certificate_pem.encode())
    private = serialization.load_pem_private_key(keys.sp_private_key(first).encode(), None)
    assert certificate.public_key().public_numbers() == private.public_key().public_numbers()
    assert "PRIVATE KEY" not in first.private_key_sealed
    assert in_tenant_a.schema in certificate.subject.rfc4514_string()


def test_a_rollover_publishes_the_next_key_before_it_signs(in_tenant_a, make_person) -> None:
    admin = make_person(role="admin")
    old = keys.sp_key_active()
    upcoming = keys.sp_key_next_create(actor=admin)
    assert keys.sp_key_active().pk == old.pk  # still signing with the old key
    assert [key.pk for key in keys.sp_keys_published()] == [old.pk, upcoming.pk]
    with pytest.raises(SsoRefused):
        keys.sp_key_next_create(actor=admin)

    keys.sp_key_next_activate(actor=admin)
    assert keys.sp_key_active().pk == upcoming.pk
    old.refresh_from_db()
    assert old.state == KeyState.RETIRED
    # The retired key stays published (assertions encrypted to it may be in flight).
    assert [key.pk for key in keys.sp_keys_published()] == [upcoming.pk, old.pk]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {AuditAction.SSO_KEY_CREATED, AuditAction.SSO_KEY_ACTIVATED} <= actions


def test_activating_without_a_next_key_is_refused(in_tenant_a, make_person) -> None:
    keys.sp_key_active()
    with pytest.raises(SsoRefused):
        keys.sp_key_next_activate(actor=make_person(role="admin"))


def test_pem_body_strips_the_armour() -> None:
    pem = "-----BEGIN CERTIFICATE-----\nMIIB\nAAAA\n-----END CERTIFICATE-----\n"
    assert keys.pem_body(pem) == "MIIBAAAA"
