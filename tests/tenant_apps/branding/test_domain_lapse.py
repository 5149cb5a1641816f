"""A verified domain keeps its TXT record or stops routing: the daily re-check (on a DNS
server on loopback, never the internet) warns the admins the first time the record is
gone, stops routing it once it stayed gone CUSTOM_DOMAIN_LAPSE_DAYS, and forgets the lapse
when the record is back; a DNS server that does not answer is never taken as a lapse."""

from __future__ import annotations

import datetime
import socket

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from shared_apps.tenants.models import Domain
from tenant_apps.audit.models import AuditEntry
from tenant_apps.branding.models import CustomDomain
from tenant_apps.branding.services import (
    custom_domain_add,
    custom_domain_verify,
    verified_domains_recheck,
)
from tenant_apps.branding.tasks import verified_domains_recheck_task

NAME = "learn.alpha-corp.example"
RECORD = f"_lectern-verify.{NAME}"


@pytest.fixture
def verified(admin, tenant_a, dns_zone, settings, django_capture_on_commit_callbacks):
    settings.CUSTOM_DOMAIN_LAPSE_DAYS = 7
    with schema_context(tenant_a.schema):
        domain = custom_domain_add(name=NAME, actor=admin)
        dns_zone.txt[RECORD] = [domain.token]
        with django_capture_on_commit_callbacks(execute=True):
            domain = custom_domain_verify(domain_id=domain.pk, actor=admin)
    assert domain.status == "verified"
    return domain


def recheck(tenant_a, callbacks, *, days_later: float = 0) -> dict[str, int]:
    moment = timezone.now() + datetime.timedelta(days=days_later)
    with schema_context(tenant_a.schema), callbacks(execute=True):
        return verified_domains_recheck(now=moment)


def current(tenant_a) -> CustomDomain:
    with schema_context(tenant_a.schema):
        return CustomDomain.objects.get()


def routes() -> bool:
    return Client(HTTP_HOST=NAME).get("/accounts/login/").status_code == 200


def test_a_domain_that_keeps_its_record_is_left_as_it_is(
    verified, tenant_a, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with schema_context(tenant_a.schema):
        assert verified_domains_recheck_task.delay().get() == {
            "checked": 1,
            "lapsing": 0,
            "unrouted": 0,
            "restored": 0,
        }
    domain = current(tenant_a)
    assert (domain.status, domain.lapsed_since) == ("verified", None)
    assert routes() and mail.outbox == []


def test_a_record_gone_for_the_grace_period_stops_routing_after_one_warning(
    verified, tenant_a, admin, portal, dns_zone, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    del dns_zone.txt[RECORD]
    assert recheck(tenant_a, django_capture_on_commit_callbacks)["lapsing"] == 1
    domain = current(tenant_a)
    assert (domain.status, domain.lapse_failure) == ("verified", "nxdomain")
    assert routes()  # still, during the grace period
    warned = [m for m in mail.outbox if NAME in m.subject]
    assert admin.email in {address for m in warned for address in m.to}
    assert "its verification record is gone" in warned[0].subject
    assert "If it is still missing on" in warned[0].body
    page = portal(admin).get(f"/manage/domains/{domain.pk}/").content.decode()
    assert "the TXT record that proves this domain is yours is missing" in page

    # Later checks in the grace period warn no more and change nothing.
    mail.outbox.clear()
    step = recheck(tenant_a, django_capture_on_commit_callbacks, days_later=3)
    assert (step["lapsing"], step["unrouted"], mail.outbox) == (0, 0, [])
    assert current(tenant_a).lapsed_since == domain.lapsed_since

    # Past it: unrouted, audited, the admins told.
    step = recheck(tenant_a, django_capture_on_commit_callbacks, days_later=7.1)
    assert step["unrouted"] == 1
    domain = current(tenant_a)
    assert (domain.status, domain.failure, domain.lapsed_since) == ("failed", "nxdomain", None)
    assert not Domain.objects.filter(domain=NAME).exists() and not routes()
    with schema_context(tenant_a.schema):
        entry = AuditEntry.objects.get(action="domain.lapsed")
    assert (entry.actor_id, entry.after) == (None, {"status": "failed", "failure": "nxdomain"})
    assert any("no longer opens your portal" in m.subject for m in mail.outbox)

    # The record back, "Verify now" routes it again.
    dns_zone.txt[RECORD] = [domain.token]
    with django_capture_on_commit_callbacks(execute=True):
        portal(admin).post(f"/manage/domains/{domain.pk}/verify/")
    assert current(tenant_a).status == "verified" and routes()


def test_a_record_back_within_the_grace_period_ends_the_lapse(
    verified, tenant_a, dns_zone, django_capture_on_commit_callbacks
):
    dns_zone.txt[RECORD] = ["someone-elses-token"]
    recheck(tenant_a, django_capture_on_commit_callbacks)
    assert current(tenant_a).lapse_failure == "wrong_token"
    dns_zone.txt[RECORD] = [verified.token]
    assert recheck(tenant_a, django_capture_on_commit_callbacks, days_later=2)["restored"] == 1
    domain = current(tenant_a)
    assert (domain.lapsed_since, domain.lapse_failure) == (None, "")
    # Gone again much later: a new grace period, not the old one.
    del dns_zone.txt[RECORD]
    step = recheck(tenant_a, django_capture_on_commit_callbacks, days_later=30)
    assert (step["lapsing"], step["unrouted"]) == (1, 0)
    assert routes()


def test_a_dns_server_that_does_not_answer_is_never_a_lapse(
    verified, tenant_a, settings, django_capture_on_commit_callbacks
):
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    settings.CUSTOM_DOMAIN_NAMESERVER_PORT = sink.getsockname()[1]
    settings.CUSTOM_DOMAIN_DNS_TIMEOUT = 0.3
    try:
        for days in (0, 8, 30):
            step = recheck(tenant_a, django_capture_on_commit_callbacks, days_later=days)
            assert step == {"checked": 0, "lapsing": 0, "unrouted": 0, "restored": 0}
    finally:
        sink.close()
    domain = current(tenant_a)
    assert (domain.status, domain.lapsed_since) == ("verified", None)
    assert routes()
