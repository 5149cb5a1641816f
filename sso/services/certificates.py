"""X.509 certificates of SSO: reading what an admin pastes (PEM, or the base64 body SAML
metadata holds), and the expiry of every certificate the tenant's sign-in depends on (its
IdPs' signing certificates and its own SP keys) for the admin pages, the banner and the
daily warnings."""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import re
from dataclasses import dataclass

from cryptography import x509
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sso.models import IdentityProvider, KeyState, ProviderKind, ServiceProviderKey

# Warnings go out this many days before a certificate expires (the banner shows from the
# first of them on).
WARNING_THRESHOLDS = (30, 7)
_BASE64 = re.compile(r"^[A-Za-z0-9+/=\s]+$")


class CertificateUnreadable(ValueError):
    """Text that is not an X.509 certificate in PEM or base64 DER."""


def certificate_read(text: str) -> x509.Certificate:
    """The certificate in `text`: a PEM block, or the base64 body alone (what metadata and
    most IdP consoles show). Raises CertificateUnreadable saying what is wrong."""
    text = (text or "").strip()
    if not text:
        raise CertificateUnreadable(_("The certificate is empty."))
    if "-----BEGIN" in text:
        if "PRIVATE KEY" in text:
            raise CertificateUnreadable(
                _("This is a private key. Paste the identity provider's certificate instead.")
            )
        try:
            return x509.load_pem_x509_certificate(text.encode())
        except ValueError as exc:
            raise CertificateUnreadable(_("This PEM block is not an X.509 certificate.")) from exc
    if not _BASE64.match(text):
        raise CertificateUnreadable(
            _("Paste the certificate as PEM (-----BEGIN CERTIFICATE-----) or its base64 body.")
        )
    try:
        der = base64.b64decode("".join(text.split()), validate=True)
        return x509.load_der_x509_certificate(der)
    except (binascii.Error, ValueError) as exc:
        raise CertificateUnreadable(_("This base64 text is not an X.509 certificate.")) from exc


def certificate_body(certificate: x509.Certificate) -> str:
    """The base64 DER of `certificate` on one line (what is stored and what python3-saml's
    settings and SAML metadata hold)."""
    from cryptography.hazmat.primitives.serialization import Encoding

    return base64.b64encode(certificate.public_bytes(Encoding.DER)).decode()


@dataclass(frozen=True)
class CertificateFacts:
    fingerprint: str  # SHA-256 of the DER, hex
    subject: str
    not_after: datetime.datetime
    days_left: int

    @property
    def expired(self) -> bool:
        return self.days_left < 0

    @property
    def expiring(self) -> bool:
        return self.days_left <= WARNING_THRESHOLDS[0]

    def as_dict(self) -> dict:
        return {
            "fingerprint": self.fingerprint,
            "subject": self.subject,
            "not_after": self.not_after.isoformat(),
            "days_left": self.days_left,
        }


def certificate_facts(text: str, now: datetime.datetime | None = None) -> CertificateFacts:
    """Fingerprint, subject and expiry of a stored certificate body (or PEM)."""
    certificate = certificate_read(text)
    from cryptography.hazmat.primitives.serialization import Encoding

    der = certificate.public_bytes(Encoding.DER)
    not_after = certificate.not_valid_after_utc
    now = now or timezone.now()
    return CertificateFacts(
        fingerprint=hashlib.sha256(der).hexdigest(),
        subject=certificate.subject.rfc4514_string()[:300],
        not_after=not_after,
        days_left=(not_after - now).days,  # negative once expired
    )


def provider_certificate_facts(provider: IdentityProvider) -> list[CertificateFacts]:
    """The facts of each stored signing certificate of `provider` (unreadable ones, which
    validation keeps out, are skipped)."""
    found = []
    for body in provider.saml_certificates or []:
        try:
            found.append(certificate_facts(body))
        except CertificateUnreadable:
            continue
    return found


