"""Certificate expiry: tenant admins are e-mailed 30 and 7 days ahead, once per certificate
and threshold, and every admin page shows a banner meanwhile."""

from __future__ import annotations

import datetime

from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from sso.models import CertificateWarning, KeyState, ProviderKind, ServiceProviderKey
from sso.services.providers import provider_create, provider_update
from sso.tasks import certificate_expiry_warn
from tenant_apps.people.models import Role
from tests.sso.admin_documents import certificate_pem


def _provider(days: int):
    return provider_create(
        actor=None,
        kind=ProviderKind.SAML,
        name="Acme ADFS",
        slug="adfs",
        saml_entity_id="https://adfs.acme.example/adfs/services/trust",
        saml_sso_url="https://adfs.acme.example/adfs/ls/",
        saml_certificates=[certificate_pem("adfs.acme.example", days=days)],
    )


def test_admins_are_warned_once_per_threshold(in_tenant_a, make_person):
    make_person(Role.ADMIN, email="first-admin@example.com")
    make_person(Role.ADMIN, email="second-admin@example.com")
    make_person(Role.LEARNER, email="learner@example.com")
    gone = make_person(Role.ADMIN, email="gone-admin@example.com")
    gone.__class__.objects.filter(pk=gone.pk).update(is_active=False)
    provider = _provider(days=25)
    mail.outbox.clear()

    assert certificate_expiry_warn() == 1
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert "first-admin@example.com" in recipients and "second-admin@example.com" in recipients
    assert "learner@example.com" not in recipients and "gone-admin@example.com" not in recipients
    assert mail.outbox[0].subject == "Signing certificate of Acme ADFS expires in 25 days"
    assert "http://alpha.localhost/manage/sso/" in mail.outbox[0].body

    # The next day's run says nothing new.
    sent = len(mail.outbox)
    assert certificate_expiry_warn() == 0
    assert len(mail.outbox) == sent

    # At 7 days left it warns again, once.
    provider_update(
        provider=provider,
        actor=None,
        saml_certificates=[certificate_pem("adfs.acme.example", days=6)],
    )
    assert certificate_expiry_warn() == 1
    assert certificate_expiry_warn() == 0
    assert mail.outbox[-1].subject == "Signing certificate of Acme ADFS expires in 6 days"
    assert sorted(CertificateWarning.objects.values_list("threshold_days", flat=True)) == [7, 30]


def test_far_certificates_are_not_warned_and_sp_keys_are(in_tenant_a, make_person):
    make_person(Role.ADMIN, email="keys-admin@example.com")
    _provider(days=200)
    pem = certificate_pem("Lectern SAML SP", days=5)
    ServiceProviderKey.objects.create(
        state=KeyState.ACTIVE,
        certificate_pem=pem,
        private_key_sealed="unused",
        not_after=timezone.now() + datetime.timedelta(days=5),
    )
    mail.outbox.clear()
    assert certificate_expiry_warn() == 1
    assert mail.outbox[0].subject == "This portal's SAML signing key expires in 5 days"
    assert list(CertificateWarning.objects.values_list("threshold_days", flat=True)) == [7]


def test_admin_pages_show_a_banner_for_expiring_certificates(portal, make_person, tenant_a):
    admin = make_person(Role.ADMIN, email="banner-admin@example.com")
    with schema_context(tenant_a.schema):
        provider = _provider(days=12)
    page = portal(admin).get("/manage/people/").content.decode()
    assert "Signing certificate of Acme ADFS expires in 12 days" in page
    assert f'href="/manage/sso/providers/{provider.pk}/"' in page
    learner = make_person(Role.LEARNER, email="no-banner@example.com")
    assert "Acme ADFS" not in portal(learner).get("/").content.decode()
