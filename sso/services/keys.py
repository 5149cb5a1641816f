"""The tenant's SAML service-provider key pairs. One is active (it signs requests and
metadata, IdPs encrypt to it); a rollover first publishes the next key in the metadata so
IdPs learn it, then an admin activates it and the old one retires (still published, and
still decrypting, until it is deleted)."""

from __future__ import annotations

import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.secret_box import secret_open, secret_seal
from sso.errors import SsoErrorCode, SsoRefused
from sso.models import KeyState, ServiceProviderKey
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record

KEY_LIFETIME = datetime.timedelta(days=3 * 365)
# Retired keys stay published this long, for assertions encrypted to them in flight.
RETIRED_KEY_KEPT = datetime.timedelta(days=30)


def pem_body(pem: str) -> str:
    """A PEM certificate without its armour lines or line breaks (what SAML metadata and
    python3-saml's settings hold)."""
    return "".join(line for line in pem.strip().splitlines() if not line.startswith("-----"))


def _key_pair_new(common_name: str) -> tuple[str, str, datetime.datetime]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])])
    now = timezone.now()
    not_after = now + KEY_LIFETIME
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return certificate.public_bytes(serialization.Encoding.PEM).decode(), private_pem, not_after


def _common_name() -> str:
    return f"Lectern SAML SP {connection.schema_name}"


@transaction.atomic
def sp_key_active() -> ServiceProviderKey:
    """The key that signs now; the tenant's first one is made on first use."""
    key = ServiceProviderKey.objects.filter(state=KeyState.ACTIVE).first()
    if key is not None:
        return key
    # Serialise the first creation (two first sign-ins at once make one key).
    ServiceProviderKey.objects.select_for_update().filter(state=KeyState.ACTIVE).exists()
    certificate, private_key, not_after = _key_pair_new(_common_name())
    try:
        with transaction.atomic():
            return ServiceProviderKey.objects.create(
                state=KeyState.ACTIVE,
                certificate_pem=certificate,
                private_key_sealed=secret_seal(private_key),
                not_after=not_after,
                activated_at=timezone.now(),
            )
    except Exception:  # a concurrent first use made it
        return ServiceProviderKey.objects.get(state=KeyState.ACTIVE)


def sp_keys_published() -> list[ServiceProviderKey]:
    """Every key the metadata lists: the active one first, then the next, then the retired
    ones still kept."""
    active = sp_key_active()
    others = ServiceProviderKey.objects.exclude(pk=active.pk).filter(
        state__in=[KeyState.NEXT, KeyState.RETIRED]
    )
    cutoff = timezone.now() - RETIRED_KEY_KEPT
    kept = [
        key
        for key in others
        if key.state == KeyState.NEXT or (key.retired_at and key.retired_at > cutoff)
    ]
    kept.sort(key=lambda key: 0 if key.state == KeyState.NEXT else 1)
    return [active, *kept]


def sp_private_key(key: ServiceProviderKey) -> str:
    return secret_open(key.private_key_sealed)


@transaction.atomic
def sp_key_next_create(*, actor) -> ServiceProviderKey:
    """Start a rollover: a new key, published in the metadata, not used yet."""
    sp_key_active()
    if ServiceProviderKey.objects.filter(state=KeyState.NEXT).exists():
        raise SsoRefused(
            SsoErrorCode.KEY_INVALID,
            _("A next key is already published; activate it before making another."),
            status=409,
        )
    certificate, private_key, not_after = _key_pair_new(_common_name())
    key = ServiceProviderKey.objects.create(
        state=KeyState.NEXT,
        certificate_pem=certificate,
        private_key_sealed=secret_seal(private_key),
        not_after=not_after,
    )
    audit_record(action=AuditAction.SSO_KEY_CREATED, actor=actor, target=key)
    return key


@transaction.atomic
def sp_key_next_activate(*, actor) -> ServiceProviderKey:
    """Finish a rollover: the next key signs from now on; the old one retires."""
    key = ServiceProviderKey.objects.select_for_update().filter(state=KeyState.NEXT).first()
    if key is None:
        raise SsoRefused(
            SsoErrorCode.KEY_INVALID,
            _("There is no next key to activate; publish one first."),
            status=409,
        )
    now = timezone.now()
    ServiceProviderKey.objects.filter(state=KeyState.ACTIVE).update(
        state=KeyState.RETIRED, retired_at=now
    )
    key.state = KeyState.ACTIVE
    key.activated_at = now
    key.save(update_fields=["state", "activated_at"])
    audit_record(action=AuditAction.SSO_KEY_ACTIVATED, actor=actor, target=key)
    return key