@dataclass(frozen=True)
class CertificateStatus:
    """One certificate the tenant's sign-in depends on, and when it stops working: a
    signing certificate of `provider`, or this portal's SP key in `key_state`."""

    facts: CertificateFacts
    provider: IdentityProvider | None = None  # None: one of the tenant's own SP keys
    key_state: str = ""

    @property
    def label(self) -> str:
        """What the certificate is, in the language active where it is read (the page's,
        or the admin's an e-mail is written for)."""
        if self.provider is not None:
            return _("Signing certificate of %(provider)s") % {"provider": self.provider.name}
        if self.key_state == KeyState.ACTIVE:
            return _("This portal's SAML signing key")
        return _("This portal's next SAML signing key")


def certificate_statuses() -> list[CertificateStatus]:
    """Every certificate in use, soonest expiry first: the signing certificates of the
    enabled SAML providers and the SP keys that are active or published next (two queries,
    no key is created)."""
    statuses: list[CertificateStatus] = []
    providers = IdentityProvider.objects.filter(enabled=True, kind=ProviderKind.SAML).only(
        "id", "name", "slug", "saml_certificates"
    )
    for provider in providers:
        for facts in provider_certificate_facts(provider):
            statuses.append(CertificateStatus(facts=facts, provider=provider))
    keys = ServiceProviderKey.objects.filter(state__in=[KeyState.ACTIVE, KeyState.NEXT]).only(
        "id", "state", "certificate_pem"
    )
    for key in keys:
        try:
            facts = certificate_facts(key.certificate_pem)
        except CertificateUnreadable:
            continue
        statuses.append(CertificateStatus(facts=facts, key_state=key.state))
    statuses.sort(key=lambda status: status.facts.not_after)
    return statuses


def certificates_expiring() -> list[CertificateStatus]:
    """The certificates within the first warning threshold of expiry (or past it)."""
    return [status for status in certificate_statuses() if status.facts.expiring]


def threshold_reached(days_left: int) -> int | None:
    """The smallest warning threshold `days_left` is within (7 before 30), or None."""
    reached = [days for days in WARNING_THRESHOLDS if days_left <= days]
    return min(reached) if reached else None


def certificate_warnings_send() -> int:
    """E-mail the tenant's active admins about each certificate that has come within 30 or
    7 days of expiry (or past it), once per certificate and threshold; returns how many
    warnings (not e-mails) went out. A certificate first seen at 5 days gets the 7-day
    warning only. Each admin's e-mail is written in their language and time zone."""
    from django.db import IntegrityError, transaction

    from sso.models import CertificateWarning
    from tenant_apps.notifications.services import admins_email_send, tenant_identity

    due = [
        (status, threshold)
        for status in certificate_statuses()
        if (threshold := threshold_reached(status.facts.days_left)) is not None
    ]
    if not due:
        return 0
    tenant = tenant_identity()
    page = tenant.base_url + _manage_sso_path()
    sent = 0
    for status, threshold in due:
        try:
            with transaction.atomic():
                CertificateWarning.objects.create(
                    fingerprint=status.facts.fingerprint,
                    threshold_days=threshold,
                    label=status.label[:300],
                    not_after=status.facts.not_after,
                )
        except IntegrityError:  # warned already (or a concurrent run is warning now)
            continue
        sent += 1
        admins_email_send(
            subject=lambda status=status: _warning_subject(status),
            template="sso_certificate_expiring",
            context={"status": status, "link": page},
            tenant=tenant,
        )
    return sent


def _warning_subject(status: CertificateStatus) -> str:
    if status.facts.expired:
        return _("%(what)s has expired") % {"what": status.label}
    return ngettext(
        "%(what)s expires in %(days)s day",
        "%(what)s expires in %(days)s days",
        status.facts.days_left,
    ) % {"what": status.label, "days": status.facts.days_left}


def _manage_sso_path() -> str:
    from django.conf import settings
    from django.urls import reverse

    return reverse("manage-sso", urlconf=settings.ROOT_URLCONF)
